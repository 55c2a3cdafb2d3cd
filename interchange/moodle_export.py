"""Bank items -> one Moodle XML quiz: scored choices, numbers with a tolerance and rubric-marked text.

Each section becomes a category (``$course$/<section>``) written before its questions; the
item id is the question's ``idnumber``, the title its name, the rationale its general
feedback and tags its tags. Moodle has no expected time per question, so minutes are not
carried, and its answers have no ids, so options come back as a, b, c.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from lxml import etree

from interchange.key_markup import written_key
from interchange.markup import html_paragraphs
from interchange.results import ExportProblem, ExportResult, NoTarget, shape_and_writer
from interchange.targets import TRUE_FALSE, letter_ids
from items.bank import ItemVersion
from items.shapes import (
    DrawnNumber,
    MarkedPassage,
    NoFaithfulTarget,
    NumberWithTolerance,
    Ordering,
    PerOptionRating,
    ScoredChoice,
    Selection,
    Shape,
    TextWithRubric,
    TypedTexts,
)
from items.values import plain_decimal

# Moodle imports answer fractions only from its list of grade steps (in percent).
GRADE_STEPS = frozenset(
    Decimal(step)
    for step in (
        "100", "90", "83.33333", "80", "75", "70", "66.66667", "60", "50", "40", "33.33333", "30",
        "25", "20", "16.66667", "14.28571", "12.5", "11.11111", "10", "5", "0",
    )
)  # fmt: skip


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def _text_field(parent: etree._Element, tag: str, html: str) -> etree._Element:
    field = _sub(parent, tag, format="html")
    _sub(field, "text", html)
    return field


def _question(item: ItemVersion) -> tuple[etree._Element, list[str]]:
    shape, writer = shape_and_writer(item, WRITERS, "Moodle")
    question = etree.Element("question")
    _sub(_sub(question, "name"), "text", item.title)
    notes = writer(question, item, shape)
    if item.tags:
        tags = _sub(question, "tags")
        for tag in item.tags:
            _sub(_sub(tags, "tag"), "text", tag)
    return question, notes


def _common(question: etree._Element, item: ItemVersion, text: str, grade: Decimal) -> None:
    _text_field(question, "questiontext", text)
    _text_field(question, "generalfeedback", html_paragraphs(item.rationale))
    _sub(question, "defaultgrade", plain_decimal(grade))
    _sub(question, "penalty", "0")
    _sub(question, "hidden", "0")
    _sub(question, "idnumber", item.item_id)


def _answer(question: etree._Element, fraction: Decimal, html: str, fmt: str = "html") -> etree._Element:
    answer = _sub(question, "answer", fraction=plain_decimal(fraction), format=fmt)
    _sub(answer, "text", html)
    _text_field(answer, "feedback", "")
    return answer


def _truefalse(question: etree._Element, item: ItemVersion, choice: ScoredChoice) -> list[str]:
    question.set("type", "truefalse")
    _common(question, item, html_paragraphs(choice.prompt), choice.points)
    for option in choice.options:
        _answer(
            question, Decimal(100 if option.id == choice.correct else 0), option.id, fmt="moodle_auto_format"
        )
    return []


def _multichoice(question: etree._Element, item: ItemVersion, choice: ScoredChoice) -> list[str]:
    if [o.model_dump() for o in choice.options] == TRUE_FALSE and not choice.credit:
        return _truefalse(question, item, choice)
    question.set("type", "multichoice")
    _common(question, item, html_paragraphs(choice.prompt), choice.points)
    _sub(question, "single", "true")
    _sub(question, "shuffleanswers", "true")
    _sub(question, "answernumbering", "abc")
    notes = []
    for option in choice.options:
        if option.id == choice.correct:
            fraction = Decimal(100)
        else:
            share = choice.credit.get(option.id, Decimal(0)) * 100 / choice.points
            fraction = share.quantize(Decimal("0.00001")).normalize()
            if fraction not in GRADE_STEPS:
                notes.append(f"option {option.id} earns {fraction}%, not one of Moodle's grade steps")
        _answer(question, fraction, html_paragraphs(option.text))
    if [o.id for o in choice.options] != letter_ids(len(choice.options)):
        notes.append("Moodle answers have no ids: the options will come back as a, b, c, ...")
    return notes


def _numerical(question: etree._Element, item: ItemVersion, number_: NumberWithTolerance) -> list[str]:
    question.set("type", "numerical")
    _common(question, item, html_paragraphs(number_.prompt), number_.points)
    tolerance = max(number_.tolerance, number_.relative_tolerance * abs(number_.value))
    answer = _answer(question, Decimal(100), plain_decimal(number_.value), fmt="moodle_auto_format")
    _sub(answer, "tolerance", plain_decimal(tolerance))
    for value, allowed in number_.also:
        other = _answer(question, Decimal(100), plain_decimal(value), fmt="moodle_auto_format")
        _sub(other, "tolerance", plain_decimal(allowed))
    notes = []
    if number_.relative_tolerance:
        notes.append(
            f"the relative tolerance is written as the absolute ±{plain_decimal(tolerance)} "
            "it allows for this key"
        )
    if number_.unit != "plain":
        units = _sub(question, "units")
        unit = _sub(units, "unit")
        _sub(unit, "multiplier", "1")
        _sub(unit, "unit_name", number_.symbol if number_.unit == "currency" else "%")
    _sub(question, "unitgradingtype", "0")
    _sub(question, "unitpenalty", "0")
    _sub(question, "showunits", "3" if number_.unit == "plain" else "0")
    _sub(question, "unitsleft", "1" if number_.unit == "currency" else "0")
    if number_.label != "Your answer":
        notes.append(f"the answer label {number_.label!r} has no Moodle field")
    return notes


def _essay(question: etree._Element, item: ItemVersion, written: TextWithRubric) -> list[str]:
    question.set("type", "essay")
    material = (
        f'<div class="assess-material">{html_paragraphs(written.material)}</div>' if written.material else ""
    )
    _common(question, item, material + html_paragraphs(written.prompt), written.max_points)
    _sub(question, "responseformat", "editor")
    _sub(question, "responserequired", "1")
    _sub(question, "responsefieldlines", "15")
    _sub(question, "minwordlimit", str(written.min_words or ""))
    _sub(question, "maxwordlimit", str(written.max_words or ""))
    _sub(question, "attachments", "0")
    _sub(question, "attachmentsrequired", "0")
    grader = etree.tostring(written_key(written), encoding="unicode", method="html")
    _text_field(question, "graderinfo", grader)
    _text_field(question, "responsetemplate", "")
    return []


# The labels assess's importers give these fields: Moodle showing its own loses nothing.
IMPORTED_LABELS = frozenset({"Answer", "Select every option that applies"})


def _label_notes(label: str, hint: str = "") -> list[str]:
    notes = [] if label in IMPORTED_LABELS else [f"the field label {label!r} has no Moodle field"]
    return notes + ([f"the hint {hint!r} has no Moodle field"] if hint else [])


def _shortanswer(question: etree._Element, item: ItemVersion, texts: TypedTexts) -> list[str]:
    if len(texts.gaps) > 1:
        raise NoTarget(
            f"{item.type} has no Moodle form: it has {len(texts.gaps)} typed fields and a Moodle short "
            "answer has one (embedded-answer questions are not exported)"
        )
    [gap] = texts.gaps
    question.set("type", "shortanswer")
    _common(question, item, html_paragraphs(texts.prompt), gap.points)
    _sub(question, "usecase", "1" if gap.case_sensitive else "0")
    for accepted in gap.accepted:
        # A bare * is Moodle's wildcard; \* is the character itself.
        _answer(question, Decimal(100), accepted.replace("*", "\\*"), fmt="moodle_auto_format")
    return _label_notes(gap.label, gap.hint)


def _multiple_answers(question: etree._Element, item: ItemVersion, selection: Selection) -> list[str]:
    """Select all that apply as answers worth 100/n % each when right and -100/n % when wrong.

    Moodle adds the fractions of the chosen answers and keeps the sum within 0 and 100 %,
    which is assess's +w per right option and -w per wrong one, from 0.
    """
    if selection.all_or_nothing:
        raise NoTarget(
            f"{item.type} has no Moodle form: it scores the selection all-or-nothing, and Moodle "
            "adds a share per answer"
        )
    share = (Decimal(100) / len(selection.right)).quantize(Decimal("0.00001")).normalize()
    if share not in GRADE_STEPS:
        raise NoTarget(
            f"{item.type} has no Moodle form: {len(selection.right)} right options would each earn "
            f"{plain_decimal(share)}%, which is not one of Moodle's grade steps"
        )
    question.set("type", "multichoice")
    _common(question, item, html_paragraphs(selection.prompt), selection.points * len(selection.right))
    _sub(question, "single", "false")
    _sub(question, "shuffleanswers", "true")
    _sub(question, "answernumbering", "abc")
    for option in selection.options:
        fraction = share if option.id in selection.right else -share
        _answer(question, fraction, html_paragraphs(option.text))
    notes = _label_notes(selection.label)
    if [o.id for o in selection.options] != letter_ids(len(selection.options)):
        notes.append("Moodle answers have no ids: the options will come back as a, b, c, ...")
    return notes


#: What Moodle holds each shape as: a writer, or why it cannot.
WRITERS: dict[type[Shape], Callable[[etree._Element, ItemVersion, Any], list[str]] | NoFaithfulTarget] = {
    ScoredChoice: _multichoice,
    NumberWithTolerance: _numerical,
    DrawnNumber: NoFaithfulTarget(
        "numbers drawn per attempt with a formula key have no Moodle numerical form"
    ),
    TextWithRubric: _essay,
    Ordering: NoFaithfulTarget(
        "Moodle's ordering question is not exported (assess scores by distance from the model ranking)"
    ),
    PerOptionRating: NoFaithfulTarget(
        "Moodle has no question that rates each option on a scale against expert ratings"
    ),
    MarkedPassage: NoFaithfulTarget("Moodle has no mark-the-errors-in-a-passage question"),
    TypedTexts: _shortanswer,
    Selection: _multiple_answers,
}


def export_moodle(items: Iterable[ItemVersion]) -> ExportResult:
    """One Moodle XML quiz of every item with a Moodle form; the rest reported."""
    quiz = etree.Element("quiz")
    exported: list[str] = []
    problems: list[ExportProblem] = []
    section = None
    for item in items:
        try:
            question, notes = _question(item)
        except NoTarget as exc:
            problems.append(ExportProblem(item.item_id, item.source, f"not exported: {exc}"))
            continue
        if item.section != section:
            section = item.section
            category = _sub(quiz, "question", type="category")
            _sub(_sub(category, "category"), "text", f"$course$/{section}")
        quiz.append(question)
        exported.append(item.item_id)
        problems.extend(
            ExportProblem(item.item_id, item.source, f"exported, but {n}", exported=True) for n in notes
        )
    data = etree.tostring(quiz, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return ExportResult(data, exported, problems)
