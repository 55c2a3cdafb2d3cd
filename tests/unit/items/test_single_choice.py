"""single_choice: parsing, keyed and partial credit, key checks, option order."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from items.base import ResponseError
from items.types import single_choice as sc

BODY = sc.Body(
    prompt="First step 90 days before renewal?",
    options=[
        sc.Option(id="a", text="Send the contract"),
        sc.Option(id="b", text="Review goals"),
        sc.Option(id="c", text="Wait"),
    ],
)
KEY = sc.Key(correct="b", points=Decimal(2), credit={"a": Decimal("0.5")})


@pytest.mark.parametrize(
    ("choice", "points", "explains"),
    [
        ("b", "2", "the keyed best answer"),
        ("a", "0.5", "partial credit; the best answer is b"),
        ("c", "0", "the best answer is b ('Review goals')"),
    ],
)
def test_single_choice_scores_key_and_partial_credit(choice: str, points: str, explains: str) -> None:
    result = sc.score(BODY, KEY, sc.Response(choice=choice))
    assert result.points == Decimal(points)
    assert result.max_points == Decimal(2)
    assert explains in result.parts[0].explanation


def test_single_choice_normalise_blank_is_unanswered_and_unknown_is_rejected() -> None:
    assert sc.normalise(BODY, {}) is None
    assert sc.normalise(BODY, {"choice": ["  "]}) is None
    assert sc.normalise(BODY, {"choice": [" b "]}) == sc.Response(choice="b")
    with pytest.raises(ResponseError) as caught:
        sc.normalise(BODY, {"choice": ["z"]})
    assert caught.value.field == "choice"


def test_single_choice_score_rejects_response_naming_no_option() -> None:
    with pytest.raises(ResponseError):
        sc.score(BODY, KEY, sc.Response(choice="z"))


@pytest.mark.parametrize(
    ("key", "field"),
    [
        (sc.Key(correct="z"), "key.correct"),
        (sc.Key(correct="a", credit={"a": Decimal("0.5")}), "key.credit.a"),
        (sc.Key(correct="a", credit={"b": Decimal(1)}), "key.credit.b"),
        (sc.Key(correct="a", credit={"q": Decimal("0.1")}), "key.credit.q"),
    ],
)
def test_single_choice_check_catches_bad_keys(key: sc.Key, field: str) -> None:
    assert field in [p.field for p in sc.check(BODY, key)]


def test_single_choice_frozen_order_is_reproducible_and_realized() -> None:
    variant = sc.TYPE.draw(BODY, random.Random(7), True)
    assert sorted(variant["order"]) == ["a", "b", "c"]
    assert variant == sc.TYPE.draw(BODY, random.Random(7), True)
    body, key = sc.TYPE.realize(BODY, KEY, variant)
    assert [o.id for o in body.options] == variant["order"]
    assert key == KEY
    assert sc.TYPE.draw(BODY, random.Random(7), False) == {"order": ["a", "b", "c"]}


@given(st.dictionaries(st.sampled_from(["choice", "x", ""]) | st.text(), st.lists(st.text(), max_size=3)))
def test_single_choice_arbitrary_form_is_normalised_or_rejected(form: dict[str, list[str]]) -> None:
    try:
        response = sc.normalise(BODY, form)
    except ResponseError:
        return
    if response is not None:
        first = sc.score(BODY, KEY, response)
        assert Decimal(0) <= first.points <= first.max_points
        assert sc.score(BODY, KEY, response) == first
