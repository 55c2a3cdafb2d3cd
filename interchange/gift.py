"""GIFT text files -> bank items, read the way Moodle's GIFT importer reads them.

Questions are separated by blank lines; ``//`` lines are comments; ``::name::`` names a
question; ``{...}`` holds the answers (``=`` right, ``~`` wrong, ``%n%`` weights, ``#``
feedback, ``####`` general feedback); text after the braces makes a missing-word question
(the braces become "_____"); ``\\`` escapes ``~ = # { } :``; ``$CATEGORY:`` sets the
section of the questions after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, cast

from interchange.bank_items import DEFAULT_SECTION, Collector, new_item, section_and_tags, stable_id
from interchange.choice_weights import select_all_question, single_answer_key
from interchange.gift_metadata import read_metadata
from interchange.markup import TextReader
from interchange.results import ImportResult, Progress
from interchange.targets import (
    TRUE_FALSE,
    Unmappable,
    holistic_rubric,
    letter_ids,
    numeric_key,
    partial_answer_notes,
    single_choice_key,
    text_question,
)
from interchange.text_formats import TextFormat, bank_text
from interchange.text_source import read_text

# Escaped control characters are hidden behind private-use characters while the structure is read.
ESCAPES = {
    "\\:": "\ue101",
    "\\#": "\ue102",
    "\\=": "\ue103",
    "\\{": "\ue104",
    "\\}": "\ue105",
    "\\~": "\ue106",
}
UNESCAPED = {v: k[1] for k, v in ESCAPES.items()} | {"\ue107": "\n", "\ue108": "\\"}
WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
FORMAT = re.compile(r"^\[(html|moodle|plain|markdown)\]")
TRUE_FALSE_WORDS = {"T": "true", "TRUE": "true", "F": "false", "FALSE": "false"}
DESCRIPTION = "Judged as a whole by the reviewer (the source gave no rubric)."


@dataclass(frozen=True)
class Answer:
    weight: Decimal
    text: str
    feedback: str


def _escape(text: str) -> str:
    text = text.replace("\\\\", "\ue108")
    for escaped, hidden in ESCAPES.items():
        text = text.replace(escaped, hidden)
    return text.replace("\\n", "\ue107")


def _unescape(text: str) -> str:
    return "".join(UNESCAPED.get(c, c) for c in text)


class _Reader:
    """Reads one question's texts, noting what plain text cannot carry.

    As in Moodle, a text in no marked format takes the question text's format, and
    the question text's own default is Moodle's auto-format.
    """

    def __init__(self) -> None:
        self.lost: list[str] = []
        self.format: TextFormat = "moodle"

    def question_format(self, text: str) -> str:
        """``text`` (the question after its name) without its format marker, which becomes the default."""
        text = text.strip()
        found = FORMAT.match(text)
        if found is None:
            return text
        self.format = cast(TextFormat, found.group(1))
        return text[found.end() :]

    def text(self, raw: str) -> str:
        raw = raw.strip()
        found = FORMAT.match(raw)
        text_format = cast(TextFormat, found.group(1)) if found else self.format
        reader = TextReader()
        text = bank_text(_unescape(raw[found.end() :] if found else raw), text_format, reader)
        self.lost.extend(reader.lost)
        return text


@dataclass(frozen=True)
class Block:
    """One blank-line-separated piece of a GIFT file: a question or a category."""

    line: int
    text: str
    comments: list[str]


def question_blocks(lines: list[str]) -> list[Block]:
    """Each block with the line of its first non-comment line and its ``//`` comment lines."""
    blocks: list[Block] = []
    current: list[str] = []
    comments: list[str] = []
    start = 0
    for number, line in enumerate([*lines, ""], 1):
        if line.strip() == "":
            if current:
                blocks.append(Block(start, "\n".join(current).strip(), comments))
            current, comments = [], []
            continue
        if line.strip().startswith("//"):
            comments.append(line.strip())
            continue
        if not current:
            start = number
        current.append(line)
    return blocks


