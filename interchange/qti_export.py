"""Bank items -> QTI 3.0: one ``qti-assessment-item`` per item in a zipped IMS content package.

The package holds ``imsmanifest.xml`` (each item a resource, with its expected time and
tags as LOM metadata), ``assessment.xml`` (a test whose sections are the items' sections)
and ``items/<id>.xml``. What QTI has no field for travels in class-named markup that
assess reads back: the entry's unit and label, a ranking's end labels, and keys for
scorers only (``qti-rubric-block view="scorer"``: rubrics, error kinds, corrections).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from lxml import etree

from interchange.key_markup import proofreading_key, written_key
from interchange.markup import append_paragraphs, fill_lines, paragraphs
from interchange.qti_manifest import (
    ITEM_SCHEMA,
    TEST_FILE,
    XSI,
    manifest_xml,
    qti_id,
    test_xml,
)
from interchange.qti_package import QTI3
from interchange.results import ExportProblem, ExportResult, NoTarget, shape_and_writer
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

TEMPLATES = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/"
# A fixed timestamp keeps the package byte-for-byte reproducible (and reads no clock).
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _q(tag: str) -> str:
    return f"{{{QTI3}}}{tag}"


def _sub(
    parent: etree._Element, tag: str, attributes: dict[str, str] | None = None, text: str = ""
) -> etree._Element:
    element = etree.SubElement(parent, _q(tag), attributes or {})
    if text:
        element.text = text
    return element


class _ItemXml:
    """An item being built: declarations first, then the body, then response processing."""

    def __init__(self, item: ItemVersion) -> None:
        self.root = etree.Element(_q("qti-assessment-item"), nsmap={None: QTI3, "xsi": XSI})
        self.root.set(f"{{{XSI}}}schemaLocation", f"{QTI3} {ITEM_SCHEMA}")
        for name, value in (("identifier", qti_id(item.item_id)), ("title", item.title)):
            self.root.set(name, value)
        self.root.set("adaptive", "false")
        self.root.set("time-dependent", "false")
        self.body = etree.Element(_q("qti-item-body"))
        self.processing: etree._Element | None = None
        self.notes: list[str] = []
        if item.rationale.strip():
            self.scorer_block("assess-rationale").append(_paragraphs(item.rationale))

    def response(
        self,
        identifier: str,
        cardinality: str,
        base_type: str,
        correct: list[str] | None = None,
        mapping: dict[str, Decimal] | None = None,
        case_sensitive: bool = True,
        **bounds: Decimal,
    ) -> None:
        declaration = _sub(self.root, "qti-response-declaration")
        for name, value in (
            ("identifier", identifier),
            ("cardinality", cardinality),
            ("base-type", base_type),
        ):
            declaration.set(name, value)
        if correct:
            values = _sub(declaration, "qti-correct-response")
            for value in correct:
                _sub(values, "qti-value", text=value)
        if mapping is not None:
            attributes = {name.replace("_", "-"): plain_decimal(value) for name, value in bounds.items()}
            mapped = _sub(declaration, "qti-mapping", attributes)
            for key, points in mapping.items():
                entry = _sub(mapped, "qti-map-entry", {"map-key": key, "mapped-value": plain_decimal(points)})
                if not case_sensitive:
                    entry.set("case-sensitive", "false")

    def outcomes(self, max_score: Decimal, human: bool = False) -> None:
        score = _sub(self.root, "qti-outcome-declaration", {"identifier": "SCORE", "cardinality": "single"})
        score.set("base-type", "float")
        if human:
            score.set("external-scored", "human")
        top = _sub(self.root, "qti-outcome-declaration", {"identifier": "MAXSCORE", "cardinality": "single"})
        top.set("base-type", "float")
        _sub(_sub(top, "qti-default-value"), "qti-value", text=plain_decimal(max_score))

    def template(self, name: str) -> None:
        self.processing = etree.Element(_q("qti-response-processing"), {"template": f"{TEMPLATES}{name}.xml"})

    def scorer_block(self, css: str) -> etree._Element:
        block = etree.Element(_q("qti-rubric-block"), {"view": "scorer", "class": css, "use": "scoring"})
        self.body.insert(0, block)
        return _sub(block, "qti-content-body")

    def finish(self) -> etree._Element:
        self.root.append(self.body)
        if self.processing is not None:
            self.root.append(self.processing)
        return self.root


def _paragraphs(text: str) -> etree._Element:
    holder = etree.Element(_q("div"))
    append_paragraphs(holder, text, QTI3)
    return holder


def _inline(element: etree._Element, text: str) -> None:
    """Text as inline content: lines joined by ``<br/>``, paragraphs by two."""
    lines: list[str] = []
    for block in paragraphs(text):
        lines.extend([*([""] if lines else []), *block])
    fill_lines(element, lines, _q(""))


def item_xml(item: ItemVersion) -> tuple[etree._Element, list[str]]:
    """The QTI 3.0 item for ``item`` and what other QTI players will treat differently."""
    shape, writer = shape_and_writer(item, WRITERS, "QTI")
    xml = _ItemXml(item)
    writer(xml, shape)
    return xml.finish(), xml.notes


def _single_choice(xml: _ItemXml, choice: ScoredChoice) -> None:
    mapping = {qti_id(choice.correct): choice.points, **{qti_id(o): p for o, p in choice.credit.items()}}
    correct = [qti_id(choice.correct)]
    xml.response("RESPONSE", "single", "identifier", correct, mapping, default_value=Decimal(0))
    xml.outcomes(choice.points)
    append_paragraphs(xml.body, choice.prompt, QTI3)
    interaction = _sub(xml.body, "qti-choice-interaction", {"response-identifier": "RESPONSE"})
    interaction.set("shuffle", "false")
    interaction.set("max-choices", "1")
    for option in choice.options:
        _inline(_sub(interaction, "qti-simple-choice", {"identifier": qti_id(option.id)}), option.text)
    xml.template("map_response")


def _labelled_entry(xml: _ItemXml, label: str) -> etree._Element:
    """A paragraph naming what is asked, which assess reads back as the field's label."""
    entry = _sub(xml.body, "p", {"class": "assess-entry"})
    _sub(entry, "span", {"class": "assess-label"}, label).tail = " "
    return entry


