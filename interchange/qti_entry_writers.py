"""QTI writers for answers typed or marked: text gaps, a number, a written answer, a proofread passage."""

from __future__ import annotations

import re
from decimal import Decimal

from lxml import etree

from interchange.key_markup import proofreading_key, written_key
from interchange.markup import append_paragraphs
from interchange.qti_item_builder import ItemXml, inline, labelled_entry, qti_tag, sub_element
from interchange.qti_manifest import qti_id
from interchange.qti_package import QTI3
from items.shapes import MarkedPassage, NumberWithTolerance, TextWithRubric, TypedTexts
from items.values import plain_decimal


def write_texts(xml: ItemXml, texts: TypedTexts) -> None:
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
        entry = sub_element(labelled_entry(xml, gap.label), "qti-text-entry-interaction")
        entry.set("response-identifier", ids[gap.name])
        if gap.hint:
            entry.set("placeholder-text", gap.hint)
    if single:
        xml.template("map_response")
        return
    xml.processing = etree.Element(qti_tag("qti-response-processing"))
    total = sub_element(
        sub_element(xml.processing, "qti-set-outcome-value", {"identifier": "SCORE"}), "qti-sum"
    )
    for gap in texts.gaps:
        sub_element(total, "qti-map-response", {"identifier": ids[gap.name]})


def _equal(holder: etree._Element, mode: str, tolerance: Decimal) -> etree._Element:
    """A comparison of the response with what is appended to it next, within ``tolerance``."""
    equal = sub_element(holder, "qti-equal", {"tolerance-mode": mode})
    if mode != "exact":
        equal.set("tolerance", f"{plain_decimal(tolerance)} {plain_decimal(tolerance)}")
    sub_element(equal, "qti-variable", {"identifier": "RESPONSE"})
    return equal


def write_number(xml: ItemXml, answer: NumberWithTolerance) -> None:
    xml.response("RESPONSE", "single", "float", [plain_decimal(answer.value)])
    xml.outcomes(answer.points)
    append_paragraphs(xml.body, answer.prompt, QTI3)
    entry = sub_element(xml.body, "p", {"class": f"assess-entry assess-unit-{answer.unit}"})
    sub_element(entry, "span", {"class": "assess-label"}, answer.label).tail = " "
    if answer.unit == "currency":
        sub_element(entry, "span", {"class": "assess-symbol"}, answer.symbol)
    sub_element(entry, "qti-text-entry-interaction", {"response-identifier": "RESPONSE"})
    if answer.unit == "percent":
        sub_element(entry, "span", {"class": "assess-symbol"}, "%")
    xml.processing = etree.Element(qti_tag("qti-response-processing"))
    branch = sub_element(sub_element(xml.processing, "qti-response-condition"), "qti-response-if")
    tests = [("absolute", answer.tolerance), ("relative", answer.relative_tolerance * 100)]
    tests = [(mode, value) for mode, value in tests if value > 0] or [("exact", Decimal(0))]
    holder = sub_element(branch, "qti-or") if len(tests) + len(answer.also) > 1 else branch
    for mode, tolerance in tests:
        sub_element(_equal(holder, mode, tolerance), "qti-correct", {"identifier": "RESPONSE"})
    # Each other right value, within its own tolerance, as the key's alternatives are scored.
    for value, tolerance in answer.also:
        equal = _equal(holder, "absolute" if tolerance else "exact", tolerance)
        sub_element(equal, "qti-base-value", {"base-type": "float"}, plain_decimal(value))
    setting = sub_element(branch, "qti-set-outcome-value", {"identifier": "SCORE"})
    sub_element(setting, "qti-variable", {"identifier": "MAXSCORE"})


def write_written(xml: ItemXml, written: TextWithRubric) -> None:
    xml.response("RESPONSE", "single", "string")
    xml.outcomes(written.max_points, human=True)
    append_paragraphs(xml.body, written.material, QTI3)
    if written.min_words or written.max_words:
        limits = sub_element(xml.body, "p", {"class": "assess-word-limits"}, "Words: ")
        for name, value in (("min-words", written.min_words), ("max-words", written.max_words)):
            if value:
                sub_element(
                    limits, "span", {"class": f"assess-{name}"}, str(value)
                ).tail = f" ({name.split('-')[0]}) "
    interaction = sub_element(xml.body, "qti-extended-text-interaction", {"response-identifier": "RESPONSE"})
    inline(sub_element(interaction, "qti-prompt"), written.prompt)
    xml.scorer_block("assess-scoring").append(written_key(written, QTI3))


def write_proofreading(xml: ItemXml, passage: MarkedPassage) -> None:
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
        reference = sub_element(xml.body, "div", {"class": "assess-reference"})
        sub_element(reference, "p", {"class": "assess-reference-title"}, passage.reference_title)
        listed = sub_element(reference, "ul")
        for fact in passage.reference:
            sub_element(listed, "li", text=fact)
    append_paragraphs(xml.body, passage.instructions, QTI3)
    interaction = sub_element(
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
    paragraph = sub_element(interaction, "p")
    position = 0

    def text(chunk: str) -> None:
        nonlocal paragraph
        for piece in re.split(r"(\n\s*\n|\n)", chunk):
            if piece.strip("\n ") == "" and "\n" in piece:
                paragraph = sub_element(interaction, "p") if piece.count("\n") > 1 else paragraph
                if piece.count("\n") == 1:
                    sub_element(paragraph, "br")
            elif len(paragraph):
                paragraph[-1].tail = (paragraph[-1].tail or "") + piece
            else:
                paragraph.text = (paragraph.text or "") + piece

    for index, (start, end, _) in enumerate(units, 1):
        text(passage[position:start])
        sub_element(
            paragraph, "qti-hottext", {"identifier": f"h{index}"}, " ".join(passage[start:end].split())
        )
        position = end
    text(passage[position:])
