"""QTI text entry gaps -> record_entry, one field per gap, each scored as the source scores that gap.

Each gap's key, case sensitivity, right alternatives and points are read from what the
source's response processing gives that gap alone (the other gaps blank): the correct
response earns the gap's points, a spelling that earns the same is accepted, and the key
with its letters' case swapped tells whether case matters. A source that scores gaps only
together (all-or-nothing over the gaps) has no per-gap form and is reported.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from lxml import etree

from interchange.markup import TextReader, classes
from interchange.qti_agreement import Probe, disagreements
from interchange.qti_item import BLANK, Mapped, QtiItem, decimal, labelled
from interchange.qti_processing import Processing
from interchange.qti_values import Value
from interchange.targets import TEXT_FIELD, Unmappable
from items.values import plain_decimal

NUMERIC = frozenset({"float", "integer"})
#: What record_entry accepts as a field id.
FIELD_ID = re.compile(r"^[a-z][a-z0-9_]*$")
WRONG = "\u2205 no such answer"


def gaps_prompt(item: QtiItem, interactions: list[etree._Element]) -> str:
    """The body's text with each gap as a blank (numbered when there are several).

    A single gap that stands alone in its paragraph is not shown as a blank: the field is the answer.
    """
    if len(interactions) == 1:
        parent = interactions[0].getparent()
        alone = parent is not None and not TextReader(skip=lambda e: e is interactions[0]).text(parent)
        blanks = {interactions[0]: "" if alone else BLANK}
    else:
        blanks = {gap: f"{BLANK} ({number})" for number, gap in enumerate(interactions, start=1)}
    return item.outside([], replace=lambda e: blanks.get(e))


def _field_ids(names: list[str]) -> list[str]:
    """The gaps' response identifiers where they are distinct field ids, else gap_1, gap_2, ..."""
    if len(names) == 1:
        return [TEXT_FIELD]
    if len(set(names)) == len(names) and all(FIELD_ID.match(name) for name in names):
        return names
    return [f"gap_{n}" for n in range(1, len(names) + 1)]


def _labelled_entries(interactions: list[etree._Element]) -> list[etree._Element] | None:
    """Each gap's own paragraph with its label, as assess exports them; None for any other layout."""
    entries = [i.getparent() for i in interactions]
    if all(e is not None and "assess-entry" in classes(e) and labelled(e, "assess-label") for e in entries):
        return [e for e in entries if e is not None]
    return None


def text_entries(item: QtiItem, interactions: list[etree._Element], processing: Processing) -> Mapped:
    """Text entries with text (or, among several, number) keys -> record_entry, one field per gap."""
    if processing.problem:
        raise Unmappable(processing.problem)
    names = [i.get("response-identifier") or "" for i in interactions]
    ids = _field_ids(names)
    entries = _labelled_entries(interactions) if len(interactions) > 1 else None
    fields: list[dict[str, Any]] = []
    expected: dict[str, dict[str, Any]] = {}
    probes: list[Probe] = []
    for number, (name, field) in enumerate(zip(names, ids, strict=True), start=1):
        where = f"gap {number}" if len(names) > 1 else "the gap"
        declared = item.responses[name]
        numeric = declared.base_type in NUMERIC
        kind = "amount" if numeric else "text"
        label = (
            labelled(entries[number - 1], "assess-label")
            if entries
            else ("Answer" if len(names) == 1 else f"Gap {number}")
        )
        fields.append({"id": field, "kind": kind, "label": label})
        key, gap_probes = _gap_key(item, processing, name, field, where, numeric)
        expected[field] = key
        probes.extend(gap_probes)
    # Labelled gaps ask in their own paragraphs: the prompt is the text around them.
    prompt = item.outside(list(entries)) if entries else gaps_prompt(item, interactions)
    mapped = Mapped("record_entry", {"prompt": prompt, "fields": fields}, {"fields": expected})
    if len(names) > 1:
        together = {f: str(e["value"]) for f, e in expected.items()}
        probes.append(
            Probe(
                "every gap right",
                {n: _as_source(item, n, together[f]) for n, f in zip(names, ids, strict=True)},
                {"fields": together},
            )
        )
    mapped.notes.extend(disagreements(processing, mapped, probes))
    return mapped


def _as_source(item: QtiItem, name: str, text: str) -> Value:
    """A typed answer as a QTI player hands it to processing: numbers for numeric responses."""
    if item.responses[name].base_type in NUMERIC:
        return decimal(text)
    return text


def _gap_key(
    item: QtiItem, processing: Processing, name: str, field: str, where: str, numeric: bool
) -> tuple[dict[str, Any], list[Probe]]:
    declared = item.responses[name]
    mapping = declared.mapping
    if declared.correct:
        key = declared.correct[0]
    elif mapping and max(mapping.values()) > 0:
        key = max(mapping, key=lambda k: mapping[k])
    else:
        raise Unmappable(f"{where} has no correct response: there is nothing to score it by")

    def alone(text: str) -> Decimal:
        return processing.score({name: _as_source(item, name, text)})

    full = alone(key)
    if full <= 0:
        together = processing.score({n: _as_source(item, n, _any_key(item, n)) for n in item.responses})
        if together > 0:
            raise Unmappable(
                "gives points only when its gaps are right together "
                f"({plain_decimal(together)} for all of them); assess scores each gap on its own"
            )
        raise Unmappable(
            f"its response processing gives the correct answer of {where} {plain_decimal(full)} points"
        )
    candidates = list(dict.fromkeys([key, *declared.correct[1:], *mapping]))
    expected: dict[str, Any] = {"kind": "amount" if numeric else "text", "value": key, "points": full}
    if numeric:
        if decimal(key) is None:
            raise Unmappable(f"the correct answer of {where}, {key!r}, is not a number")
        expected["value"] = decimal(key)
    else:
        accept = [c for c in candidates[1:] if alone(c) == full]
        if accept:
            expected["accept"] = accept
        swapped = key.swapcase()
        if swapped != key and alone(swapped) != full:
            expected["case_sensitive"] = True
        candidates.extend([key.lower(), key.upper(), swapped])
    tried = [*dict.fromkeys(candidates), WRONG]
    probes = [
        Probe(f"{text!r} in {where}", {name: _as_source(item, name, text)}, {"fields": {field: text}})
        for text in tried
        if not numeric or decimal(text) is not None or text == WRONG
    ]
    probes.append(Probe(f"{where} left blank", {}, {"fields": {}}))
    return expected, probes


def _any_key(item: QtiItem, name: str) -> str:
    declared = item.responses[name]
    if declared.correct:
        return declared.correct[0]
    return max(declared.mapping, key=lambda k: declared.mapping[k]) if declared.mapping else ""
