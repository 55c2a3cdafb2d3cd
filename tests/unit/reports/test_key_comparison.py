"""SJT key comparison: alternative keys per type, and each key's statistics against the rest of the test."""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from items.bank import ItemVersion, load_banks
from items.base import Option, Schema
from items.types import sjt_most_least as most_least
from items.types import sjt_rate as rate
from reports.key_comparison import compare_keys, consensus_key, key_variant_scores

ROOT = Path(__file__).resolve().parents[3]
OPTIONS = [Option(id=i, text=f"Response {i}") for i in "abcd"]
ML_BODY = most_least.Body(prompt="A client is upset.", options=OPTIONS)
ML_KEY = most_least.Key(most="a", least="d")
RATE_BODY = rate.Body(prompt="Rate each response.", options=OPTIONS[:3], scale=rate.Scale(min=1, max=5))
RATE_KEY = rate.Key(ratings={"a": Decimal(5), "b": Decimal(1), "c": Decimal(3)})


def _item(item_type: str, body: Schema, key: Schema) -> ItemVersion:
    return ItemVersion(
        item_id="sjt-item",
        version="v1",
        type=item_type,
        title="An SJT item",
        section="sjt",
        minutes=Decimal(2),
        tags=(),
        rationale="",
        body=body,
        key=key,
        bank="bank",
        source="bank.yaml",
    )


def test_most_least_keyed_and_consensus_scores() -> None:
    responses = {
        "p1": most_least.Response(most="b", least="d"),
        "p2": most_least.Response(most="b", least="c"),
        "p3": most_least.Response(most="a", least="d"),
        "p4": most_least.Response(most="d", least="b"),
        "blank": None,
    }
    scores = key_variant_scores(_item("sjt_most_least", ML_BODY, ML_KEY), responses)
    # Expert key: most a, least d. Consensus: most b (2 picks), least d (2 picks).
    assert list(scores.columns) == ["keyed", "consensus"]
    assert scores.loc["p1"].tolist() == [1.0, 2.0]
    assert scores.loc["p2"].tolist() == [0.0, 1.0]
    assert scores.loc["p3"].tolist() == [2.0, 1.0]
    assert scores.loc["p4"].tolist() == [0.0, 0.0]  # keyed: -1 + 0, consensus: 0 - 1; both floored
    assert scores.loc["blank"].tolist() == [0.0, 0.0]


@pytest.mark.parametrize(
    ("picks", "most", "least"),
    [
        ([("a", "d"), ("b", "c")], "a", "c"),  # ties go to the option listed first
        ([("b", "a"), ("b", "a"), ("c", "b")], "b", "a"),
        ([("b", "a"), ("b", "c"), ("c", "b"), ("d", "b")], "b", "a"),  # least b is taken by most: next, a
        ([], "a", "d"),  # no picks: the expert's key
        ([("d", None)], "d", "a"),  # no least picks, expert least d is taken: the expert's most
    ],
)
def test_most_least_consensus_key(picks: list[tuple[str, str | None]], most: str, least: str) -> None:
    responses = [most_least.Response(most=m, least=pick) for m, pick in picks]
    key = most_least.consensus_key(ML_BODY, ML_KEY, responses)
    assert (key.most, key.least) == (most, least)
    assert key.rule == ML_KEY.rule


def test_rate_consensus_key_is_the_most_common_rating_with_ties_averaged() -> None:
    responses = [
        rate.Response(ratings={"a": 4, "b": 2}),
        rate.Response(ratings={"a": 4, "b": 3}),
        rate.Response(ratings={"a": 5}),
    ]
    key = rate.consensus_key(RATE_BODY, RATE_KEY, responses)
    # c: nobody rated it, so the expert's rating stays.
    assert key.ratings == {"a": Decimal(4), "b": Decimal("2.5"), "c": Decimal(3)}


def test_rate_scores_by_expert_and_by_consensus() -> None:
    responses = {
        "p1": rate.Response(ratings={"a": 4, "b": 2, "c": 3}),
        "p2": rate.Response(ratings={"a": 4, "b": 2, "c": 1}),
        "p3": rate.Response(ratings={"a": 5, "b": 1, "c": 3}),
        "p4": None,
    }
    scores = key_variant_scores(_item("sjt_rate", RATE_BODY, RATE_KEY), responses)
    # Consensus: a 4, b 2, c 3.  Span 4 per option.  p1: expert (4-1)+(4-1)+(4-0) = 10, consensus 12.
    assert scores.loc["p1"].tolist() == [10.0, 12.0]
    assert scores.loc["p2"].tolist() == [8.0, 10.0]
    assert scores.loc["p3"].tolist() == [12.0, 10.0]
    assert scores.loc["p4"].tolist() == [0.0, 0.0]


