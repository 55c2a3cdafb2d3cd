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
from typing import Any, Protocol


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
    """``section_totals`` of items already grouped, in the order sections first appear.

    A section's percent is the mean proportion of max over its scored items (an item worth
    0 counts as 0), summed as one exact fraction.
    """
    # section id -> [items, pending, points, max points, Σ proportions' numerator, denominator]
    sections: dict[str, list[Any]] = {}
    for section_id, top, pending, items, points in groups:
        section = sections.get(section_id)
        if section is None:
            section = sections[section_id] = [0, 0, Decimal(0), Decimal(0), 0, 1]
        section[0] += items
        section[2] += points
        section[3] += items * top
        if pending:
            section[1] += items
        elif top:
            points_n, points_d = points.as_integer_ratio()
            top_n, top_d = top.as_integer_ratio()
            n, d = points_n * top_d, points_d * top_n
            section[4], section[5] = section[4] * d + n * section[5], section[5] * d
    return [
        SectionTotal(
            section_id=section_id,
            items=items,
            pending=pending,
            points=points,
            max_points=top,
            percent=round_half_up(100 * n, (items - pending) * d, 1) if items > pending else None,
        )
        for section_id, (items, pending, points, top, n, d) in sections.items()
    ]


def overall_percent(totals: Iterable[SectionTotal]) -> Decimal | None:
    """The test's percentage so far: sections weighted equally; None while nothing is scored."""
    tenths = [int(t.percent * 10) for t in totals if t.percent is not None]
    if not tenths:
        return None
    return round_half_up(sum(tenths), 10 * len(tenths), 1)