def _texts(xml: _ItemXml, texts: TypedTexts) -> None:
    """A text entry per gap, each keyed by a mapping of its accepted answers (case as the key says).

    One gap uses the standard map_response template; several sum each gap's mapped points.
    """
    single = len(texts.gaps) == 1
    ids = {gap.name: "RESPONSE" if single else qti_id(gap.name) for gap in texts.gaps}
    for gap in texts.gaps:
        mapping = dict.fromkeys(gap.accepted, gap.points)
        xml.response(
            ids[gap.name],
            "single",
            "string",
            [gap.accepted[0]],
            mapping,
            gap.case_sensitive,
            default_value=Decimal(0),
        )
    xml.outcomes(sum((gap.points for gap in texts.gaps), Decimal(0)))
    append_paragraphs(xml.body, texts.prompt, QTI3)
    for gap in texts.gaps:
        entry = _sub(_labelled_entry(xml, gap.label), "qti-text-entry-interaction")
        entry.set("response-identifier", ids[gap.name])
        if gap.hint:
            entry.set("placeholder-text", gap.hint)
    if single:
        xml.template("map_response")
        return
    xml.processing = etree.Element(_q("qti-response-processing"))
    total = _sub(_sub(xml.processing, "qti-set-outcome-value", {"identifier": "SCORE"}), "qti-sum")
    for gap in texts.gaps:
        _sub(total, "qti-map-response", {"identifier": ids[gap.name]})


def _selection(xml: _ItemXml, selection: Selection) -> None:
    """Multiple response: all-or-nothing by matching the correct set, else +w / -w per option from 0."""
    right = [qti_id(option) for option in selection.right]
    if selection.all_or_nothing:
        xml.response("RESPONSE", "multiple", "identifier", right)
        xml.outcomes(selection.points)
    else:
        mapping = {
            qti_id(o.id): selection.points if o.id in selection.right else -selection.points
            for o in selection.options
        }
        xml.response(
            "RESPONSE", "multiple", "identifier", right, mapping,
            lower_bound=Decimal(0), default_value=Decimal(0),
        )  # fmt: skip
        xml.outcomes(selection.points * len(right))
    append_paragraphs(xml.body, selection.prompt, QTI3)
    _labelled_entry(xml, selection.label)
    interaction = _sub(xml.body, "qti-choice-interaction", {"response-identifier": "RESPONSE"})
    interaction.set("shuffle", "false")
    interaction.set("max-choices", "0")
    for option in selection.options:
        _inline(_sub(interaction, "qti-simple-choice", {"identifier": qti_id(option.id)}), option.text)
    if selection.all_or_nothing:
        _all_or_nothing(xml)
    else:
        xml.template("map_response")


