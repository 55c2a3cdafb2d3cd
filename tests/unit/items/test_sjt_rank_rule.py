"""sjt_rank's scoring rule: distance from the model ranking (the default) or all-or-nothing."""

from __future__ import annotations

import itertools
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from item_templates import item_templates

from items.base import Option
from items.types import sjt_rank as t

ROOT = Path(__file__).resolve().parents[3]
BODY = t.Body(
    prompt="Put the drivers in finishing order.",
    options=[Option(id=i, text=f"Driver {i}") for i in ("a", "b", "c")],
    first_label="first",
    last_label="last",
)
EXACT = t.Key(ranking=["c", "a", "b"], rule="exact", points=Decimal(1))


def ranked(*order: str) -> t.Response:
    return t.Response(ranks={option: rank for rank, option in enumerate(order, start=1)})


@pytest.mark.parametrize(
    ("order", "points"),
    [
        (("c", "a", "b"), "1"),  # the model ranking
        (("a", "c", "b"), "0"),  # one swap: 2 of 4 under distance, nothing here
        (("b", "a", "c"), "0"),  # reversed
    ],
)
def test_exact_rule_gives_all_points_only_for_the_model_ranking(order: tuple[str, ...], points: str) -> None:
    score = t.score(BODY, EXACT, ranked(*order))
    assert (score.points, score.max_points) == (Decimal(points), Decimal(1))
    assert sum(p.points for p in score.parts) == score.points


def test_exact_rule_explains_a_miss_and_still_ignores_incomplete_rankings() -> None:
    [part] = t.score(BODY, EXACT, ranked("a", "c", "b")).parts
    assert part.explanation.startswith("Not the model ranking (c, a, b): 2 of 3 responses are out of place")
    [part] = t.score(BODY, EXACT, ranked("c", "a")).parts
    assert part.explanation.startswith("Ranking incomplete: 2 of 3")


def test_exact_rule_without_points_keeps_the_distance_rules_weight() -> None:
    key = t.Key(ranking=["c", "a", "b"], rule="exact")
    assert t.max_points(BODY, key) == t.max_points(BODY, t.Key(ranking=["c", "a", "b"])) == 4
    scores = {t.score(BODY, key, ranked(*order)).points for order in itertools.permutations("abc")}
    assert scores == {Decimal(0), Decimal(4)}


def test_distance_stays_the_default_rule() -> None:
    key = t.Key(ranking=["c", "a", "b"])
    assert key.rule == "distance"
    assert t.score(BODY, key, ranked("a", "c", "b")).points == 2


def test_check_refuses_points_on_the_distance_rule() -> None:
    [problem] = t.check(BODY, t.Key(ranking=["c", "a", "b"], points=Decimal(3)))
    assert (problem.field, problem.message) == (
        "key.points",
        "only the exact rule takes points; the distance rule's maximum is 4",
    )
    assert t.check(BODY, EXACT) == []


def test_reviewer_view_names_the_rule() -> None:
    env = item_templates()
    macros: Any = env.get_template("items/sjt_rank.html").module
    response = ranked("a", "c", "b")
    exact = str(macros.reviewer(BODY, EXACT, response, t.score(BODY, EXACT, response)))
    assert "Scoring: all-or-nothing, only the model ranking earns points." in exact
    distance_key = t.Key(ranking=["c", "a", "b"])
    distance = str(macros.reviewer(BODY, distance_key, response, t.score(BODY, distance_key, response)))
    assert "Scoring: by distance, each place away from the model rank costs 1 point." in distance
