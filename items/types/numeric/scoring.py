"""Scoring a typed number against the key: within its tolerance, or one of the accepted alternatives."""

from __future__ import annotations

from decimal import Decimal

from items.base import Part, Score
from items.formulas import evaluate
from items.types.numeric.reading import Response, shown
from items.types.numeric.schema import Body, Key


def expected_value(body: Body, key: Key) -> Decimal:
    """The keyed answer for the numbers this body shows."""
    if key.value is not None:
        return key.value
    assert key.answer is not None
    return evaluate(key.answer, {name: param.shown() for name, param in body.params.items()})


def _target(body: Body, value: Decimal, allowed: Decimal) -> str:
    return shown(body, value) + (f" (within {shown(body, abs(allowed))})" if allowed else "")


def score(body: Body, key: Key, response: Response) -> Score:
    expected = expected_value(body, key)
    allowed = max(key.tolerance, key.relative_tolerance * abs(expected))
    target = _target(body, expected, allowed)
    others = [
        (_target(body, other.value, other.tolerance), abs(response.value - other.value) <= other.tolerance)
        for other in key.also
    ]
    typed = shown(body, response.value)
    matched = next((shown_as for shown_as, hit in others if hit), None)
    if abs(response.value - expected) <= allowed:
        earned, why = key.points, f"Typed {typed}, which matches the expected {target}."
    elif matched is not None:
        earned, why = key.points, f"Typed {typed}, which matches the accepted {matched}."
    else:
        accepted = " or ".join([target, *(shown_as for shown_as, _ in others)])
        earned, why = Decimal(0), f"Typed {typed}; expected {accepted}."
    if key.answer is not None:
        numbers = ", ".join(f"{name} = {param.shown()}" for name, param in body.params.items())
        why += f" The key computes {key.answer}" + (f" with {numbers}." if numbers else ".")
    return Score(earned, key.points, (Part("Answer", earned, key.points, why),))


def max_points(body: Body, key: Key) -> Decimal:
    return key.points
