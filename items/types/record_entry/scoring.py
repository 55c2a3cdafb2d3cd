"""Scoring a record field by field, so a partial record earns what it got right."""

from __future__ import annotations

import datetime
from decimal import Decimal

from items.base import Part, ResponseError, Score
from items.types.record_entry.entries import Body, ChoiceEntry, Entry, FlagsEntry, OrderedListEntry
from items.types.record_entry.expected import (
    AmountExpected,
    ChoiceExpected,
    DateExpected,
    Expected,
    FlagsExpected,
    Key,
    OrderedListExpected,
    TextExpected,
)
from items.types.record_entry.reading import Response, check_known, entry_text, flagged, folded, interpret
from items.values import show_date

Given = str | list[str] | None


def _show_expected(entry: Entry, expected: Expected) -> str:
    if isinstance(expected, DateExpected):
        return show_date(expected.value)
    if isinstance(expected, AmountExpected):
        return f"{expected.value:,}"
    if isinstance(expected, ChoiceExpected) and isinstance(entry, ChoiceEntry):
        return next((o.text for o in entry.options if o.id == expected.value), expected.value)
    if isinstance(expected, OrderedListExpected | FlagsExpected):
        return ", ".join(expected.value) or "nothing"
    return expected.value


def _text_matches(expected: TextExpected, given: str) -> bool:
    def compared(text: str) -> str:
        return " ".join(text.split()) if expected.case_sensitive else folded(text)

    return compared(given) in {compared(t) for t in (expected.value, *expected.accept)}


def _single(entry: Entry, expected: Expected, given: str) -> tuple[Decimal, str]:
    value = interpret(entry, given)
    right = _show_expected(entry, expected)
    if isinstance(expected, TextExpected):
        is_right = _text_matches(expected, given)
        right += " (case matters)" if expected.case_sensitive else ""
    elif isinstance(expected, AmountExpected) and isinstance(value, Decimal):
        is_right = abs(value - expected.value) <= expected.tolerance
    else:
        is_right = value == expected.value
    if isinstance(entry, ChoiceEntry):
        shown = next(o.text for o in entry.options if o.id == value)
    else:
        read_as = show_date(value) if isinstance(value, datetime.date) else given
        shown = repr(given) + (f" (read as {read_as})" if read_as != given else "")
    if is_right:
        return expected.points, f"Entered {shown}, which matches the expected {right}."
    return Decimal(0), f"Entered {shown}; expected {right}."


def _ordered(entry: OrderedListEntry, expected: OrderedListExpected, given: list[str]) -> tuple[Decimal, str]:
    if len(given) != entry.count:
        raise ResponseError(entry.id, f"expected {entry.count} entries, got {len(given)}")
    mine, keyed = [folded(g) for g in given], [folded(k) for k in expected.value]
    shown = ", ".join(g or "(blank)" for g in given)
    if mine == keyed:
        return expected.points, f"Entered {shown}: the expected names in the expected order."
    if sorted(mine) == sorted(keyed):
        order = ", ".join(expected.value)
        return Decimal(0), f"Entered {shown}: the right names in the wrong order; expected {order}."
    position = next(i for i, (g, k) in enumerate(zip(mine, keyed, strict=True)) if g != k)
    return Decimal(0), (
        f"Entered {shown}; position {position + 1} is {given[position] or '(blank)'!r} where "
        f"{expected.value[position]!r} was expected (full order: {', '.join(expected.value)})."
    )


def _flags(expected: FlagsExpected, given: list[str]) -> tuple[Decimal, str]:
    chosen, keyed = set(given), set(expected.value)
    hits = [r for r in given if r in keyed]
    false = [r for r in given if r not in keyed]
    missed = [r for r in expected.value if r not in chosen]
    summary = (
        f"flagged correctly: {', '.join(hits) or 'none'}; missed: {', '.join(missed) or 'none'}; "
        f"flagged wrongly: {', '.join(false) or 'none'}"
    )
    if expected.rule == "exact":
        earned = expected.points if chosen == keyed else Decimal(0)
        return earned, f"Exactly the keyed rows earn the points; {summary}."
    net = min(max(len(hits) - len(false), 0), len(keyed))
    return expected.points * net, (
        f"{len(hits)} right minus {len(false)} wrong = {net} of {len(keyed)} rows; {summary}."
    )


def _earned(body: Body, entry: Entry, expected: Expected, given: Given) -> tuple[Decimal, str]:
    if isinstance(entry, FlagsEntry) and isinstance(expected, FlagsExpected):
        if isinstance(given, str) and given:
            raise ResponseError(entry.id, "expected a list of row ids")
        return _flags(expected, flagged(body, entry.id, set(given or [])))
    if not given:
        return Decimal(0), f"Left blank; expected {_show_expected(entry, expected)}."
    if isinstance(entry, OrderedListEntry) and isinstance(expected, OrderedListExpected):
        if not isinstance(given, list):
            raise ResponseError(entry.id, "expected a list of names")
        return _ordered(entry, expected, [entry_text(entry.id, g) for g in given])
    if isinstance(given, list):
        raise ResponseError(entry.id, "expected a single value, got a list")
    return _single(entry, expected, entry_text(entry.id, given))


def score(body: Body, key: Key, response: Response) -> Score:
    check_known(body, response.fields)
    parts: list[Part] = []
    for entry in body.fields:
        expected = key.fields[entry.id]
        earned, why = _earned(body, entry, expected, response.fields.get(entry.id))
        parts.append(Part(entry.label, earned, _field_max(expected), why))
    return Score(sum((p.points for p in parts), Decimal(0)), max_points(body, key), tuple(parts))


def _field_max(expected: Expected) -> Decimal:
    if isinstance(expected, FlagsExpected) and expected.rule == "per_row":
        return expected.points * len(expected.value)
    return expected.points


def max_points(body: Body, key: Key) -> Decimal:
    return sum((_field_max(key.fields[e.id]) for e in body.fields if e.id in key.fields), Decimal(0))
