"""Alpha, KR-20, SEM and item-rest correlation against values worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports.reliability import (
    UndefinedStatistic,
    alpha_if_deleted,
    correlation,
    cronbach_alpha,
    item_rest_correlation,
    standard_error_of_measurement,
)

# A perfect Guttman scale of 5 candidates on 4 items (each harder than the last).
# KR-20 by hand: p = .8 .6 .4 .2, sum(pq) = .16+.24+.24+.16 = .8; totals 4 3 2 1 0 have
# population variance 2; KR-20 = 4/3 * (1 - .8/2) = 0.8.
GUTTMAN = [[1, 1, 1, 1], [1, 1, 1, 0], [1, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]]

# Polytomous items (0-3) for Cronbach's alpha.
POLYTOMOUS = [[3, 2, 3], [2, 2, 1], [1, 0, 1], [3, 3, 2], [0, 1, 0], [2, 1, 2]]


def _matrix(rows: list[list[int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=[f"q{i + 1}" for i in range(len(rows[0]))], dtype=float)


def _sample_variance(values: list[float]) -> float:
    mean = sum(values) / len(values)
    return sum((v - mean) ** 2 for v in values) / (len(values) - 1)


def _pearson(x: list[float], y: list[float]) -> float:
    n = len(x)
    sx, sy = sum(x), sum(y)
    sxy = sum(a * b for a, b in zip(x, y, strict=True))
    sxx, syy = sum(a * a for a in x), sum(b * b for b in y)
    return (n * sxy - sx * sy) / math.sqrt((n * sxx - sx * sx) * (n * syy - sy * sy))


def _alpha_by_hand(rows: list[list[int]]) -> float:
    k = len(rows[0])
    columns = [[float(row[i]) for row in rows] for i in range(k)]
    totals = [float(sum(row)) for row in rows]
    return k / (k - 1) * (1 - sum(_sample_variance(c) for c in columns) / _sample_variance(totals))


def test_alpha_of_a_guttman_scale_is_the_textbook_kr20() -> None:
    assert cronbach_alpha(_matrix(GUTTMAN)) == pytest.approx(0.8)


def test_alpha_on_01_items_equals_kr20_formula() -> None:
    rows = [
        [1, 0, 1, 1, 0],
        [1, 1, 1, 0, 1],
        [0, 0, 1, 0, 0],
        [1, 1, 1, 1, 1],
        [0, 1, 0, 0, 0],
        [1, 0, 1, 1, 1],
    ]
    n, k = len(rows), len(rows[0])
    p = [sum(row[i] for row in rows) / n for i in range(k)]
    totals = [sum(row) for row in rows]
    mean = sum(totals) / n
    population_variance = sum((t - mean) ** 2 for t in totals) / n
    kr20 = k / (k - 1) * (1 - sum(pi * (1 - pi) for pi in p) / population_variance)
    assert cronbach_alpha(_matrix(rows)) == pytest.approx(kr20)


def test_alpha_of_polytomous_items_matches_hand_sums() -> None:
    assert cronbach_alpha(_matrix(POLYTOMOUS)) == pytest.approx(_alpha_by_hand(POLYTOMOUS))


def test_alpha_if_deleted_is_alpha_of_the_other_items() -> None:
    rows = [[row[0], row[1], row[3]] for row in GUTTMAN]  # q3 deleted
    assert alpha_if_deleted(_matrix(GUTTMAN), "q3") == pytest.approx(_alpha_by_hand(rows))


def test_item_rest_correlation_excludes_the_item_from_the_total() -> None:
    item = [float(row[0]) for row in POLYTOMOUS]
    rest = [float(row[1] + row[2]) for row in POLYTOMOUS]
    assert item_rest_correlation(_matrix(POLYTOMOUS), "q1") == pytest.approx(_pearson(item, rest))
    # The uncorrected item-total correlation is higher: the item correlates with itself.
    total = [float(sum(row)) for row in POLYTOMOUS]
    assert _pearson(item, total) > item_rest_correlation(_matrix(POLYTOMOUS), "q1")


def test_sem_is_sd_times_root_of_one_minus_alpha() -> None:
    assert standard_error_of_measurement(2.0, 0.75) == pytest.approx(1.0)
    assert standard_error_of_measurement(2.0, 1.0) == 0.0
    assert standard_error_of_measurement(2.0, -0.44) == pytest.approx(2.4)


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        ([[1], [0], [1]], "at least 2 items"),
        ([[1, 0, 1]], "at least 2 complete candidates"),
        ([[1, 0], [0, 1], [1, 0]], "same total"),
    ],
)
def test_alpha_is_undefined_with_a_reason(rows: list[list[int]], reason: str) -> None:
    with pytest.raises(UndefinedStatistic, match=reason):
        cronbach_alpha(_matrix(rows))


def test_alpha_if_deleted_needs_three_items() -> None:
    with pytest.raises(UndefinedStatistic, match="at least 3 items"):
        alpha_if_deleted(_matrix([[1, 0], [0, 0], [1, 1]]), "q1")


def test_item_everyone_got_right_has_no_discrimination() -> None:
    with pytest.raises(UndefinedStatistic, match="same score on this item"):
        item_rest_correlation(_matrix([[1, 0, 1], [1, 1, 1], [1, 0, 0]]), "q1")


def test_constant_rest_of_test_has_no_discrimination() -> None:
    with pytest.raises(UndefinedStatistic, match="same score on the other items"):
        item_rest_correlation(_matrix([[1, 0, 0], [0, 1, 1], [1, 0, 1]]), "q3")


def test_float_drift_in_totals_does_not_fake_a_variance() -> None:
    drift = pd.DataFrame([[0.1, 0.2], [0.3, 0.0], [0.2, 0.1]])
    assert drift.sum(axis=1).nunique() > 1  # 0.1 + 0.2 != 0.3 in binary
    with pytest.raises(UndefinedStatistic, match="same total"):
        cronbach_alpha(drift)


def test_correlation_is_plain_pearson() -> None:
    x, y = [1.0, 2.0, 3.0, 5.0], [2.0, 1.0, 4.0, 4.0]
    assert correlation(np.array(x), np.array(y), "x", "y") == pytest.approx(_pearson(x, y))


matrices = st.integers(min_value=2, max_value=6).flatmap(
    lambda k: st.lists(
        st.lists(st.integers(min_value=0, max_value=4), min_size=k, max_size=k), min_size=2, max_size=12
    )
)


@given(matrices)
def test_alpha_never_exceeds_one(rows: list[list[int]]) -> None:
    try:
        alpha = cronbach_alpha(_matrix(rows))
    except UndefinedStatistic:
        return
    assert alpha <= 1.0
    assert math.isfinite(alpha)


@given(st.integers(min_value=2, max_value=6), st.lists(st.integers(0, 4), min_size=2, max_size=12))
def test_parallel_identical_items_give_alpha_one(k: int, scores: list[int]) -> None:
    rows = [[score] * k for score in scores]
    if len(set(scores)) > 1:
        assert cronbach_alpha(_matrix(rows)) == pytest.approx(1.0)
