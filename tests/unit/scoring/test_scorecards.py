"""Scorecard arithmetic: 0 is "not enough information", never a low score."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kits.model import InterviewKit, load_kits
from scoring.scorecards import (
    MustHaveFailure,
    competency_average,
    must_have_failures,
    rater_spread,
    unrated_must_haves,
)

KITS = Path(__file__).resolve().parents[3] / "kits"


@pytest.fixture(scope="module")
def smb_kit() -> InterviewKit:
    return load_kits([KITS / "account_manager_smb.yaml"]).kit("account-manager-smb")


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
def test_competency_average_leaves_out_not_enough_information(
    ratings: list[int], average: Decimal | None
) -> None:
    assert competency_average(ratings) == average


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
def test_rater_spread_measures_disagreement_between_ratings_given(
    ratings: list[int], spread: int | None
) -> None:
    assert rater_spread(ratings) == spread


@pytest.mark.parametrize("bad", [5, -1, 2.5, True, "3", None])
def test_ratings_off_the_0_to_4_scale_are_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="a rating is 0 .not enough information. or 1-4"):
        competency_average([3, bad])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="a rating is 0"):
        rater_spread([bad])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("communication", "failing_average"),
    [
        ([1], Decimal("1.00")),  # seed 003: a 1 on communication marks the candidate unsuitable
        ([1, 1, 0], Decimal("1.00")),
        ([1, 2], Decimal("1.50")),
        ([2], None),  # the minimum itself passes
        ([1, 3], None),  # one low outlier against a 3 averages to the minimum
        ([4, 3], None),
        ([0, 0], None),  # nobody could judge: a gap to close, not a failure
        ([], None),
    ],
)
def test_must_have_below_its_minimum_fails_the_candidate(
    smb_kit: InterviewKit, communication: list[int], failing_average: Decimal | None
) -> None:
    ratings = {"communication": communication, "integrity": [4, 4], "customer-focus": [1]}
    failures = must_have_failures(smb_kit, ratings)
    if failing_average is None:
        assert failures == []
    else:
        assert failures == [
            MustHaveFailure("communication", "Communication (written and verbal)", 2, failing_average)
        ]
        assert str(failures[0]) == (
            f"Communication (written and verbal): rated {failing_average}, below the must-have minimum of 2"
        )


def test_only_must_haves_can_fail_the_override(smb_kit: InterviewKit) -> None:
    # customer-focus rated 1 is a weak score, but only must-haves are overrides.
    assert must_have_failures(smb_kit, {"customer-focus": [1, 1], "communication": [3]}) == []


@pytest.mark.parametrize(
    ("ratings", "unrated"),
    [
        ({}, ["communication"]),
        ({"communication": [0, 0]}, ["communication"]),
        ({"communication": [0, 2]}, []),
    ],
)
def test_unrated_must_haves_are_named_so_the_gap_shows(
    smb_kit: InterviewKit, ratings: dict[str, list[int]], unrated: list[str]
) -> None:
    assert unrated_must_haves(smb_kit, ratings) == unrated


def test_ratings_for_a_competency_the_kit_lacks_are_refused(smb_kit: InterviewKit) -> None:
    with pytest.raises(ValueError, match="kit 'account-manager-smb' has no competency 'comunication'"):
        must_have_failures(smb_kit, {"comunication": [1]})
    with pytest.raises(ValueError, match="has no competency 'listening'"):
        unrated_must_haves(smb_kit, {"listening": [3]})
