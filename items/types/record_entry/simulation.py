"""Simulated candidates filling a record, right or with the usual slips."""

from __future__ import annotations

import datetime
from decimal import Decimal

from items.base import Form
from items.simulation import Answerer, misspelled
from items.types.record_entry.entries import Body, ChoiceEntry, Entry, row_ids
from items.types.record_entry.expected import (
    AmountExpected,
    ChoiceExpected,
    DateExpected,
    Expected,
    FlagsExpected,
    Key,
    OrderedListExpected,
)


def simulate(body: Body, key: Key, who: Answerer) -> Form:
    form: dict[str, list[str]] = {}
    for entry in body.fields:
        expected = key.fields[entry.id]
        shift = who.rng.uniform(-0.6, 0.6)
        if isinstance(expected, FlagsExpected):
            keyed = set(expected.value)
            form[entry.id] = [
                row
                for row in row_ids(body)
                if (who.gets(shift) if row in keyed else who.rng.random() < 0.3 * (1 - who.chance()))
            ]
            continue
        value = _simulated_value(entry, expected, who, who.gets(shift))
        if isinstance(value, list):
            for number, name in enumerate(value, start=1):
                form[f"{entry.id}-{number}"] = [name]
        else:
            form[entry.id] = [value]
    return form


def _simulated_value(entry: Entry, expected: Expected, who: Answerer, right: bool) -> str | list[str]:
    rng = who.rng
    if isinstance(expected, OrderedListExpected):
        names = list(expected.value)
        if not right:
            swap = rng.randrange(len(names) - 1)
            names[swap], names[swap + 1] = names[swap + 1], names[swap]
        return names
    if isinstance(expected, DateExpected):
        slip = datetime.timedelta(days=rng.choice((-30, -1, 1, 7))) if not right else datetime.timedelta(0)
        day = expected.value + slip
        return rng.choice((f"{day:%B} {day.day}, {day.year}", day.isoformat(), f"{day:%m/%d/%Y}"))
    if isinstance(expected, AmountExpected):
        amount = expected.value if right else expected.value * Decimal(rng.choice(("0.8", "0.9", "1.1")))
        amount = amount.quantize(Decimal("0.01")) if amount != amount.to_integral() else amount.to_integral()
        return rng.choice((f"{amount:f}", f"{amount:,f}"))
    if isinstance(expected, ChoiceExpected) and isinstance(entry, ChoiceEntry):
        return expected.value if right else who.wrong_pick([o.id for o in entry.options], expected.value)
    text = str(expected.value)
    return text if right else misspelled(text, rng)
