"""One parsed QTI item (2.1 read as 3.0): its declarations, its interactions and the text around them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from interchange.markup import TextReader, classes, find_class, plain
from interchange.qti_package import QTI3
from interchange.safe_xml import local_name
from interchange.targets import Unmappable

Q = f"{{{QTI3}}}"
HIDDEN = frozenset(
    {
        "qti-feedback-block",
        "qti-feedback-inline",
        "qti-modal-feedback",
        "qti-stylesheet",
        "qti-template-block",
    }
)


# Blocks assess's export adds around an interaction; read for what they say, not as prompt text.
ASSESS_BLOCKS = frozenset(
    {"assess-key", "assess-entry", "assess-reference", "assess-order-labels", "assess-word-limits"}
)
BLANK = "_____"


@dataclass(frozen=True)
class Declared:
    """A response declaration: its correct values and its mapping (key -> points).

    ``caseless`` holds the map keys whose entry says ``case-sensitive="false"``; QTI
    compares every other string key with its case.
    """

    cardinality: str
    base_type: str
    correct: list[str]
    mapping: dict[str, Decimal]
    default: Decimal
    lower: Decimal | None
    upper: Decimal | None = None
    caseless: frozenset[str] = frozenset()


@dataclass
class Mapped:
    type_name: str
    body: dict[str, Any]
    key: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def decimal(text: str | None, default: Decimal | None = None) -> Decimal | None:
    try:
        return Decimal(text.strip()) if text is not None and text.strip() else default
    except InvalidOperation:
        return default


def _values(parent: etree._Element | None) -> list[str]:
    if parent is None:
        return []
    return [" ".join("".join(v.itertext()).split()) for v in parent.iter(f"{Q}qti-value")]


def _declared(element: etree._Element) -> Declared:
    mapping_element = element.find(f"{Q}qti-mapping")
    mapping: dict[str, Decimal] = {}
    caseless: set[str] = set()
    default, lower, upper = Decimal(0), None, None
    if mapping_element is not None:
        for entry in mapping_element.iter(f"{Q}qti-map-entry"):
            value = decimal(entry.get("mapped-value"))
            if entry.get("map-key") is not None and value is not None:
                key = (entry.get("map-key") or "").strip()
                mapping[key] = value
                if (entry.get("case-sensitive") or "true").strip() == "false":
                    caseless.add(key)
        default = decimal(mapping_element.get("default-value"), Decimal(0)) or Decimal(0)
        lower = decimal(mapping_element.get("lower-bound"))
        upper = decimal(mapping_element.get("upper-bound"))
    return Declared(
        cardinality=element.get("cardinality") or "single",
        base_type=element.get("base-type") or "",
        correct=_values(element.find(f"{Q}qti-correct-response")),
        mapping=mapping,
        default=default,
        lower=lower,
        upper=upper,
        caseless=frozenset(caseless),
    )


class QtiItem:
    """One parsed assessment item and the text a candidate would read in it."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.identifier = (root.get("identifier") or "").strip()
        self.title = " ".join((root.get("title") or "").split())
        self.responses = {
            (d.get("identifier") or ""): _declared(d) for d in root.iter(f"{Q}qti-response-declaration")
        }
        self.maxscore: Decimal | None = None
        for outcome in root.iter(f"{Q}qti-outcome-declaration"):
            if outcome.get("identifier") == "MAXSCORE":
                found = _values(outcome.find(f"{Q}qti-default-value"))
                self.maxscore = decimal(found[0]) if found else None
        self.body = root.find(f"{Q}qti-item-body")
        self.interactions = (
            [e for e in self.body.iter() if local_name(e).endswith("-interaction")]
            if self.body is not None
            else []
        )
        processing = root.find(f"{Q}qti-response-processing")
        self.processing = processing
        template = (processing.get("template") or "") if processing is not None else ""
        match = re.search(r"(match_correct|map_response_point|map_response)", template)
        self.template = match.group(1) if match else ""
        self.lost: list[str] = []

    def response(self, interaction: etree._Element) -> Declared:
        name = interaction.get("response-identifier") or ""
        if name not in self.responses:
            raise Unmappable(f"its interaction answers {name!r}, which has no response declaration")
        return self.responses[name]

    def points(self) -> Decimal:
        """What a right answer is worth: MAXSCORE when declared and positive, else 1."""
        return self.maxscore if self.maxscore is not None and self.maxscore > 0 else Decimal(1)

    def is_hidden(self, element: etree._Element) -> bool:
        """Content a candidate does not read: feedback, scorer-only rubric, assess's own key."""
        name = local_name(element)
        # "hide" feedback shows until its outcome is set: the candidate reads it while answering.
        if name in {"qti-feedback-block", "qti-feedback-inline"} and element.get("show-hide") == "hide":
            return False
        if name in HIDDEN:
            return True
        if name == "qti-rubric-block" and "candidate" not in (element.get("view") or "candidate").split():
            return True
        return bool(classes(element) & ASSESS_BLOCKS)

    def reader(
        self, skip: list[etree._Element], replace: Callable[[etree._Element], str | None] | None = None
    ) -> TextReader:
        skipped = set(skip)
        return TextReader(skip=lambda e: e in skipped or self.is_hidden(e), replace=replace)

    def outside(
        self, skip: list[etree._Element], replace: Callable[[etree._Element], str | None] | None = None
    ) -> str:
        """The body's candidate-facing text, leaving out ``skip`` (the interactions)."""
        if self.body is None:
            return ""
        reader = self.reader(skip, replace)
        text = reader.text(self.body)
        self.lost.extend(reader.lost)
        return text

    def inner(self, element: etree._Element | None, skip: list[etree._Element] | None = None) -> str:
        if element is None:
            return ""
        reader = self.reader(skip or [])
        text = reader.text(element)
        self.lost.extend(reader.lost)
        return text

    def scorer_markup(self) -> etree._Element | None:
        """assess's own key markup, when this item was exported by assess."""
        return find_class(self.root, "assess-key")

    def rationale(self) -> str:
        """The item's explanation: assess's rationale block, else its feedback (each text once)."""
        own = find_class(self.root, "assess-rationale")
        if own is not None:
            return TextReader().text(own)
        texts: list[str] = []
        for element in self.root.iter(f"{Q}qti-modal-feedback", f"{Q}qti-feedback-block"):
            text = TextReader().text(element)
            if text and text not in texts:
                texts.append(text)
        return "\n\n".join(texts)


def option_id(identifier: str) -> str:
    """A QTI identifier as an assess option id; assess's export prefixes ids that start with a digit."""
    identifier = identifier.strip()
    return identifier[1:] if re.match(r"^_\d", identifier) else identifier


def prompt_of(item: QtiItem, interaction: etree._Element) -> str:
    """The body's text around a block interaction, then the interaction's own prompt."""
    prompt = interaction.find(f"{Q}qti-prompt")
    parts = [item.outside([interaction]), item.inner(prompt)]
    return "\n\n".join(p for p in parts if p)


def blank_prompt(item: QtiItem, interaction: etree._Element) -> str:
    """The body's text with an inline interaction shown as a blank, unless it stands alone."""
    parent = interaction.getparent()
    alone = parent is not None and not TextReader(skip=lambda e: e is interaction).text(parent)
    blank = "" if alone else BLANK
    return item.outside([], replace=lambda e: blank if e is interaction else None)


def labelled(element: etree._Element | None, css: str) -> str:
    """The text of the element with class ``css`` inside ``element``; '' when either is missing."""
    return plain(find_class(element, css)) if element is not None else ""
