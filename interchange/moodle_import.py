"""Moodle XML quizzes -> bank items: multichoice, truefalse, shortanswer, numerical, essay, categories.

A category question sets the section (innermost category) and tags (the outer ones) of the
questions after it. Problems are located by the line of the ``<question>`` element.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from lxml import etree

from interchange.bank_items import (
    DEFAULT_SECTION,
    Collector,
    new_item,
    section_and_tags,
    stable_id,
)
from interchange.choice_weights import select_all_question, single_answer_key
from interchange.key_markup import read_written_key
from interchange.markup import TextReader, find_class, html_fragment
from interchange.moodle_files import unshown_files
from interchange.results import ImportResult, InterchangeError, Progress, UnsafeXml
from interchange.safe_xml import MAX_XML_BYTES, local_name, parse_xml
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
from interchange.text_formats import MOODLE_XML_FORMATS, bank_text

UNSUPPORTED = {
    "description": "is a description, not a question: there is nothing to answer",
    "matching": "is a matching question (pairs), which has no assess type",
    "match": "is a matching question (pairs), which has no assess type",
    "ddmatch": "is a drag-and-drop matching question (pairs), which has no assess type",
    "cloze": "is an embedded-answers (cloze) question with several blanks; an assess item asks one question",
    "randomsamatch": "is a random short-answer matching question, which has no assess type",
    "multianswer": "is an embedded-answers (cloze) question with several blanks; an assess item asks "
    "one question",
    "calculated": "is a calculated question (wildcards and data sets), which has no assess type",
    "calculatedsimple": "is a simple calculated question (wildcards), which has no assess type",
    "calculatedmulti": "is a calculated multichoice question, which has no assess type",
    "ddwtos": "is a drag-and-drop-into-text question, which has no assess type",
    "gapselect": "is a select-missing-words question with several gaps; an assess item asks one question",
    "ddimageortext": "is a drag-and-drop-onto-image question, which has no assess type",
    "ddmarker": "is a drag-and-drop-markers question, which has no assess type",
    "ordering": "is an ordering question; assess imports orders from QTI only",
    "random": "is a random question (drawn from a category), not a question of its own",
}


class _Question:
    """One ``<question>`` element and how to read its text fields."""

    def __init__(self, element: etree._Element) -> None:
        self.element = element
        self.kind = element.get("type") or ""
        self.lost: list[str] = []
        self.name = self.text("name", plain=True)

    def child(self, name: str) -> etree._Element | None:
        return self.element.find(name)

    def value(self, name: str, default: str = "") -> str:
        found = self.element.find(name)
        return " ".join("".join(found.itertext()).split()) if found is not None else default

    def text(self, name: str, plain: bool = False) -> str:
        """A text field (``<name format=..><text>..</text></name>``) as bank text; ``plain`` for names."""
        return self.read(self.element.find(name), plain)

    def read(self, field: etree._Element | None, plain: bool = False) -> str:
        if field is None:
            return ""
        holder = field.find("text")
        raw = "".join(holder.itertext()) if holder is not None else ""
        text_format = "plain" if plain else MOODLE_XML_FORMATS.get(field.get("format") or "html", "html")
        reader = TextReader(skip=lambda e: "assess-material" in (e.get("class") or "").split())
        text = bank_text(raw, text_format, reader)
        self.lost.extend(reader.lost)
        return text

    def material(self) -> str:
        """assess's material block inside the question text (exported essays), else ''."""
        field = self.element.find("questiontext")
        holder = field.find("text") if field is not None else None
        if holder is None:
            return ""
        block = find_class(html_fragment("".join(holder.itertext())), "assess-material")
        return TextReader().text(block) if block is not None else ""

    def points(self) -> Decimal:
        grade = _decimal(self.value("defaultgrade", "1"), "defaultgrade")
        if grade <= 0:
            raise Unmappable("is worth 0 points: there is nothing to score")
        return grade.normalize() if grade == grade.to_integral_value() else grade

    def answers(self) -> list[tuple[Decimal, str, etree._Element]]:
        """(fraction in percent, answer text, element) per ``<answer>``."""
        return [
            (_decimal(a.get("fraction") or "0", "answer fraction"), self.read(a), a)
            for a in self.element.findall("answer")
        ]


