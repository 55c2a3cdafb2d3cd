"""What other formats can hold of a numeric item: a number with its tolerances, unless it is drawn."""

from __future__ import annotations

from items.shapes import DrawnNumber, NoFaithfulTarget, NumberWithTolerance
from items.types.numeric.schema import Body, Key


def shape(body: Body, key: Key) -> NumberWithTolerance | DrawnNumber | NoFaithfulTarget:
    if body.params or key.value is None:
        return DrawnNumber(body.prompt, key.answer or "")
    return NumberWithTolerance(
        body.prompt,
        body.unit,
        body.symbol,
        body.label,
        key.value,
        key.tolerance,
        key.relative_tolerance,
        key.points,
        tuple((other.value, other.tolerance) for other in key.also),
    )
