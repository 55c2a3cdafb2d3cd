"""Bank items -> one Moodle XML quiz: single_choice, numeric and written have Moodle forms.

Each section becomes a category (``$course$/<section>``) written before its questions; the
item id is the question's ``idnumber``, the title its name, the rationale its general
feedback and tags its tags. Moodle has no expected time per question, so minutes are not
carried, and its answers have no ids, so options come back as a, b, c.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from lxml import etree

from interchange.key_markup import number, written_key
from interchange.markup import html_paragraphs
from interchange.results import ExportProblem, ExportResult
from interchange.targets import letter_ids
from items.bank import ItemVersion
from items.types import numeric, single_choice, written

# Moodle imports answer fractions only from its list of grade steps (in percent).
GRADE_STEPS = frozenset(
    Decimal(step)
    for step in (
        "100", "90", "83.33333", "80", "75", "70", "66.66667", "60", "50", "40", "33.33333", "30",
        "25", "20", "16.66667", "14.28571", "12.5", "11.11111", "10", "5", "0",
    )
)  # fmt: skip
NO_TARGET = {
    "sjt_most_least": "Moodle has no most/least-effective question",
    "sjt_rate": "Moodle has no question that rates each option on a scale against expert ratings",
    "sjt_rank": "Moodle's ordering question is not exported (assess scores by distance from the "
    "model ranking)",
    "proofreading": "Moodle has no mark-the-errors-in-a-passage question",
    "record_entry": "a CRM record (typed fields, dates, amounts, flagged rows, ordered lists) has no "
    "Moodle question",
}


class NoTarget(Exception):
    """An item with no faithful Moodle form; the message says why."""


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
    if item.type in NO_TARGET:
        raise NoTarget(f"{item.type} has no Moodle form: {NO_TARGET[item.type]}")
    body, key = item.body, item.key
    question = etree.Element("question")
    _sub(_sub(question, "name"), "text", item.title)
    notes: list[str] = []
    if isinstance(body, single_choice.Body) and isinstance(key, single_choice.Key):
        question.set("type", "multichoice")
        _common(question, item, html_paragraphs(body.prompt), key.points)
        notes = _multichoice(question, body, key)
    elif isinstance(body, numeric.Body) and isinstance(key, numeric.Key):
        if body.params or key.value is None:
            raise NoTarget("numbers drawn per attempt with a formula key have no Moodle numerical form")
        question.set("type", "numerical")
        _common(question, item, html_paragraphs(body.prompt), key.points)
        notes = _numerical(question, body, key)
    elif isinstance(body, written.Body) and isinstance(key, written.Key):
        question.set("type", "essay")
        material = (
            f'<div class="assess-material">{html_paragraphs(body.material)}</div>' if body.material else ""
        )
        _common(question, item, material + html_paragraphs(body.prompt), written.max_points(body, key))
        _essay(question, body, key)
    else:
        raise NoTarget(f"{item.type} has no Moodle form")
    if item.tags:
        tags = _sub(question, "tags")
        for tag in item.tags:
            _sub(_sub(tags, "tag"), "text", tag)
    return question, notes


def _common(question: etree._Element, item: ItemVersion, text: str, grade: Decimal) -> None:
    _text_field(question, "questiontext", text)
    _text_field(question, "generalfeedback", html_paragraphs(item.rationale))
    _sub(question, "defaultgrade", number(grade))
    _sub(question, "penalty", "0")
    _sub(question, "hidden", "0")
    _sub(question, "idnumber", item.item_id)


def _answer(question: etree._Element, fraction: Decimal, html: str, fmt: str = "html") -> etree._Element:
    answer = _sub(question, "answer", fraction=number(fraction), format=fmt)
    _sub(answer, "text", html)
    _text_field(answer, "feedback", "")
    return answer


def _multichoice(question: etree._Element, body: single_choice.Body, key: single_choice.Key) -> list[str]:
    _sub(question, "single", "true")
    _sub(question, "shuffleanswers", "true")
    _sub(question, "answernumbering", "abc")
    notes = []
    for option in body.options:
        if option.id == key.correct:
            fraction = Decimal(100)
        else:
            fraction = (key.credit.get(option.id, Decimal(0)) * 100 / key.points).quantize(Decimal("0.00001"))
            fraction = fraction.normalize()
            if fraction not in GRADE_STEPS:
                notes.append(f"option {option.id} earns {fraction}%, not one of Moodle's grade steps")
        _answer(question, fraction, html_paragraphs(option.text))
    if [o.id for o in body.options] != letter_ids(len(body.options)):
        notes.append("Moodle answers have no ids: the options will come back as a, b, c, ...")
    return notes


def _numerical(question: etree._Element, body: numeric.Body, key: numeric.Key) -> list[str]:
    assert key.value is not None
    tolerance = max(key.tolerance, key.relative_tolerance * abs(key.value))
    answer = _answer(question, Decimal(100), number(key.value), fmt="moodle_auto_format")
    _sub(answer, "tolerance", number(tolerance))
    notes = []
    if key.relative_tolerance:
        notes.append(
            f"the relative tolerance is written as the absolute ±{number(tolerance)} it allows for this key"
        )
    if body.unit != "plain":
        units = _sub(question, "units")
        unit = _sub(units, "unit")
        _sub(unit, "multiplier", "1")
        _sub(unit, "unit_name", body.symbol if body.unit == "currency" else "%")
    _sub(question, "unitgradingtype", "0")
    _sub(question, "unitpenalty", "0")
    _sub(question, "showunits", "3" if body.unit == "plain" else "0")
    _sub(question, "unitsleft", "1" if body.unit == "currency" else "0")
    if body.label != "Your answer":
        notes.append(f"the answer label {body.label!r} has no Moodle field")
    return notes


def _essay(question: etree._Element, body: written.Body, key: written.Key) -> None:
    _sub(question, "responseformat", "editor")
    _sub(question, "responserequired", "1")
    _sub(question, "responsefieldlines", "15")
    _sub(question, "minwordlimit", str(body.min_words or ""))
    _sub(question, "maxwordlimit", str(body.max_words or ""))
    _sub(question, "attachments", "0")
    _sub(question, "attachmentsrequired", "0")
    grader = etree.tostring(written_key(key), encoding="unicode", method="html")
    _text_field(question, "graderinfo", grader)
    _text_field(question, "responsetemplate", "")


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