def _decimal(text: str, what: str) -> Decimal:
    try:
        return Decimal(text.strip() or "0")
    except InvalidOperation:
        raise Unmappable(f"its {what} {text!r} is not a number") from None


def import_moodle(path: Path, progress: Progress | None = None) -> ImportResult:
    """Every question of a Moodle XML file, or why it was not imported."""
    try:
        if path.stat().st_size > MAX_XML_BYTES:
            raise UnsafeXml(str(path), f"is larger than {MAX_XML_BYTES // (1024 * 1024)} MB; refused")
        data = path.read_bytes()
    except OSError as exc:
        raise InterchangeError(str(path), f"cannot be read: {exc.strerror or exc}") from None
    root = parse_xml(data, str(path))
    if local_name(root) != "quiz":
        raise InterchangeError(
            str(path), f"is not Moodle XML: its root element is <{local_name(root)}>, not <quiz>"
        )
    questions = [q for q in root if local_name(q) == "question"]
    collector = Collector(str(path), progress)
    section, tags = DEFAULT_SECTION, list[str]()
    for element in questions:
        question = _Question(element)
        if question.kind == "category":
            section, tags = section_and_tags(question.text("category", plain=True))
        else:
            _import_question(question, section, tags, collector)
        collector.tick(len(questions))
    return collector.result()


def _import_question(question: _Question, section: str, tags: list[str], collector: Collector) -> None:
    line = question.element.sourceline or 0
    shown = f'"{question.name}" ({question.kind or "no type"})'
    mapper = MAPPERS.get(question.kind)
    if mapper is None:
        reason = UNSUPPORTED.get(
            question.kind, f"is a Moodle {question.kind!r} question, which has no assess type"
        )
        collector.skip(line, f"{shown} {reason}")
        return
    try:
        type_name, body, key, notes = mapper(question)
    except Unmappable as exc:
        collector.skip(line, f"{shown} {exc}")
        return
    own_tags = [" ".join("".join(t.itertext()).split()) for t in question.element.iterfind("tags/tag/text")]
    item = new_item(
        item_id=stable_id(question.value("idnumber"), question.name, str(body.get("prompt", ""))),
        type_name=type_name,
        title=question.name or str(body.get("prompt", "")),
        body=body,
        key=key,
        section=section,
        tags=[*tags, *(t for t in own_tags if t)],
        rationale=question.text("generalfeedback"),
    )
    lost = [f"left out {lost}" for lost in dict.fromkeys([*question.lost, *unshown_files(question.element)])]
    collector.add(line, item, [*notes, *lost])


Mapping = tuple[str, dict[str, Any], dict[str, Any], list[str]]


def _multichoice(question: _Question) -> Mapping:
    answers = question.answers()
    ids = letter_ids(len(answers))
    options = [{"id": i, "text": text} for i, (_, text, _) in zip(ids, answers, strict=True)]
    if any(not o["text"] for o in options):
        raise Unmappable("has an answer with no text")
    if len(options) < 2:
        raise Unmappable(f"has {len(options)} answer(s); a choice question needs at least 2")
    prompt = question.text("questiontext")
    points = question.points()
    fractions = {i: fraction for i, (fraction, _, _) in zip(ids, answers, strict=True)}
    if question.value("single", "true").lower() in {"false", "0"}:
        body, key = select_all_question(prompt, options, fractions, points)
        return "record_entry", body, key, []
    full = [i for i, f in fractions.items() if f >= 100]
    if len(full) != 1:
        raise Unmappable(f"has {len(full)} answers worth 100%; a single-answer question keys exactly one")
    key, notes = single_answer_key(full[0], fractions, points)
    return "single_choice", {"prompt": prompt, "options": options}, key, notes


