"""Arithmetic on interview scorecard ratings: the mean, the raters' spread and their SD.

A rating is 0-4. 0 means the interviewer did not gather enough information: it is left out
of every average and spread, never counted as a low score (every seed insists on this),
so a competency nobody could judge has no average at all rather than a poor one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from kits.model import LEVELS, NOT_ENOUGH_INFORMATION
from scoring.totals import round_half_up

ALLOWED = frozenset((NOT_ENOUGH_INFORMATION, *LEVELS))


@dataclass(frozen=True)
class RatingSummary:
    """The ratings one competency (or goal) got, across the stages and raters given."""

    #: Mean of the 1-4 ratings, two decimals half up; None when nobody could rate it.
    mean: Decimal | None
    #: How many 1-4 ratings there are, and how many 0s.
    ratings: int
    unrated: int
    #: Highest minus lowest 1-4 rating: how far raters disagree.
    spread: int | None
    #: Population SD of the 1-4 ratings (these raters, not a sample of raters), two decimals.
    sd: Decimal | None


def summarise_ratings(ratings: Iterable[int]) -> RatingSummary:
    """Mean, spread and SD of the 1-4 ratings; the 0s are only counted as unrated."""
    given = list(ratings)
    # Types first: True and 2.0 equal 1 and 2, but are not ratings.
    if set(map(type, given)) - {int} or not ALLOWED.issuperset(given):
        bad = next(r for r in given if type(r) is not int or r not in ALLOWED)
        raise ValueError(f"a rating is 0 (not enough information) or 1-4, got {bad!r}")
    return _summary(tuple(sorted(given)))


def competency_summaries(ratings: Iterable[tuple[str, int]]) -> dict[str, RatingSummary]:
    """Each competency's summary over every (competency id, rating) given, in first-rated order."""
    grouped: dict[str, list[int]] = {}
    for competency, rating in ratings:
        grouped.setdefault(competency, []).append(rating)
    return {competency: summarise_ratings(given) for competency, given in grouped.items()}


# A campaign's ratings fall into few patterns (three raters on a 0-4 scale): each is worked out once.
@lru_cache(maxsize=4096)
def _summary(ordered: tuple[int, ...]) -> RatingSummary:
    rated = [rating for rating in ordered if rating != NOT_ENOUGH_INFORMATION]
    unrated = len(ordered) - len(rated)
    if not rated:
        return RatingSummary(None, 0, unrated, None, None)
    count, total = len(rated), sum(rated)
    # SD = sqrt(n Σx² - (Σx)²) / n: exact wherever the root is, so a tie rounds as Decimal would.
    root = Decimal(count * sum(r * r for r in rated) - total * total).sqrt()
    sd_n, sd_d = (root / count).as_integer_ratio()
    return RatingSummary(
        mean=round_half_up(total, count, 2),
        ratings=count,
        unrated=unrated,
        spread=rated[-1] - rated[0],
        sd=round_half_up(sd_n, sd_d, 2),
    )