def _all_or_nothing(xml: _ItemXml) -> None:
    """MAXSCORE when the response matches the correct one, else 0 (match_correct gives 1, not MAXSCORE)."""
    xml.processing = etree.Element(_q("qti-response-processing"))
    condition = _sub(xml.processing, "qti-response-condition")
    branch = _sub(condition, "qti-response-if")
    match = _sub(branch, "qti-match")
    _sub(match, "qti-variable", {"identifier": "RESPONSE"})
    _sub(match, "qti-correct", {"identifier": "RESPONSE"})
    _sub(
        _sub(branch, "qti-set-outcome-value", {"identifier": "SCORE"}),
        "qti-variable",
        {"identifier": "MAXSCORE"},
    )
    otherwise = _sub(_sub(condition, "qti-response-else"), "qti-set-outcome-value", {"identifier": "SCORE"})
    _sub(otherwise, "qti-base-value", {"base-type": "float"}, "0")


def _point_id(point: int) -> str:
    return f"P{point}" if point >= 0 else f"M{-point}"


def _rating(xml: _ItemXml, rating: PerOptionRating) -> None:
    """One choice interaction per statement over the scale; each maps a point to span - |point - expert|."""
    points = range(rating.minimum, rating.maximum + 1)
    span = rating.maximum - rating.minimum
    for option in rating.options:
        expert = rating.ratings[option.id]
        nearest = min(points, key=lambda p: (abs(p - expert), p))
        mapping = {_point_id(p): Decimal(span) - abs(p - expert) for p in points}
        xml.response(
            qti_id(option.id), "single", "identifier", [_point_id(nearest)], mapping, default_value=Decimal(0)
        )
    xml.outcomes(Decimal(span * len(rating.options)))
    xml.body.set("class", "likert")
    append_paragraphs(xml.body, rating.prompt, QTI3)
    for option in rating.options:
        interaction = _sub(xml.body, "qti-choice-interaction", {"response-identifier": qti_id(option.id)})
        interaction.set("shuffle", "false")
        interaction.set("max-choices", "1")
        _inline(_sub(interaction, "qti-prompt"), option.text)
        for point in points:
            label = rating.labels.get(point, str(point))
            _sub(interaction, "qti-simple-choice", {"identifier": _point_id(point)}, label)
    xml.processing = etree.Element(_q("qti-response-processing"))
    total = _sub(_sub(xml.processing, "qti-set-outcome-value", {"identifier": "SCORE"}), "qti-sum")
    for option in rating.options:
        _sub(total, "qti-map-response", {"identifier": qti_id(option.id)})


def _ranking(xml: _ItemXml, ordering: Ordering) -> None:
    xml.response("RESPONSE", "ordered", "identifier", [qti_id(o) for o in ordering.ranking])
    xml.outcomes(ordering.exact_points or Decimal(1))
    append_paragraphs(xml.body, ordering.prompt, QTI3)
    labels = _sub(xml.body, "p", {"class": "assess-order-labels"}, "Put them in order from ")
    _sub(labels, "span", {"class": "assess-first-label"}, ordering.first_label).tail = " (first) to "
    _sub(labels, "span", {"class": "assess-last-label"}, ordering.last_label).tail = " (last)."
    interaction = _sub(
        xml.body, "qti-order-interaction", {"response-identifier": "RESPONSE", "shuffle": "false"}
    )
    for option in ordering.options:
        _inline(_sub(interaction, "qti-simple-choice", {"identifier": qti_id(option.id)}), option.text)
    if ordering.exact_points is None:
        xml.template("match_correct")
        # The players' rule is match_correct; this scorer-only line says assess's is not.
        _sub(
            xml.scorer_block("assess-scoring"), "p", {"class": "assess-key assess-rule-distance"},
            "Scored by distance: the maximum minus each response's distance from its model place.",
        )  # fmt: skip
        xml.notes.append(
            "QTI players score an order all-or-nothing; assess scores by distance from the model ranking"
        )
    else:
        _all_or_nothing(xml)


