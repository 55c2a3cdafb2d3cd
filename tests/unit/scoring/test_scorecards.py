"""Scorecard arithmetic: 0 is "not enough information", never a low score."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.scorecards import RatingSummary, summarise_ratings


@pytest.mark.parametrize(
    ("ratings", "average"),
    [
        ([3], Decimal("3.00")),
        ([2, 4], Decimal("3.00")),
        ([1, 2, 2], Decimal("1.67")),
        ([3, 4, 4], Decimal("3.67")),
        ([1, 2], Decimal("1.50")),
        ([0, 4], Decimal("4.00")),  # the interviewer who could not judge does not pull it down
        ([0, 0, 2], Decimal("2.00")),
        ([0], None),  # nobody could judge: no average, not a zero
        ([0, 0], None),
        ([], None),
    ],
)
def test_the_mean_leaves_out_not_enough_information(ratings: list[int], average: Decimal | None) -> None:
    assert summarise_ratings(ratings).mean == average


@pytest.mark.parametrize(
    ("ratings", "spread"),
    [
        ([3], 0),
        ([3, 3, 3], 0),
        ([1, 4], 3),
        ([2, 3, 4], 2),
        ([0, 4, 3], 1),  # 0 is no opinion, so it is no disagreement either
        ([0, 0], None),
        ([], None),
    ],
)
def test_the_spread_measures_disagreement_between_ratings_given(
    ratings: list[int], spread: int | None
) -> None:
    assert summarise_ratings(ratings).spread == spread


@pytest.mark.parametrize("bad", [5, -1, 2.5, True, "3", None])
def test_ratings_off_the_0_to_4_scale_are_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="a rating is 0 .not enough information. or 1-4"):
        summarise_ratings([3, bad])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="a rating is 0"):
        summarise_ratings([bad])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("ratings", "summary"),
    [
        ([3, 4, 0], RatingSummary(Decimal("3.50"), 2, 1, 1, Decimal("0.50"))),
        ([2, 4], RatingSummary(Decimal("3.00"), 2, 0, 2, Decimal("1.00"))),
        ([1, 2, 4], RatingSummary(Decimal("2.33"), 3, 0, 3, Decimal("1.25"))),  # sqrt(14) / 3
        ([4], RatingSummary(Decimal("4.00"), 1, 0, 0, Decimal("0.00"))),
        ([0, 0], RatingSummary(None, 0, 2, None, None)),
    ],
)
def test_summary_counts_the_zeros_apart_and_measures_the_raters_sd(
    ratings: list[int], summary: RatingSummary
) -> None:
    assert summarise_ratings(ratings) == summary


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=6),
    st.integers(min_value=1, max_value=5),
)
def test_adding_zero_ratings_changes_nothing_but_the_unrated_count(ratings: list[int], zeros: int) -> None:
    without, with_zeros = summarise_ratings(ratings), summarise_ratings([*ratings, *([0] * zeros)])
    assert (with_zeros.mean, with_zeros.spread, with_zeros.sd) == (without.mean, without.spread, without.sd)
    assert with_zeros.unrated == without.unrated + zeros