def import_gift(path: Path, progress: Progress | None = None) -> ImportResult:
    """Every question of a GIFT file, or why it was not imported."""
    blocks = question_blocks(read_text(path).splitlines())
    collector = Collector(str(path), progress)
    section, tags = DEFAULT_SECTION, list[str]()
    for block in blocks:
        escaped = _escape(block.text)
        if escaped.startswith("$CATEGORY:"):
            section, tags = section_and_tags(_unescape(escaped.removeprefix("$CATEGORY:")))
        else:
            _import_question(escaped, block, section, tags, collector)
        collector.tick(len(blocks))
    return collector.result()


def _import_question(text: str, block: Block, section: str, tags: list[str], collector: Collector) -> None:
    name = ""
    if text.startswith("::") and "::" in text[2:]:
        name, text = text[2:].split("::", 1)
        name, text = " ".join(_unescape(name).split()), text.strip()
    reader = _Reader()
    try:
        prompt, answers, general = _split(text, reader)
        type_name, body, key, notes, rationale = _map(prompt, answers, general, reader)
    except Unmappable as exc:
        shown = f'"{name}" ' if name else ""
        collector.skip(block.line, f"{shown}{exc}")
        return
    metadata = read_metadata(block.comments)
    given = "" if metadata.id_problem() else metadata.item_id
    if given and collector.is_taken(given):
        notes.append(f"its id {given!r} is taken by an earlier question")
    elif metadata.id_problem():
        notes.append(metadata.id_problem())
    item = new_item(
        item_id=given or stable_id(name, prompt),
        type_name=type_name,
        title=name or prompt,
        body=body,
        key=key,
        section=section,
        tags=[*tags, *metadata.tags],
        rationale=rationale,
    )
    collector.add(block.line, item, [*notes, *(f"left out {lost}" for lost in dict.fromkeys(reader.lost))])


def _split(text: str, reader: _Reader) -> tuple[str, str | None, str]:
    """(question text, answer text or None for a description, general feedback)."""
    text = reader.question_format(text)
    start, finish = text.find("{"), text.find("}")
    if start < 0 and finish < 0:
        return reader.text(text), None, ""
    if start < 0 or finish < start:
        raise Unmappable("has unbalanced braces { }: its answers cannot be read")
    answers = text[start + 1 : finish].strip()
    blank = "" if text.endswith("}") else "_____"
    question = text[:start] + blank + text[finish + 1 :]
    general = ""
    if "####" in answers:
        answers, general = answers.rsplit("####", 1)
        answers = answers.strip()
    return reader.text(question), answers, reader.text(general)


def _map(
    prompt: str, answers: str | None, general: str, reader: _Reader
) -> tuple[str, dict[str, Any], dict[str, Any], list[str], str]:
    if answers is None:
        raise Unmappable("is a description (no answers in braces): there is nothing to answer")
    if not prompt:
        raise Unmappable("has no question text")
    if answers == "":
        return "written", {"prompt": prompt}, holistic_rubric(Decimal(1), DESCRIPTION), [], general
    if answers.startswith("#"):
        return (*_numerical(prompt, answers[1:], reader), general)
    if "~" in answers:
        type_name, body, key, notes, right = _multichoice(prompt, answers, reader)
        return type_name, body, key, notes, general or right
    if "=" in answers and "->" in answers:
        raise Unmappable("is a matching question (pairs), which has no assess type")
    word = answers.split("#", 1)[0].strip()
    if word in TRUE_FALSE_WORDS:
        feedback = answers.split("#")
        # "{FALSE#shown when wrong#shown when right}": either explains the key.
        right = next((reader.text(f) for f in reversed(feedback[1:3]) if f.strip()), "")
        key = single_choice_key(TRUE_FALSE_WORDS[word], Decimal(1))
        return "single_choice", {"prompt": prompt, "options": TRUE_FALSE}, key, [], general or right
    return (*_shortanswer(prompt, answers, reader), general)


