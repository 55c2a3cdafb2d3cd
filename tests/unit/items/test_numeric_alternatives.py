"""numeric: several full-credit answers (``also``), each with its own tolerance; formula keys stay single."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from item_templates import item_templates

from items.shapes import NumberWithTolerance
from items.types import numeric as t
from items.values import plain_decimal

ROOT = Path(__file__).resolve().parents[3]
JINJA = item_templates()
JINJA.filters["points"] = plain_decimal
BODY = t.Body(prompt="A square has area 4. What is one of its side's possible values?")
KEY = t.Key(
    value=Decimal(2),
    also=[t.Alternative(value=Decimal(-2)), t.Alternative(value=Decimal("3.14"), tolerance=Decimal("0.01"))],
)


@pytest.mark.parametrize(
    ("text", "points", "why"),
    [
        ("2", "1", "Typed 2, which matches the expected 2."),
        ("-2", "1", "Typed -2, which matches the accepted -2."),
        ("3.15", "1", "Typed 3.15, which matches the accepted 3.14 (within 0.01)."),
        ("3.16", "0", "Typed 3.16; expected 2 or -2 or 3.14 (within 0.01)."),
        ("0", "0", "Typed 0; expected 2 or -2 or 3.14 (within 0.01)."),
    ],
)
def test_numeric_any_accepted_answer_earns_full_points(text: str, points: str, why: str) -> None:
    response = t.normalise(BODY, {"value": [text]})
    assert response is not None
    result = t.score(BODY, KEY, response)
    assert (result.points, result.max_points) == (Decimal(points), Decimal(1))
    assert result.parts[0].explanation == why


def test_numeric_formula_key_takes_no_alternatives() -> None:
    body = t.Body(prompt="Twice {n}?", params={"n": t.Param(min=Decimal(1), max=Decimal(3))})
    key = t.Key(answer="2 * n", also=[t.Alternative(value=Decimal(4))])
    assert [(p.field, p.message) for p in t.check(body, key)] == [
        ("key.also", "alternatives go with a fixed value; a formula key stays single")
    ]
    assert t.check(BODY, KEY) == []


def test_numeric_key_without_alternatives_keeps_its_content() -> None:
    # The version hash is taken over the dumped key: an old item must not become a new version.
    assert t.Key(value=Decimal(5)).model_dump(mode="json") == {
        "answer": None,
        "value": "5",
        "tolerance": "0",
        "relative_tolerance": "0",
        "points": "1",
    }
    assert KEY.model_dump(mode="json")["also"] == [
        {"value": "-2", "tolerance": "0"},
        {"value": "3.14", "tolerance": "0.01"},
    ]


def test_numeric_with_alternatives_takes_a_shape_with_every_right_value() -> None:
    shape = t.shape(BODY, KEY)
    assert isinstance(shape, NumberWithTolerance)
    assert shape.also == tuple((other.value, other.tolerance) for other in KEY.also)
    assert t.shape(BODY, t.Key(value=Decimal(2))) == replace(shape, also=())


def render(macro: str, *args: Any) -> str:
    return str(getattr(JINJA.get_template("items/numeric.html").module, macro)(*args))


def test_numeric_reviewer_sees_every_accepted_answer_and_the_candidate_none() -> None:
    response = t.normalise(BODY, {"value": ["-2"]})
    assert response is not None
    html = render("reviewer", BODY, KEY, response, t.score(BODY, KEY, response))
    assert "also -2; also 3.14 ±0.01" in html
    assert "3.14" not in render("candidate", BODY, None, "q1-")
