"""sjt_rate: parsing ratings, distance-to-expert scoring, key checks, templates."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from item_templates import item_templates
from pydantic import ValidationError

from items.bank import load_banks
from items.base import Option, ResponseError
from items.types import sjt_rate as t

ROOT = Path(__file__).resolve().parents[3]
IDS = ["a", "b", "c", "d"]
BODY = t.Body(
    prompt="Sales wants an add-on pitched.\nHow effective is each response?",
    options=[Option(id=i, text=f"Response text {i.upper()}") for i in IDS],
    scale=t.Scale(min=1, max=6, labels={1: "Very ineffective", 6: "Very effective"}),
)
KEY = t.Key(ratings={"a": Decimal(2), "b": Decimal(6), "c": Decimal("4.5"), "d": Decimal(1)})


def rate(**ratings: int) -> t.Response:
    return t.Response(ratings=ratings)


@pytest.mark.parametrize(
    ("ratings", "points", "explanation"),
    [
        ({"a": 2, "b": 6, "c": 5, "d": 1}, "19.5", "Rated 6; the experts rate it 6: 0 off, so 5 - 0."),
        ({"a": 2, "b": 6, "c": 4, "d": 1}, "19.5", "Rated 4; the experts rate it 4.5: 0.5 off, so 5 - 0.5."),
        ({"a": 6, "b": 1, "c": 1, "d": 6}, "2.5", "Rated 1; the experts rate it 6: 5 off, so 5 - 5."),
        ({"a": 3}, "4", "Not rated; the experts rate it 6."),
        ({"b": 6, "d": 1}, "10", "Rated 1; the experts rate it 1: 0 off"),
        ({"c": 1}, "1.5", "Rated 1; the experts rate it 4.5: 3.5 off, so 5 - 3.5."),
    ],
)
def test_rate_scores_span_minus_distance_per_option(
    ratings: dict[str, int], points: str, explanation: str
) -> None:
    result = t.score(BODY, KEY, rate(**ratings))
    assert result.points == Decimal(points)
    assert result.max_points == 20
    assert any(explanation in part.explanation for part in result.parts)
    assert sum(p.points for p in result.parts) == result.points
    assert [p.label for p in result.parts] == [f"Response {i}" for i in IDS]


def test_rate_max_is_span_per_option() -> None:
    wide = BODY.model_copy(update={"scale": t.Scale(min=0, max=10)})
    assert t.max_points(wide, KEY) == 40
    assert t.max_points(BODY, KEY) == 20


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({}, None),
        ({"rating-a": [""], "other": ["4"]}, None),
        ({"rating-a": [" 3 "]}, rate(a=3)),
        ({"rating-a": ["3", "5"], "rating-b": ["6"], "rating-c": []}, rate(a=3, b=6)),
        ({"rating-d": ["1"], "unrelated": ["x"]}, rate(d=1)),
    ],
)
def test_rate_normalises_partial_and_full_ratings(
    form: dict[str, list[str]], expected: t.Response | None
) -> None:
    assert t.normalise(BODY, form) == expected


@pytest.mark.parametrize(
    ("form", "field", "reason"),
    [
        ({"rating-z": ["3"]}, "rating-z", "not one of the responses"),
        ({"rating-": ["3"]}, "rating-", "not one of the responses"),
        ({"rating-a": ["7"]}, "rating-a", "from 1 to 6"),
        ({"rating-a": ["0"]}, "rating-a", "from 1 to 6"),
        ({"rating-b": ["four"]}, "rating-b", "not a rating"),
        ({"rating-b": ["4.5"]}, "rating-b", "not a rating"),
    ],
)
def test_rate_rejects_unknown_options_and_off_scale_ratings(
    form: dict[str, list[str]], field: str, reason: str
) -> None:
    with pytest.raises(ResponseError) as error:
        t.normalise(BODY, form)
    assert error.value.field == field
    assert reason in error.value.reason


@pytest.mark.parametrize("response", [rate(z=3), rate(a=9), rate(a=0)])
def test_rate_score_rejects_a_response_the_body_cannot_have(response: t.Response) -> None:
    with pytest.raises(ResponseError):
        t.score(BODY, KEY, response)


def test_rate_check_accepts_a_sound_key() -> None:
    assert t.check(BODY, KEY) == []


@pytest.mark.parametrize(
    ("ratings", "field", "message"),
    [
        ({"a": 2, "b": 6, "c": 4}, "key.ratings", "response 'd' has no expert rating"),
        ({"a": 2, "b": 6, "c": 4, "d": 1, "e": 3}, "key.ratings.e", "names option 'e'"),
        ({"a": 2, "b": 7, "c": 4, "d": 1}, "key.ratings.b", "outside the scale 1-6"),
        ({"a": Decimal("0.5"), "b": 6, "c": 4, "d": 1}, "key.ratings.a", "outside the scale 1-6"),
    ],
)
def test_rate_check_catches_bad_keys(ratings: dict[str, Decimal], field: str, message: str) -> None:
    problems = t.check(BODY, t.Key(ratings=ratings))
    assert any(p.field == field and message in p.message for p in problems), problems


@pytest.mark.parametrize(
    "scale",
    [
        {"min": 3, "max": 3},
        {"min": 6, "max": 1},
        {"min": 0, "max": 11},
        {"min": 1, "max": 6, "labels": {7: "x"}},
    ],
)
def test_rate_scale_must_be_a_usable_range(scale: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        t.Scale.model_validate(scale)


def test_rate_scale_accepts_labels_from_yaml_as_text_keys() -> None:
    assert t.Scale.model_validate({"min": 1, "max": 6, "labels": {"1": "Very ineffective"}}).labels == {
        1: "Very ineffective"
    }


def test_rate_shuffles_only_when_asked_and_keeps_the_key() -> None:
    assert t.TYPE.draw(BODY, random.Random(3), False) == {"order": IDS}
    variant = t.TYPE.draw(BODY, random.Random(3), True)
    assert sorted(variant["order"]) == IDS and variant["order"] != IDS
    body, key = t.TYPE.realize(BODY, KEY, variant)
    assert [o.id for o in body.options] == variant["order"] and key == KEY
    assert t.score(body, key, rate(a=2, b=6, c=5, d=1)).points == Decimal("19.5")


@given(ratings=st.dictionaries(st.sampled_from(IDS), st.integers(min_value=1, max_value=6)))
def test_rate_scores_stay_in_range_and_repeat(ratings: dict[str, int]) -> None:
    response = t.Response(ratings=ratings)
    first = t.score(BODY, KEY, response)
    assert 0 <= first.points <= t.max_points(BODY, KEY)
    assert first == t.score(BODY, KEY, response)


form_fields = st.one_of(st.text(max_size=10), st.sampled_from([f"rating-{i}" for i in [*IDS, "z", ""]]))
form_values = st.lists(st.one_of(st.text(max_size=6), st.integers(-2, 9).map(str)), max_size=3)


@given(form=st.dictionaries(form_fields, form_values, max_size=5))
def test_rate_any_form_normalises_or_raises_response_error(form: dict[str, list[str]]) -> None:
    try:
        response = t.normalise(BODY, form)
    except ResponseError:
        return
    if response is not None:
        assert 0 <= t.score(BODY, KEY, response).points <= 20


@pytest.fixture(scope="module")
def macros() -> Any:
    env = item_templates()
    return env.get_template("items/sjt_rate.html").module


def test_rate_candidate_html_refills_and_shows_no_key(macros: Any) -> None:
    html = str(macros.candidate(BODY, rate(a=3, c=6), "q2-"))
    assert 'name="q2-rating-a" value="3"\n               checked' in html
    assert 'name="q2-rating-c" value="6"\n               checked' in html
    assert html.count("checked") == 2
    assert html.count("<label") == 6 * len(IDS)
    assert html.count("<legend>") == 1 + len(IDS)
    assert "6 (Very effective)" in html
    for leak in ("4.5", "expert", "key"):
        assert leak not in html.lower()


def test_rate_reviewer_shows_ratings_next_to_experts(macros: Any) -> None:
    response = rate(a=3)
    html = str(macros.reviewer(BODY, KEY, response, t.score(BODY, KEY, response)))
    assert "<td>3</td>" in html and "<td>4.5</td>" in html
    assert html.count("not rated") == 3
    assert "Score: 4 of 20" in html


def test_rate_shipped_items_award_max_to_integer_expert_ratings() -> None:
    catalogue = load_banks([ROOT / "items/banks/account_manager_smb/sjt.yaml"])
    items = [i for i in catalogue.items.values() if i.type == "sjt_rate"]
    assert {i.item_id for i in items} == {"sjt-expansion-vs-success", "sjt-renewal-at-risk"}
    for item in items:
        body, key = item.body, item.key
        assert isinstance(body, t.Body) and isinstance(key, t.Key)
        perfect = t.Response(ratings={i: int(r) for i, r in key.ratings.items()})
        assert t.score(body, key, perfect).points == t.max_points(body, key)