def _answers(answers: str, reader: _Reader, default: Decimal, separators: str) -> list[Answer]:
    parts = re.split(f"(?=[{re.escape(separators)}])", answers)
    found = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        weight = Decimal(100) if part.startswith("=") else Decimal(0) if part.startswith("~") else default
        part = part[1:].strip() if part[0] in separators else part
        match = WEIGHT.match(part)
        if match:
            weight, part = Decimal(match.group(1)), part[match.end() :]
        text, _, feedback = part.partition("#")
        found.append(Answer(weight, reader.text(text), reader.text(feedback)))
    return found


def _multichoice(
    prompt: str, answers: str, reader: _Reader
) -> tuple[str, dict[str, Any], dict[str, Any], list[str], str]:
    found = _answers(answers, reader, Decimal(0), "=~")
    if len(found) < 2:
        raise Unmappable(f"has {len(found)} answer(s); a choice question needs at least 2")
    ids = letter_ids(len(found))
    options = [{"id": i, "text": a.text} for i, a in zip(ids, found, strict=True)]
    weights = {i: a.weight for i, a in zip(ids, found, strict=True)}
    if "=" not in answers:
        body, key = select_all_question(prompt, options, weights, Decimal(1))
        return "record_entry", body, key, [], ""
    full = [i for i, w in weights.items() if w >= 100]
    if len(full) != 1:
        raise Unmappable(f"has {len(full)} right answers (=); a single-answer question keys exactly one")
    key, notes = single_answer_key(full[0], weights, Decimal(1))
    right_feedback = found[ids.index(full[0])].feedback
    return "single_choice", {"prompt": prompt, "options": options}, key, notes, right_feedback


def _shortanswer(
    prompt: str, answers: str, reader: _Reader
) -> tuple[str, dict[str, Any], dict[str, Any], list[str]]:
    found = [a for a in _answers(answers, reader, Decimal(100), "=") if not (a.text == "*" and a.weight <= 0)]
    full = [a.text for a in found if a.weight >= 100]
    if not full:
        raise Unmappable("has no answer worth 100%")
    if any("*" in text for text in full):
        raise Unmappable("accepts a wildcard (*) answer; assess compares answers literally")
    notes = partial_answer_notes({a.text: a.weight for a in found if 0 < a.weight < 100}, Decimal(100), full)
    body, key = text_question(prompt, full[0], full[1:], Decimal(1))
    return "record_entry", body, key, notes


def _numerical(
    prompt: str, answers: str, reader: _Reader
) -> tuple[str, dict[str, Any], dict[str, Any], list[str]]:
    found = _answers(answers, reader, Decimal(100), "=~")
    full = [a for a in found if a.weight >= 100]
    if not full:
        raise Unmappable("has no numeric answer worth 100%")
    notes = [
        f"the answer {a.text!r} earns {a.weight}% in the source; assess numbers are right or wrong, "
        "so it earns nothing"
        for a in found
        if 0 < a.weight < 100
    ]
    return "numeric", {"prompt": prompt}, numeric_key([_number(a.text) for a in full], Decimal(1)), notes


def _number(text: str) -> tuple[Decimal, Decimal]:
    """GIFT's "value", "value:tolerance" or "min..max" as (value, tolerance)."""
    try:
        if ".." in text:
            low, high = (Decimal(p.strip()) for p in text.split("..", 1))
            return (low + high) / 2, abs(high - low) / 2
        if ":" in text:
            value, tolerance = (Decimal(p.strip()) for p in text.split(":", 1))
            return value, abs(tolerance)
        return Decimal(text.strip()), Decimal(0)
    except InvalidOperation:
        raise Unmappable(f"its answer {text!r} is not a number") from None
