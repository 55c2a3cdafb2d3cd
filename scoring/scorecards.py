"""Arithmetic on interview scorecard ratings: averages, rater spread, must-have overrides.

A rating is 0-4. 0 means the interviewer did not gather enough information: it is left out
of every average and spread, never counted as a low score (every seed insists on this),
so a competency nobody could judge has no average at all rather than a poor one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from kits.model import LEVELS, NOT_ENOUGH_INFORMATION, InterviewKit

CENTS = Decimal("0.01")


def _rated(ratings: Iterable[int]) -> list[int]:
    """The ratings that judge something, after checking every one is on the 0-4 scale."""
    given = list(ratings)
    for rating in given:
        if (
            isinstance(rating, bool)
            or not isinstance(rating, int)
            or not (rating == NOT_ENOUGH_INFORMATION or rating in LEVELS)
        ):
            raise ValueError(f"a rating is 0 (not enough information) or 1-4, got {rating!r}")
    return [rating for rating in given if rating != NOT_ENOUGH_INFORMATION]


def competency_average(ratings: Iterable[int]) -> Decimal | None:
    """The mean of the 1-4 ratings, to two decimals; None when nobody could rate it."""
    rated = _rated(ratings)
    if not rated:
        return None
    return (Decimal(sum(rated)) / len(rated)).quantize(CENTS, rounding=ROUND_HALF_UP)


def rater_spread(ratings: Iterable[int]) -> int | None:
    """Highest minus lowest 1-4 rating: how far raters disagree; None when nobody rated."""
    rated = _rated(ratings)
    return max(rated) - min(rated) if rated else None


@dataclass(frozen=True)
class MustHaveFailure:
    """A must-have competency whose average rating is below the kit's minimum."""

    competency: str
    name: str
    minimum: int
    average: Decimal

    def __str__(self) -> str:
        return f"{self.name}: rated {self.average}, below the must-have minimum of {self.minimum}"


def _check_competencies(kit: InterviewKit, ratings: Mapping[str, Iterable[int]]) -> None:
    known = {competency.id for competency in kit.competencies}
    unknown = sorted(set(ratings) - known)
    if unknown:
        raise ValueError(f"kit {kit.id!r} has no competency {', '.join(map(repr, unknown))}")


def must_have_failures(kit: InterviewKit, ratings: Mapping[str, Iterable[int]]) -> list[MustHaveFailure]:
    """The kit's must-haves rated below their minimum, in the kit's order.

    ``ratings`` maps a competency id to every rating it got, across stages and raters.
    Seed 003: such a candidate is marked unsuitable whatever the overall score. The test is
    on the average, so that one rater's outlier alone does not decide; the debrief sees the
    disagreement through ``rater_spread``. A must-have nobody could rate is not a failure
    (0 is never a low score): ``unrated_must_haves`` names it, so the gap is visible.
    """
    _check_competencies(kit, ratings)
    failures = []
    for must_have in kit.must_haves:
        average = competency_average(ratings.get(must_have.competency, ()))
        if average is not None and average < must_have.minimum:
            name = kit.competency(must_have.competency).name
            failures.append(MustHaveFailure(must_have.competency, name, must_have.minimum, average))
    return failures


def unrated_must_haves(kit: InterviewKit, ratings: Mapping[str, Iterable[int]]) -> list[str]:
    """Ids of the kit's must-haves that no rating judged (all 0, or never rated)."""
    _check_competencies(kit, ratings)
    return [
        must_have.competency
        for must_have in kit.must_haves
        if competency_average(ratings.get(must_have.competency, ())) is None
    ]
