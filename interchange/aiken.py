"""Aiken files -> single_choice items, read as Moodle's Aiken importer reads them.

A question is one line of text, then its options (``A)`` or ``A.``, a space optional),
then ``ANSWER: X``. Problems are located at the question's first line (or at the stray
line when an option or ANSWER comes with no question before it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from interchange.bank_items import Collector, new_item, stable_id, title_from
from interchange.results import ImportResult, Progress
from interchange.targets import single_choice_key
from interchange.text_source import read_text

OPTION = re.compile(r"^([A-Z])[.)][ \t]?(.*)$")
ANSWER = re.compile(r"^ANSWER\s*:\s*(.*)$")


@dataclass
class _Question:
    line: int
    text: str
    options: list[tuple[str, str]] = field(default_factory=list)

    @property
    def shown(self) -> str:
        return f'"{title_from(self.text)}"'


def import_aiken(path: Path, progress: Progress | None = None) -> ImportResult:
    """Every question of an Aiken file, or why it was not imported."""
    lines = read_text(path).splitlines()
    collector = Collector(str(path), progress)
    question: _Question | None = None
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        answer, option = ANSWER.match(line), OPTION.match(line)
        if not line:
            pass
        elif answer:
            if question is None:
                collector.skip(number, "an ANSWER line with no question before it")
            else:
                _finish(question, answer.group(1).strip(), collector)
            question = None
        elif option:
            if question is None:
                collector.skip(
                    number, "an option with no question before it (the question's text comes first)"
                )
            else:
                question.options.append((option.group(1), option.group(2).strip()))
        else:
            if question is not None:
                collector.skip(
                    question.line,
                    f"{question.shown} has no ANSWER line before the next question (line {number})",
                )
            question = _Question(number, line)
        collector.tick(len(lines))
    if question is not None:
        collector.skip(question.line, f"{question.shown} has no ANSWER line before the file ends")
    return collector.result()


def _finish(question: _Question, answer: str, collector: Collector) -> None:
    letters = [letter for letter, _ in question.options]
    if len(letters) < 2:
        collector.skip(
            question.line, f"{question.shown} has {len(letters)} option(s); a question needs at least 2"
        )
        return
    if len(set(letters)) < len(letters):
        collector.skip(question.line, f"{question.shown} uses an option letter twice")
        return
    correct = answer[:1].upper()
    if correct not in letters or len(answer.split()[0]) != 1:
        known = ", ".join(letters)
        collector.skip(
            question.line, f"{question.shown}: ANSWER {answer!r} is not one of its options {known}"
        )
        return
    body = {
        "prompt": question.text,
        "options": [{"id": letter.lower(), "text": text} for letter, text in question.options],
    }
    item = new_item(
        item_id=stable_id(question.text),
        type_name="single_choice",
        title=question.text,
        body=body,
        key=single_choice_key(correct.lower(), Decimal(1)),
    )
    collector.add(question.line, item)
