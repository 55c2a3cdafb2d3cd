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
from fractions import Fraction
from math import floor

from items.base import Score


@dataclass(frozen=True)
class SectionTotal:
    section_id: str
    items: int
    pending: int
    points: Decimal
    max_points: Decimal
    percent: Decimal | None

    @property
    def is_complete(self) -> bool:
        return self.pending == 0


def _percent(proportions: list[Fraction]) -> Decimal | None:
    # Exact fractions: with Decimal, 1/12 + 1/3 + 1/3 + 1 falls a hair short of the
    # tie 43.75 and would round down; a candidate's score must not depend on that.
    if not proportions:
        return None
    mean = sum(proportions, Fraction(0)) / len(proportions)
    tenths = floor(mean * 1000 + Fraction(1, 2))
    return Decimal(tenths) / 10


def section_totals(scored: Iterable[tuple[str, Score]]) -> list[SectionTotal]:
    """Totals per section, in the order sections first appear in ``scored``."""
    grouped: dict[str, list[Score]] = {}
    for section_id, score in scored:
        grouped.setdefault(section_id, []).append(score)
    totals = []
    for section_id, scores in grouped.items():
        final = [s for s in scores if not s.pending_review]
        proportions = [
            Fraction(s.points) / Fraction(s.max_points) if s.max_points else Fraction(0) for s in final
        ]
        totals.append(
            SectionTotal(
                section_id=section_id,
                items=len(scores),
                pending=len(scores) - len(final),
                points=sum((s.points for s in scores), Decimal(0)),
                max_points=sum((s.max_points for s in scores), Decimal(0)),
                percent=_percent(proportions),
            )
        )
    return totals


def overall_percent(totals: Iterable[SectionTotal]) -> Decimal | None:
    """The test's percentage: sections weighted equally; None while nothing is scored."""
    percents = [Fraction(t.percent) / 100 for t in totals if t.percent is not None]
    return _percent(percents)
