"""sjt_rank: one select per option, duplicate ranks, distance scoring, key checks, templates."""

from __future__ import annotations

import itertools
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
from items.types import sjt_rank as t

ROOT = Path(__file__).resolve().parents[3]
IDS = ["x", "y", "z", "w"]
BODY = t.Body(
    prompt="It is Monday morning.\nIn what order would you start on them?",
    options=[Option(id=i, text=f"Matter {i.upper()}") for i in IDS],
    first_label="start first",
    last_label="start last",
)
KEY = t.Key(ranking=["z", "w", "y", "x"])


def ranked(*order: str) -> t.Response:
    return t.Response(ranks={option: rank for rank, option in enumerate(order, start=1)})


@pytest.mark.parametrize(
    ("response", "points", "explanation"),
    [
        (ranked("z", "w", "y", "x"), "8", "Ranked 1, as in the model ranking."),
        (ranked("z", "y", "w", "x"), "6", "Ranked 3; the model ranks it 2: 1 place(s) off."),
        (ranked("w", "z", "x", "y"), "4", "Ranked 4; the model ranks it 3: 1 place(s) off."),
        (ranked("x", "y", "w", "z"), "0", "Ranked 4; the model ranks it 1: 3 place(s) off."),
        (ranked("x", "w", "y", "z"), "2", "Ranked 1; the model ranks it 4: 3 place(s) off."),
        (
            ranked("z", "w", "y"),
            "0",
            "Ranking incomplete: 3 of 4 responses ranked. Only complete rankings are scored.",
        ),
        (t.Response(ranks={"z": 1}), "0", "Ranking incomplete: 1 of 4"),
        (t.Response(ranks={"x": 4}), "0", "Ranking incomplete: 1 of 4"),
    ],
)
def test_rank_scores_max_minus_displacement(response: t.Response, points: str, explanation: str) -> None:
    result = t.score(BODY, KEY, response)
    assert result.points == Decimal(points)
    assert result.max_points == 8
    assert any(explanation in part.explanation for part in result.parts), result.parts
    assert sum(p.points for p in result.parts) == result.points
    assert sum(p.max_points for p in result.parts) == result.max_points


@pytest.mark.parametrize(("count", "top"), [(3, 4), (4, 8), (5, 12), (6, 18), (8, 32)])
def test_rank_max_is_the_largest_possible_displacement(count: int, top: int) -> None:
    ids = [str(i) for i in range(count)]
    body = t.Body(prompt="p", options=[Option(id=i, text=i) for i in ids])
    key = t.Key(ranking=ids)
    assert t.max_points(body, key) == top
    # The reversed model is the worst ranking, and it lands exactly on 0.
    assert t.score(body, key, ranked(*reversed(ids))).points == 0


def test_rank_no_permutation_scores_below_zero() -> None:
    ids = [str(i) for i in range(5)]
    body = t.Body(prompt="p", options=[Option(id=i, text=i) for i in ids])
    key = t.Key(ranking=ids)
    scores = {t.score(body, key, ranked(*order)).points for order in itertools.permutations(ids)}
    assert min(scores) == 0 and max(scores) == 12


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({}, None),
        ({"rank-x": [""], "rank-y": [" "], "other": ["1"]}, None),
        ({"rank-z": [" 1 "]}, t.Response(ranks={"z": 1})),
        ({"rank-x": ["4"], "rank-y": ["3"], "rank-z": ["1"], "rank-w": ["2"]}, ranked("z", "w", "y", "x")),
        ({"rank-x": ["2", "1"], "rank-y": [], "unrelated": ["x"]}, t.Response(ranks={"x": 2})),
    ],
)
def test_rank_normalises_partial_and_full_rankings(
    form: dict[str, list[str]], expected: t.Response | None
) -> None:
    assert t.normalise(BODY, form) == expected


@pytest.mark.parametrize(
    ("form", "field", "reason"),
    [
        ({"rank-x": ["1"], "rank-y": ["1"]}, "rank-y", "rank 1 is already given to another response"),
        ({"rank-w": ["2"], "rank-z": ["2"]}, "rank-w", "rank 2 is already given"),
        ({"rank-q": ["1"]}, "rank-q", "not one of the responses"),
        ({"rank-x": ["5"]}, "rank-x", "from 1 to 4"),
        ({"rank-x": ["0"]}, "rank-x", "from 1 to 4"),
        ({"rank-x": ["first"]}, "rank-x", "not a rank"),
    ],
)
def test_rank_rejects_duplicates_unknown_options_and_bad_ranks(
    form: dict[str, list[str]], field: str, reason: str
) -> None:
    with pytest.raises(ResponseError) as error:
        t.normalise(BODY, form)
    assert error.value.field == field
    assert reason in error.value.reason


