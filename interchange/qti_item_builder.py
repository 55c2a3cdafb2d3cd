"""A QTI 3.0 item being built, and the element helpers the per-shape writers share."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from interchange.markup import append_paragraphs, fill_lines, paragraphs
from interchange.qti_manifest import ITEM_SCHEMA, XSI, qti_id
from interchange.qti_package import QTI3
from items.bank import ItemVersion
from items.values import plain_decimal

TEMPLATES = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/"


def qti_tag(tag: str) -> str:
    return f"{{{QTI3}}}{tag}"


def sub_element(
    parent: etree._Element, tag: str, attributes: dict[str, str] | None = None, text: str = ""
) -> etree._Element:
    element = etree.SubElement(parent, qti_tag(tag), attributes or {})
    if text:
        element.text = text
    return element


class ItemXml:
    """An item being built: declarations first, then the body, then response processing."""

    def __init__(self, item: ItemVersion) -> None:
        self.root = etree.Element(qti_tag("qti-assessment-item"), nsmap={None: QTI3, "xsi": XSI})
        self.root.set(f"{{{XSI}}}schemaLocation", f"{QTI3} {ITEM_SCHEMA}")
        for name, value in (("identifier", qti_id(item.item_id)), ("title", item.title)):
            self.root.set(name, value)
        self.root.set("adaptive", "false")
        self.root.set("time-dependent", "false")
        self.body = etree.Element(qti_tag("qti-item-body"))
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
        declaration = sub_element(self.root, "qti-response-declaration")
        for name, value in (
            ("identifier", identifier),
            ("cardinality", cardinality),
            ("base-type", base_type),
        ):
            declaration.set(name, value)
        if correct:
            values = sub_element(declaration, "qti-correct-response")
            for value in correct:
                sub_element(values, "qti-value", text=value)
        if mapping is not None:
            attributes = {name.replace("_", "-"): plain_decimal(value) for name, value in bounds.items()}
            mapped = sub_element(declaration, "qti-mapping", attributes)
            for key, points in mapping.items():
                entry = sub_element(
                    mapped, "qti-map-entry", {"map-key": key, "mapped-value": plain_decimal(points)}
                )
                if not case_sensitive:
                    entry.set("case-sensitive", "false")

    def outcomes(self, max_score: Decimal, human: bool = False) -> None:
        score = sub_element(
            self.root, "qti-outcome-declaration", {"identifier": "SCORE", "cardinality": "single"}
        )
        score.set("base-type", "float")
        if human:
            score.set("external-scored", "human")
        top = sub_element(
            self.root, "qti-outcome-declaration", {"identifier": "MAXSCORE", "cardinality": "single"}
        )
        top.set("base-type", "float")
        sub_element(sub_element(top, "qti-default-value"), "qti-value", text=plain_decimal(max_score))

    def template(self, name: str) -> None:
        self.processing = etree.Element(
            qti_tag("qti-response-processing"), {"template": f"{TEMPLATES}{name}.xml"}
        )

    def scorer_block(self, css: str) -> etree._Element:
        block = etree.Element(qti_tag("qti-rubric-block"), {"view": "scorer", "class": css, "use": "scoring"})
        self.body.insert(0, block)
        return sub_element(block, "qti-content-body")

    def finish(self) -> etree._Element:
        self.root.append(self.body)
        if self.processing is not None:
            self.root.append(self.processing)
        return self.root


def _paragraphs(text: str) -> etree._Element:
    holder = etree.Element(qti_tag("div"))
    append_paragraphs(holder, text, QTI3)
    return holder


def inline(element: etree._Element, text: str) -> None:
    """Text as inline content: lines joined by ``<br/>``, paragraphs by two."""
    lines: list[str] = []
    for block in paragraphs(text):
        lines.extend([*([""] if lines else []), *block])
    fill_lines(element, lines, qti_tag(""))


def labelled_entry(xml: ItemXml, label: str) -> etree._Element:
    """A paragraph naming what is asked, which assess reads back as the field's label."""
    entry = sub_element(xml.body, "p", {"class": "assess-entry"})
    sub_element(entry, "span", {"class": "assess-label"}, label).tail = " "
    return entry