def _equal(holder: etree._Element, mode: str, tolerance: Decimal) -> etree._Element:
    """A comparison of the response with what is appended to it next, within ``tolerance``."""
    equal = _sub(holder, "qti-equal", {"tolerance-mode": mode})
    if mode != "exact":
        equal.set("tolerance", f"{plain_decimal(tolerance)} {plain_decimal(tolerance)}")
    _sub(equal, "qti-variable", {"identifier": "RESPONSE"})
    return equal


def _numeric(xml: _ItemXml, answer: NumberWithTolerance) -> None:
    xml.response("RESPONSE", "single", "float", [plain_decimal(answer.value)])
    xml.outcomes(answer.points)
    append_paragraphs(xml.body, answer.prompt, QTI3)
    entry = _sub(xml.body, "p", {"class": f"assess-entry assess-unit-{answer.unit}"})
    _sub(entry, "span", {"class": "assess-label"}, answer.label).tail = " "
    if answer.unit == "currency":
        _sub(entry, "span", {"class": "assess-symbol"}, answer.symbol)
    _sub(entry, "qti-text-entry-interaction", {"response-identifier": "RESPONSE"})
    if answer.unit == "percent":
        _sub(entry, "span", {"class": "assess-symbol"}, "%")
    xml.processing = etree.Element(_q("qti-response-processing"))
    branch = _sub(_sub(xml.processing, "qti-response-condition"), "qti-response-if")
    tests = [("absolute", answer.tolerance), ("relative", answer.relative_tolerance * 100)]
    tests = [(mode, value) for mode, value in tests if value > 0] or [("exact", Decimal(0))]
    holder = _sub(branch, "qti-or") if len(tests) + len(answer.also) > 1 else branch
    for mode, tolerance in tests:
        _sub(_equal(holder, mode, tolerance), "qti-correct", {"identifier": "RESPONSE"})
    # Each other right value, within its own tolerance, as the key's alternatives are scored.
    for value, tolerance in answer.also:
        equal = _equal(holder, "absolute" if tolerance else "exact", tolerance)
        _sub(equal, "qti-base-value", {"base-type": "float"}, plain_decimal(value))
    setting = _sub(branch, "qti-set-outcome-value", {"identifier": "SCORE"})
    _sub(setting, "qti-variable", {"identifier": "MAXSCORE"})


def _written(xml: _ItemXml, written: TextWithRubric) -> None:
    xml.response("RESPONSE", "single", "string")
    xml.outcomes(written.max_points, human=True)
    append_paragraphs(xml.body, written.material, QTI3)
    if written.min_words or written.max_words:
        limits = _sub(xml.body, "p", {"class": "assess-word-limits"}, "Words: ")
        for name, value in (("min-words", written.min_words), ("max-words", written.max_words)):
            if value:
                _sub(
                    limits, "span", {"class": f"assess-{name}"}, str(value)
                ).tail = f" ({name.split('-')[0]}) "
    interaction = _sub(xml.body, "qti-extended-text-interaction", {"response-identifier": "RESPONSE"})
    _inline(_sub(interaction, "qti-prompt"), written.prompt)
    xml.scorer_block("assess-scoring").append(written_key(written, QTI3))