def _truefalse(question: _Question) -> Mapping:
    correct = [text.strip().lower() for fraction, text, _ in question.answers() if fraction >= 100]
    if len(correct) != 1 or correct[0] not in {"true", "false"}:
        raise Unmappable("does not key exactly one of true and false")
    body = {"prompt": question.text("questiontext"), "options": TRUE_FALSE}
    return "single_choice", body, single_choice_key(correct[0], question.points()), []


def _shortanswer(question: _Question) -> Mapping:
    answers = [(f, t) for f, t, _ in question.answers() if not (t.strip() == "*" and f <= 0)]
    full = [t for f, t in answers if f >= 100]
    if not full:
        raise Unmappable("has no answer worth 100%")
    wild = [t for f, t in answers if "*" in t]
    if any(t in full for t in wild):
        raise Unmappable(f"accepts the wildcard pattern {wild[0]!r}; assess compares answers literally")
    case_sensitive = question.value("usecase", "0") == "1"
    partial = {t: f for f, t in answers if 0 < f < 100}
    notes = partial_answer_notes(partial, Decimal(100), full, case_sensitive)
    prompt = question.text("questiontext")
    body, key = text_question(prompt, full[0], full[1:], question.points(), case_sensitive)
    return "record_entry", body, key, notes


def _numerical(question: _Question) -> Mapping:
    answers = [(f, t, a) for f, t, a in question.answers() if t.strip() not in {"", "*"}]
    accepted = [
        (_decimal(t, "answer"), _decimal(_tolerance(a), "tolerance")) for f, t, a in answers if f >= 100
    ]
    if not accepted:
        raise Unmappable("has no answer worth 100%")
    notes = [
        f"the answer {t!r} earns {f}% in the source; assess numbers are right or wrong, so it earns nothing"
        for f, t, _ in answers
        if 0 < f < 100
    ]
    body: dict[str, Any] = {"prompt": question.text("questiontext")}
    notes.extend(_units(question, body))
    return "numeric", body, numeric_key(accepted, question.points()), notes


def _tolerance(answer: etree._Element) -> str:
    found = answer.find("tolerance")
    return "".join(found.itertext()).strip() if found is not None else "0"


def _units(question: _Question, body: dict[str, Any]) -> list[str]:
    units = [
        (u.findtext("unit_name") or "").strip()
        for u in question.element.iterfind("units/unit")
        if _decimal(u.findtext("multiplier") or "1", "unit multiplier") == 1
    ]
    others = len(question.element.findall("units/unit")) - len(units)
    notes = [f"{others} unit(s) with multipliers are not kept"] if others else []
    if not units or not units[0]:
        return notes
    unit = units[0]
    if unit == "%":
        body["unit"] = "percent"
    elif question.value("unitsleft", "0") == "1" and len(unit) <= 3:
        body["unit"], body["symbol"] = "currency", unit
    else:
        body["label"] = f"Your answer ({unit})"
        notes.append(f"the unit {unit!r} is shown in the label, not checked")
    return notes


def _essay(question: _Question) -> Mapping:
    if question.value("responseformat", "editor") == "noinline":
        raise Unmappable("asks for file attachments only; assess has no file upload")
    notes = (
        ["file attachments are not carried"] if question.value("attachments", "0") not in {"0", ""} else []
    )
    prompt, material = question.text("questiontext"), question.material()
    body: dict[str, Any] = {"prompt": prompt}
    if material:
        body["material"] = material
    for field, name in (("minwordlimit", "min_words"), ("maxwordlimit", "max_words")):
        limit = question.value(field)
        if limit.isdigit() and int(limit) > 0:
            body[name] = int(limit)
    grader = question.child("graderinfo")
    holder = grader.find("text") if grader is not None else None
    markup = html_fragment("".join(holder.itertext())) if holder is not None else None
    key = read_written_key(markup) if markup is not None else None
    if key is None:
        described = question.read(grader) or "Judged as a whole by the reviewer (the source gave no rubric)."
        key = holistic_rubric(question.points(), described)
    return "written", body, key, notes


MAPPERS: dict[str, Callable[[_Question], Mapping]] = {
    "multichoice": _multichoice,
    "truefalse": _truefalse,
    "shortanswer": _shortanswer,
    "numerical": _numerical,
    "essay": _essay,
}