def _pearson(x: list[float], y: list[float]) -> float:
    mx, my = sum(x) / len(x), sum(y) / len(y)
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    return sxy / math.sqrt(sum((a - mx) ** 2 for a in x) * sum((b - my) ** 2 for b in y))


def _variance(values: list[float]) -> float:
    m = sum(values) / len(values)
    return sum((v - m) ** 2 for v in values) / (len(values) - 1)


def test_compare_keys_reports_mean_sd_rest_correlation_and_alpha_per_key() -> None:
    candidates = ["c1", "c2", "c3", "c4", "c5", "c6"]
    keyed, flat = [2.0, 2.0, 1.0, 0.0, 1.0, 0.0], [1.0, 2.0, 0.0, 2.0, 1.0, 1.0]
    scores = pd.DataFrame({"keyed": keyed, "flat": flat}, index=candidates)
    other_rows = [[1, 1], [1, 0], [1, 1], [0, 0], [0, 1], [0, 0]]
    others = pd.DataFrame(other_rows, index=candidates, columns=["q1", "q2"], dtype=float)
    others.loc["c7"] = [1.0, 1.0]  # no SJT score: left out
    rest = [float(sum(row)) for row in other_rows]
    comparisons = {c.key: c for c in compare_keys(scores, others)}
    for name, column in (("keyed", keyed), ("flat", flat)):
        result = comparisons[name]
        assert result.n == 6
        assert result.mean == pytest.approx(sum(column) / 6)
        assert result.sd == pytest.approx(math.sqrt(_variance(column)))
        assert result.rest_correlation == pytest.approx(_pearson(column, rest))
        items = [[float(v) for v in row] + [column[i]] for i, row in enumerate(other_rows)]
        totals = [sum(row) for row in items]
        item_variances = sum(_variance([row[j] for row in items]) for j in range(3))
        assert result.alpha == pytest.approx(1.5 * (1 - item_variances / _variance(totals)))
    assert comparisons["keyed"].rest_correlation > comparisons["flat"].rest_correlation  # type: ignore[operator]


def test_compare_keys_explains_a_key_that_gives_everyone_the_same_score() -> None:
    scores = pd.DataFrame({"constant": [1.0, 1.0, 1.0]}, index=["a", "b", "c"])
    others = pd.DataFrame({"q1": [0.0, 1.0, 1.0]}, index=["a", "b", "c"])
    (result,) = compare_keys(scores, others)
    assert result.rest_correlation is None
    assert "the constant key" in result.undefined["rest_correlation"]
    assert result.sd == 0.0
    assert result.alpha == pytest.approx(0.0)  # 2 * (1 - (1/3 + 0) / (1/3))


def test_shipped_sjt_items_get_their_types_alternative_keys() -> None:
    catalogue = load_banks([str(ROOT / "items" / "banks")])
    upset = catalogue.items["sjt-upset-client"]
    scores = key_variant_scores(upset, {"c1": most_least.Response(most="c", least="d"), "c2": None})
    assert list(scores.columns) == ["keyed", "consensus"]
    assert scores.loc["c1"].tolist() == [2.0, 2.0]  # the one candidate agrees with the expert
    rated = catalogue.items["sjt-renewal-at-risk"]
    ratings = rate.Response(ratings={"a": 6, "b": 2, "c": 1, "d": 2, "e": 3})
    assert list(key_variant_scores(rated, {"c1": ratings}).columns) == ["expert", "consensus"]
    with pytest.raises(ValueError, match="sjt_rank items have no alternative keys"):
        key_variant_scores(catalogue.items["sjt-monday-priorities"], {})


def test_consensus_key_of_a_shipped_item_is_its_types_consensus() -> None:
    catalogue = load_banks([str(ROOT / "items" / "banks")])
    upset = catalogue.items["sjt-upset-client"]
    picks = [most_least.Response(most="a", least="d"), most_least.Response(most="b", least="d")]
    assert consensus_key(upset, picks) == most_least.Key(most="a", least="d")
    rated = catalogue.items["sjt-renewal-at-risk"]
    ratings = [rate.Response(ratings={"a": 5, "b": 2, "c": 1, "d": 2, "e": 3})]
    assert consensus_key(rated, ratings).model_dump()["ratings"]["a"] == Decimal(5)
    with pytest.raises(ValueError, match="sjt_rank items have no alternative keys"):
        consensus_key(catalogue.items["sjt-monday-priorities"], [])
