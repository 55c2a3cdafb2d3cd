"""Simulated candidates typing a number, right or off by a usual slip."""

from __future__ import annotations

from decimal import Decimal

from items.base import Form
from items.simulation import Answerer
from items.types.numeric.reading import shown
from items.types.numeric.schema import Body, Key
from items.types.numeric.scoring import expected_value


def simulate(body: Body, key: Key, who: Answerer) -> Form:
    value = expected_value(body, key)
    if not who.gets():
        # The usual slips: a step left out or done twice moves the result by some percent.
        value *= Decimal(who.rng.choice(("0.85", "0.9", "0.95", "1.05", "1.1", "1.2")))
    value = value.quantize(Decimal("0.01")) if value != value.to_integral() else value.to_integral()
    typed = f"{value:f}"
    if body.unit == "currency" and who.rng.random() < 0.5:
        typed = shown(body, value)
    return {"value": [typed]}
