"""Keys that QTI and Moodle have no fields for, written as markup only scorers see, and read back.

A written item's rubric and checks, and a proofreading item's error kinds and corrections,
go into a QTI ``qti-rubric-block view="scorer"`` or a Moodle essay's "information for
graders": readable HTML for a person, whose ``class`` names let assess read the key back
exactly (classes rather than ``data-`` attributes, which QTI's schema does not allow
everywhere). A grader's note from another tool, in prose, is read as one rubric criterion.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from interchange.markup import classes, find_class, plain
from items.shapes import MarkedPassage, TextWithRubric
from items.values import plain_decimal

KEY_CLASS = "assess-key"


class _Writer:
    def __init__(self, ns: str | None) -> None:
        self.prefix = f"{{{ns}}}" if ns else ""

    def root(self) -> etree._Element:
        return etree.Element(f"{self.prefix}div", {"class": KEY_CLASS})

    def sub(
        self, parent: etree._Element, tag: str, css: str = "", text: str = "", tail: str = ""
    ) -> etree._Element:
        element = etree.SubElement(parent, f"{self.prefix}{tag}")
        if css:
            element.set("class", css)
        element.text = text or None
        element.tail = tail or None
        return element


def written_key(written: TextWithRubric, ns: str | None = None) -> etree._Element:
    """A written item's rubric and automatic checks, for scorers."""
    w = _Writer(ns)
    root = w.root()
    rubric = w.sub(root, "ol", "assess-rubric")
    for criterion in written.rubric:
        line = w.sub(rubric, "li")
        w.sub(line, "strong", "assess-label", criterion.label, " (")
        w.sub(line, "span", "assess-id", criterion.id, ", up to ")
        w.sub(line, "span", "assess-points", plain_decimal(criterion.max_points), " points): ")
        w.sub(line, "span", "assess-description", criterion.description)
    if written.required_names:
        names = w.sub(root, "ul", "assess-required-names")
        for required in written.required_names:
            line = w.sub(names, "li", text="Spelled exactly: ")
            w.sub(line, "span", "assess-name", required.name, " (")
            w.sub(line, "span", "assess-points", plain_decimal(required.points), " points)")
    if written.required_facts:
        facts = w.sub(root, "ul", "assess-required-facts")
        for fact in written.required_facts:
            line = w.sub(facts, "li")
            w.sub(line, "strong", "assess-label", fact.label, " (")
            w.sub(line, "span", "assess-points", plain_decimal(fact.points), " points): ")
            for index, phrase in enumerate(fact.accept):
                w.sub(line, "span", "assess-accept", phrase, " / " if index < len(fact.accept) - 1 else "")
    if written.length_points is not None:
        length = w.sub(root, "p", "assess-length", "Length within the word limits (")
        w.sub(length, "span", "assess-points", plain_decimal(written.length_points), " points).")
    return root


def _decimal(element: etree._Element | None) -> Decimal:
    try:
        return Decimal(plain(element) or "0")
    except InvalidOperation:
        return Decimal(0)


def _lines(parent: etree._Element) -> list[etree._Element]:
    return [e for e in parent if isinstance(e.tag, str) and etree.QName(e).localname == "li"]


def read_written_key(root: etree._Element) -> dict[str, Any] | None:
    """The key ``written_key`` wrote, or None when ``root`` holds none."""
    rubric = find_class(root, "assess-rubric")
    if rubric is None:
        return None
    key: dict[str, Any] = {
        "rubric": [
            {
                "id": plain(find_class(line, "assess-id")),
                "label": plain(find_class(line, "assess-label")),
                "description": plain(find_class(line, "assess-description")),
                "max_points": _decimal(find_class(line, "assess-points")),
            }
            for line in _lines(rubric)
        ]
    }
    names = find_class(root, "assess-required-names")
    if names is not None:
        key["required_names"] = [
            {
                "name": plain(find_class(line, "assess-name")),
                "points": _decimal(find_class(line, "assess-points")),
            }
            for line in _lines(names)
        ]
    facts = find_class(root, "assess-required-facts")
    if facts is not None:
        key["required_facts"] = [
            {
                "label": plain(find_class(line, "assess-label")),
                "accept": [plain(e) for e in line.iter() if "assess-accept" in classes(e)],
                "points": _decimal(find_class(line, "assess-points")),
            }
            for line in _lines(facts)
        ]
    length = find_class(root, "assess-length")
    if length is not None:
        key["length"] = {"points": _decimal(find_class(length, "assess-points"))}
    return key


def proofreading_key(passage: MarkedPassage, hottexts: list[str], ns: str | None = None) -> etree._Element:
    """A proofreading key's seeded errors (kinds, corrections) and scoring, for scorers.

    ``hottexts[i]`` is the identifier of the hottext that holds ``passage.errors[i]``.
    """
    w = _Writer(ns)
    root = w.root()
    scoring = w.sub(root, "p", "assess-proofreading", "Seeded errors. Corrections asked: ")
    w.sub(scoring, "span", "assess-ask-corrections", "yes" if passage.ask_corrections else "no", "; ")
    w.sub(
        scoring,
        "span",
        "assess-correction-points",
        plain_decimal(passage.correction_points),
        " points per correction; ",
    )
    w.sub(
        scoring,
        "span",
        "assess-false-alarm-penalty",
        plain_decimal(passage.false_alarm_penalty),
        " off per false alarm.",
    )
    errors = w.sub(root, "ol", "assess-errors")
    for error, hottext in zip(passage.errors, hottexts, strict=True):
        line = w.sub(errors, "li", "assess-one-correction" if error.single_correction else "")
        w.sub(line, "span", "assess-span", error.span, " (")
        w.sub(line, "span", "assess-kind", error.kind, ", hottext ")
        w.sub(line, "span", "assess-hottext", hottext, ")")
        if error.occurrence is not None:
            line[-1].tail = ", occurrence "
            w.sub(line, "span", "assess-occurrence", str(error.occurrence), ")")
        for correction in error.corrections:
            line[-1].tail = (line[-1].tail or "") + (
                " → " if "assess-correction" not in classes(line[-1]) else " / "
            )
            w.sub(line, "span", "assess-correction", correction)
    return root


def read_proofreading_key(root: etree._Element) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """(scoring settings, errors in key order, each naming its ``hottext``), or None when absent."""
    scoring = find_class(root, "assess-proofreading")
    errors = find_class(root, "assess-errors")
    if scoring is None or errors is None:
        return None
    settings = {
        "ask_corrections": plain(find_class(scoring, "assess-ask-corrections")) == "yes",
        "correction_points": _decimal(find_class(scoring, "assess-correction-points")),
        "false_alarm_penalty": _decimal(find_class(scoring, "assess-false-alarm-penalty")),
    }
    found: list[dict[str, Any]] = []
    for line in _lines(errors):
        corrections = [plain(e) for e in line.iter() if "assess-correction" in classes(e)]
        error: dict[str, Any] = {
            "hottext": plain(find_class(line, "assess-hottext")),
            "span": plain(find_class(line, "assess-span")),
            "kind": plain(find_class(line, "assess-kind")) or "error",
        }
        occurrence = plain(find_class(line, "assess-occurrence"))
        if occurrence.isdigit():
            error["occurrence"] = int(occurrence)
        if "assess-one-correction" in classes(line) and len(corrections) == 1:
            error["correction"] = corrections[0]
        elif corrections:
            error["correction"] = corrections
        found.append(error)
    return settings, found