def _proofreading(xml: _ItemXml, passage: MarkedPassage) -> None:
    """Every word is a hottext, as every word can be marked; each seeded error is one hottext."""
    units = _hottext_units(passage)
    ids = {number_: f"h{index}" for index, (_, _, number_) in enumerate(units, 1) if number_ is not None}
    error_ids = [ids[n] for n in range(1, len(passage.errors) + 1)]
    mapping = {identifier: Decimal(1) for identifier in error_ids}
    xml.response(
        "RESPONSE", "multiple", "identifier", error_ids, mapping,
        lower_bound=Decimal(0), default_value=-passage.false_alarm_penalty,
    )  # fmt: skip
    xml.outcomes(Decimal(len(passage.errors)))
    if passage.reference or passage.reference_title != "Account facts":
        reference = _sub(xml.body, "div", {"class": "assess-reference"})
        _sub(reference, "p", {"class": "assess-reference-title"}, passage.reference_title)
        listed = _sub(reference, "ul")
        for fact in passage.reference:
            _sub(listed, "li", text=fact)
    append_paragraphs(xml.body, passage.instructions, QTI3)
    interaction = _sub(
        xml.body, "qti-hottext-interaction", {"response-identifier": "RESPONSE", "max-choices": "0"}
    )
    _passage(interaction, passage.passage, units)
    xml.scorer_block("assess-scoring").append(proofreading_key(passage, error_ids, QTI3))
    xml.template("map_response")
    if passage.ask_corrections:
        xml.notes.append("QTI players will not ask for corrections (they travel only in the scorer-only key)")


def _hottext_units(passage: MarkedPassage) -> list[tuple[int, int, int | None]]:
    """(start, end, error number or None) per hottext: a word, or all the words of one error."""
    owner = {word: number_ for number_, error in enumerate(passage.errors, 1) for word in error.words}
    words = passage.words
    units: list[tuple[int, int, int | None]] = []
    index = 0
    while index < len(words):
        error = owner.get(index)
        last = index
        while error is not None and last + 1 < len(words) and owner.get(last + 1) == error:
            last += 1
        units.append((words[index][0], words[last][1], error))
        index = last + 1
    return units


def _passage(interaction: etree._Element, passage: str, units: list[tuple[int, int, int | None]]) -> None:
    paragraph = _sub(interaction, "p")
    position = 0

    def text(chunk: str) -> None:
        nonlocal paragraph
        for piece in re.split(r"(\n\s*\n|\n)", chunk):
            if piece.strip("\n ") == "" and "\n" in piece:
                paragraph = _sub(interaction, "p") if piece.count("\n") > 1 else paragraph
                if piece.count("\n") == 1:
                    _sub(paragraph, "br")
            elif len(paragraph):
                paragraph[-1].tail = (paragraph[-1].tail or "") + piece
            else:
                paragraph.text = (paragraph.text or "") + piece

    for index, (start, end, _) in enumerate(units, 1):
        text(passage[position:start])
        _sub(paragraph, "qti-hottext", {"identifier": f"h{index}"}, " ".join(passage[start:end].split()))
        position = end
    text(passage[position:])


#: What QTI holds each shape as: a writer, or why it cannot.
WRITERS: dict[type[Shape], Callable[[_ItemXml, Any], None] | NoFaithfulTarget] = {
    ScoredChoice: _single_choice,
    PerOptionRating: _rating,
    Ordering: _ranking,
    NumberWithTolerance: _numeric,
    DrawnNumber: NoFaithfulTarget(
        "numbers drawn per attempt with a formula key need QTI templates, which are not exported"
    ),
    TextWithRubric: _written,
    MarkedPassage: _proofreading,
    TypedTexts: _texts,
    Selection: _selection,
}


def _bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def export_qti(items: Iterable[ItemVersion]) -> ExportResult:
    """A zipped QTI 3.0 content package of every item with a QTI form; the rest reported."""
    files: dict[str, bytes] = {}
    entries: list[ItemVersion] = []
    problems: list[ExportProblem] = []
    for item in items:
        try:
            root, notes = item_xml(item)
        except NoTarget as exc:
            problems.append(ExportProblem(item.item_id, item.source, f"not exported: {exc}"))
            continue
        files[f"items/{item.item_id}.xml"] = _bytes(root)
        entries.append(item)
        problems.extend(
            ExportProblem(item.item_id, item.source, f"exported, but {n}", exported=True) for n in notes
        )
    files["imsmanifest.xml"] = _bytes(manifest_xml(entries))
    files[TEST_FILE] = _bytes(test_xml(entries))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ["imsmanifest.xml", TEST_FILE, *sorted(n for n in files if n.startswith("items/"))]:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    return ExportResult(out.getvalue(), [i.item_id for i in entries], problems)
