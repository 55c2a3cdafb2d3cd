"""Numeric calculation: the candidate types a number (an amount, a percentage, a count).

Parameterised items declare ``params`` drawn per attempt and key a formula over them,
so candidates sitting the same item do not share one answer.
"""

from __future__ import annotations

from items.base import ItemType
from items.types.numeric.checks import check
from items.types.numeric.draws import draw, realize
from items.types.numeric.reading import Response, normalise, shown
from items.types.numeric.schema import Alternative, Body, Key, Param
from items.types.numeric.scoring import expected_value, max_points, score
from items.types.numeric.shape import shape
from items.types.numeric.simulation import simulate

__all__ = [
    "TYPE",
    "Alternative",
    "Body",
    "Key",
    "Param",
    "Response",
    "check",
    "draw",
    "expected_value",
    "normalise",
    "realize",
    "score",
    "shape",
    "shown",
]


TYPE = ItemType(
    name="numeric",
    description="Type a number (amount, percentage, count), keyed with a tolerance; numbers may be drawn.",
    body=Body,
    key=Key,
    response=Response,
    normalise=normalise,
    score=score,
    max_points=max_points,
    check=check,
    shape=shape,
    simulate=simulate,
    draw=draw,
    realize=realize,
)