@pytest.mark.parametrize("ranks", [{"q": 1}, {"x": 1, "y": 1}, {"x": 9}, {"x": 0}])
def test_rank_score_rejects_a_response_the_body_cannot_have(ranks: dict[str, int]) -> None:
    with pytest.raises(ResponseError):
        t.score(BODY, KEY, t.Response(ranks=ranks))


def test_rank_check_accepts_a_sound_key() -> None:
    assert t.check(BODY, KEY) == []


@pytest.mark.parametrize(
    ("ranking", "field", "message"),
    [
        (["z", "w", "y"], "key.ranking", "leaves out: x"),
        (["z", "w", "y", "x", "v"], "key.ranking[4]", "names option 'v'"),
        (["z", "w", "w", "x"], "key.ranking[2]", "'w' is ranked twice"),
        (["z", "w", "w", "x"], "key.ranking", "leaves out: y"),
    ],
)
def test_rank_check_catches_bad_keys(ranking: list[str], field: str, message: str) -> None:
    problems = t.check(BODY, t.Key(ranking=ranking))
    assert any(p.field == field and message in p.message for p in problems), problems


@pytest.mark.parametrize("count", [2, 9])
def test_rank_body_needs_three_to_eight_options(count: int) -> None:
    with pytest.raises(ValidationError):
        t.Body(prompt="p", options=[Option(id=str(i), text="x") for i in range(count)])


def test_rank_shuffles_only_when_asked_and_keeps_the_key() -> None:
    assert t.TYPE.draw(BODY, random.Random(5), False) == {"order": IDS}
    variant = t.TYPE.draw(BODY, random.Random(5), True)
    assert sorted(variant["order"]) == sorted(IDS) and variant["order"] != IDS
    body, key = t.TYPE.realize(BODY, KEY, variant)
    assert [o.id for o in body.options] == variant["order"] and key == KEY
    assert t.score(body, key, ranked("z", "w", "y", "x")).points == 8


@given(order=st.permutations(IDS), size=st.integers(min_value=0, max_value=4))
def test_rank_scores_stay_in_range_and_repeat(order: list[str], size: int) -> None:
    response = ranked(*order[:size])
    first = t.score(BODY, KEY, response)
    assert 0 <= first.points <= t.max_points(BODY, KEY)
    assert first == t.score(BODY, KEY, response)


form_fields = st.one_of(st.text(max_size=10), st.sampled_from([f"rank-{i}" for i in [*IDS, "v", ""]]))
form_values = st.lists(st.one_of(st.text(max_size=6), st.integers(-1, 6).map(str)), max_size=3)


@given(form=st.dictionaries(form_fields, form_values, max_size=6))
def test_rank_any_form_normalises_or_raises_response_error(form: dict[str, list[str]]) -> None:
    try:
        response = t.normalise(BODY, form)
    except ResponseError:
        return
    if response is not None:
        assert 0 <= t.score(BODY, KEY, response).points <= 8


@pytest.fixture(scope="module")
def macros() -> Any:
    env = item_templates()
    return env.get_template("items/sjt_rank.html").module


def test_rank_candidate_html_refills_and_shows_no_key(macros: Any) -> None:
    html = str(macros.candidate(BODY, t.Response(ranks={"y": 3, "w": 1}), "q4-"))
    y_select = html.split('name="q4-rank-y"')[1].split("</select>")[0]
    assert '<option value="3" selected>3</option>' in y_select
    w_select = html.split('name="q4-rank-w"')[1].split("</select>")[0]
    assert '<option value="1" selected>1 (start first)</option>' in w_select
    x_select = html.split('name="q4-rank-x"')[1].split("</select>")[0]
    assert '<option value="" selected>Choose a rank</option>' in x_select
    assert html.count(" selected") == 4
    assert html.count("<label") == len(IDS) and html.count("<select") == len(IDS)
    for leak in ("model", "key", "expert"):
        assert leak not in html.lower()


def test_rank_reviewer_shows_ranks_next_to_the_model(macros: Any) -> None:
    response = ranked("z", "y", "w", "x")
    html = str(macros.reviewer(BODY, KEY, response, t.score(BODY, KEY, response)))
    assert "Score: 6 of 8" in html
    assert html.count("1 place(s) off") == 2
    assert "Rank 1 = start first, rank 4 = start last" in html


def test_rank_shipped_item_awards_max_to_the_model_ranking() -> None:
    catalogue = load_banks([ROOT / "items/banks/account_manager_smb/sjt.yaml"])
    item = catalogue.items["sjt-monday-priorities"]
    body, key = item.body, item.key
    assert isinstance(body, t.Body) and isinstance(key, t.Key)
    assert [o.id for o in body.options] != key.ranking
    assert t.score(body, key, ranked(*key.ranking)).points == t.max_points(body, key) == 8
