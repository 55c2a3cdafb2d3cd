"""Section and test totals from item scores.

Item types differ widely in raw maximum (a most/least pick is worth 2, rating five
options on a 1-6 scale 25), so raw sums would let one format outweigh the rest.
Each item therefore counts equally inside its section (the mean of its proportion
of max), and each section counts equally in the test: the seed weights written
communication heavily, and one section of one email is a quarter of the test.
Items waiting for a reviewer are left out of the percentages and counted as pending,
so an unreviewed answer is shown as incomplete, never as zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Protocol


class Scored(Protocol):
    """What totals read of an item's score (``items.base.Score`` has it)."""

    @property
    def points(self) -> Decimal: ...

    @property
    def max_points(self) -> Decimal: ...

    @property
    def pending_review(self) -> bool: ...


@dataclass(frozen=True)
class SectionTotal:
    section_id: str
    items: int
    pending: int
    points: Decimal
    max_points: Decimal
    #: Over the items already scored; None while every item awaits review.
    percent: Decimal | None

    @property
    def is_complete(self) -> bool:
        return self.pending == 0


def round_half_up(numerator: int, denominator: int, places: int) -> Decimal:
    """The non-negative ratio rounded half up to ``places`` decimals, exactly.

    Integers, not Decimal: with Decimal, 1/12 + 1/3 + 1/3 + 1 falls a hair short of the tie
    43.75 and would round down; a candidate's score must not depend on that.
    """
    scaled = numerator * 10**places
    return Decimal((2 * scaled + denominator) // (2 * denominator)).scaleb(-places)


#: (section id, max points, pending review, items, points): items of one section with the
#: same maximum and review state, and their points together. Summing loses nothing (the
#: section's proportions are Σ points / max per maximum), and a campaign's hundreds of
#: thousands of item scores fall into few such groups per section.
ItemPoints = tuple[str, Decimal, bool, int, Decimal]


def section_totals(scored: Iterable[tuple[str, Scored]]) -> list[SectionTotal]:
    """Totals per section, in the order sections first appear in ``scored``."""
    groups: dict[tuple[str, Decimal, bool], tuple[int, Decimal]] = {}
    for section_id, score in scored:
        key = (section_id, score.max_points, score.pending_review)
        items, points = groups.get(key, (0, Decimal(0)))
        groups[key] = (items + 1, points + score.points)
    return grouped_section_totals([(*key, *value) for key, value in groups.items()])


def grouped_section_totals(groups: Iterable[ItemPoints]) -> list[SectionTotal]:
    """``section_totals`` of items already grouped, in the order sections first appear."""
    sections: dict[str, list[ItemPoints]] = {}
    for group in groups:
        found = sections.get(group[0])
        if found is None:
            sections[group[0]] = [group]
        else:
            found.append(group)
    totals = []
    for section_id, found in sections.items():
        items = pending = 0
        points = top_points = Decimal(0)
        for _, top, is_pending, count, group_points in found:
            items += count
            points += group_points
            top_points += count * top
            if is_pending:
                pending += count
        percent = _percent(tuple(found)) if items > pending else None
        totals.append(SectionTotal(section_id, items, pending, points, top_points, percent))
    return totals


# A campaign's sections fall into far fewer patterns than it has candidates: each is worked out once.
@lru_cache(maxsize=65536)
def _percent(groups: tuple[ItemPoints, ...]) -> Decimal:
    """The mean proportion of max over the scored items (an item worth 0 counts as 0), exactly."""
    numerator, denominator, count = 0, 1, 0
    for _, top, pending, items, points in groups:
        if pending:
            continue
        count += items
        if top:
            points_n, points_d = points.as_integer_ratio()
            top_n, top_d = top.as_integer_ratio()
            n, d = points_n * top_d, points_d * top_n
            numerator, denominator = numerator * d + n * denominator, denominator * d
    return round_half_up(100 * numerator, count * denominator, 1)


def overall_percent(totals: Iterable[SectionTotal]) -> Decimal | None:
    """The test's percentage so far: sections weighted equally; None while nothing is scored."""
    tenths = [int(t.percent * 10) for t in totals if t.percent is not None]
    if not tenths:
        return None
    return round_half_up(sum(tenths), 10 * len(tenths), 1)
