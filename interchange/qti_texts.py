"""QTI text entry and extended text -> numeric / record_entry text, written."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from lxml import etree

from interchange.markup import TextReader, classes, find_class
from interchange.qti_agreement import Probe, disagreements
from interchange.qti_gaps import text_entries
from interchange.qti_item import Mapped, Q, QtiItem, blank_prompt, decimal, labelled
from interchange.qti_processing import Processing
from interchange.safe_xml import local_name
from interchange.targets import Unmappable, holistic_rubric
from items.values import plain_decimal

WORDS = re.compile(r"\w")
IMAGES = re.compile(r"\[image(?::[^\]]*)?\]")
NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
DEFAULT_DESCRIPTION = "Judged as a whole by the reviewer (the source gave no rubric)."
WrittenKeyReader = Callable[[etree._Element], dict[str, Any] | None]


def text_entry(item: QtiItem, interaction: etree._Element, processing: Processing) -> Mapped:
    """A numeric key -> numeric; a text key -> record_entry with one text field."""
    response = item.response(interaction)
    mapping = response.mapping
    if response.correct:
        correct = response.correct[0]
    elif mapping and max(mapping.values()) > 0:
        correct = max(mapping, key=lambda k: mapping[k])
    else:
        raise Unmappable("has no correct response: there is nothing to score it by")
    if response.base_type in {"float", "integer"} or NUMBER.match(correct):
        mapped = _numeric(item, interaction, blank_prompt(item, interaction), correct)
        mapped.notes.extend(disagreements(processing, mapped, _number_probes(item, interaction, mapped)))
        return mapped
    return text_entries(item, [interaction], processing)


def _number_probes(item: QtiItem, interaction: etree._Element, mapped: Mapped) -> list[Probe]:
    """The key, each other right value, and a number far from all of them."""
    name = interaction.get("response-identifier") or ""
    numeric = item.response(interaction).base_type in {"float", "integer"}
    values = [mapped.key["value"], *(other["value"] for other in mapped.key.get("also", []))]
    far = max(abs(v) for v in values) * 10 + 1000
    return [
        Probe(
            f"{plain_decimal(value)} typed",
            {name: value if numeric else plain_decimal(value)},
            {"value": plain_decimal(value)},
        )
        for value in [*values, far]
    ]


def _numeric(item: QtiItem, interaction: etree._Element, prompt: str, correct: str) -> Mapped:
    value = decimal(correct)
    if value is None:
        raise Unmappable(f"its correct response {correct!r} is not a number")
    notes: list[str] = []
    key: dict[str, Any] = {"value": value}
    response = interaction.get("response-identifier") or ""
    absolute, relative = _tolerances(item, response, notes)
    if relative >= 1:
        raise Unmappable(
            f"accepts answers within {relative * 100}% of the key; assess accepts less than 100%"
        )
    if absolute:
        key["tolerance"] = absolute
    if relative:
        key["relative_tolerance"] = relative
    also = _alternatives(item, response)
    if also:
        key["also"] = also
    if item.points() != 1:
        key["points"] = item.points()
    body: dict[str, Any] = {"prompt": prompt}
    entry = interaction.getparent()
    if entry is not None and "assess-entry" in classes(entry):
        unit = next(
            (c.removeprefix("assess-unit-") for c in classes(entry) if c.startswith("assess-unit-")), ""
        )
        if unit in {"currency", "percent"}:
            body["unit"] = unit
        if unit == "currency":
            body["symbol"] = labelled(entry, "assess-symbol") or "$"
        if labelled(entry, "assess-label"):
            body["label"] = labelled(entry, "assess-label")
    alternatives = [k for k in item.response(interaction).mapping if k.strip() != correct.strip()]
    if alternatives:
        notes.append(f"other answers scored in the source ({', '.join(alternatives)}) are not kept")
    return Mapped("numeric", body, key, notes)


def _fixed_value(equal: etree._Element) -> Decimal | None:
    """The number a response is compared with, when it is a written value rather than the key."""
    values = [decimal(v.text or "") for v in equal if local_name(v) == "qti-base-value"]
    return values[0] if len(values) == 1 else None


def _alternatives(item: QtiItem, response: str) -> list[dict[str, Decimal]]:
    """Other right values: ``qti-equal`` tests of the response against a written number.

    Whether they earn the same points as the key is checked answer by answer afterwards,
    as for every imported item.
    """
    if item.processing is None:
        return []
    found = []
    for equal in item.processing.iter(f"{Q}qti-equal"):
        value = _fixed_value(equal)
        compared = {v.get("identifier") for v in equal if local_name(v) == "qti-variable"}
        if value is None or response not in compared:
            continue
        bounds = [decimal(t) for t in (equal.get("tolerance") or "0").split()]
        tolerance = min((b for b in bounds if b is not None), default=Decimal(0))
        if (equal.get("tolerance-mode") or "exact") != "absolute":
            tolerance = Decimal(0)
        other: dict[str, Decimal] = {"value": value}
        if tolerance:
            other["tolerance"] = tolerance
        found.append(other)
    return found


def _tolerances(item: QtiItem, response: str, notes: list[str]) -> tuple[Decimal, Decimal]:
    """(absolute, relative as a fraction) from the ``qti-equal`` tests on this response."""
    absolute = relative = Decimal(0)
    if item.processing is None:
        return absolute, relative
    for equal in item.processing.iter(f"{Q}qti-equal"):
        compared = {v.get("identifier") for v in equal if local_name(v) in {"qti-variable", "qti-correct"}}
        if response not in compared or _fixed_value(equal) is not None:
            continue
        bounds = [decimal(t) for t in (equal.get("tolerance") or "0").split()]
        known = [b for b in bounds if b is not None]
        if len(set(known)) > 1:
            notes.append("its tolerance differs below and above the key; the narrower one is kept")
        tolerance = min(known, default=Decimal(0))
        mode = equal.get("tolerance-mode") or "exact"
        if mode == "absolute":
            absolute = max(absolute, tolerance)
        elif mode == "relative":
            relative = max(relative, tolerance / 100)
    return absolute, relative


def extended_text(item: QtiItem, interaction: etree._Element, read_key: WrittenKeyReader) -> Mapped:
    """Extended text -> written; without assess's rubric, one holistic criterion worth MAXSCORE."""
    prompt = item.inner(interaction.find(f"{Q}qti-prompt"))
    material = item.outside([interaction])
    # Instructions in the body, with no prompt or one that only holds an image: the body's text asks.
    if not WORDS.search(IMAGES.sub("", prompt)):
        prompt, material = "\n\n".join(t for t in (material, prompt) if t), ""
    if not prompt:
        raise Unmappable("has no prompt: there is nothing telling the candidate what to write")
    body: dict[str, Any] = {"prompt": prompt}
    if material:
        body["material"] = material
    limits = find_class(item.body, "assess-word-limits") if item.body is not None else None
    for name in ("min_words", "max_words"):
        found = labelled(limits, "assess-" + name.replace("_", "-"))
        if found.isdigit():
            body[name] = int(found)
    markup = item.scorer_markup()
    key = read_key(markup) if markup is not None else None
    if key is None:
        key = holistic_rubric(item.points(), _scorer_text(item))
    return Mapped("written", body, key)


def _scorer_text(item: QtiItem) -> str:
    texts = [
        TextReader().text(block)
        for block in item.root.iter(f"{Q}qti-rubric-block")
        if "scorer" in (block.get("view") or "").split()
    ]
    return "\n\n".join(t for t in texts if t) or DEFAULT_DESCRIPTION
