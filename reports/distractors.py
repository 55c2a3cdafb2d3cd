"""Distractor tables: who chose each response option, overall and in the upper and lower groups.

The groups are the top and bottom 27 % of complete candidates by total (Kelley's
split): ``g = floor(0.27 * n + 1/2)``, at least 1. Every candidate tied with the g-th
highest total joins the upper group, and every one tied with the g-th lowest the lower
group, so a group can hold more than 27 %: ties are never split arbitrarily. When so
many candidates tie that the two groups would meet, there are no groups.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from reports.reliability import UndefinedStatistic

UPPER_LOWER_FRACTION = 0.27
#: How an empty response is listed: the candidate has a score but chose nothing.
OMITTED = "(omitted)"
# Totals are rounded before ranking so float drift in sums cannot split a tie.
TOTAL_DECIMALS = 9


@dataclass(frozen=True)
class ScoringGroups:
    """Candidate ids of the upper and lower groups, and the totals where each was cut."""

    upper: frozenset[str]
    lower: frozenset[str]
    upper_cut: float
    lower_cut: float


@dataclass(frozen=True)
class OptionChoice:
    """One response option of one item: how many chose it, overall and per group.

    Proportions are of the candidates with a score on the item (overall) and of each
    group's members; group fields are None when there are no groups.
    """

    response: str
    count: int
    proportion: float
    upper: int | None
    upper_proportion: float | None
    lower: int | None
    lower_proportion: float | None


def scoring_groups(totals: pd.Series) -> ScoringGroups:
    """Upper and lower 27 % groups from the totals of complete candidates (index: candidate id)."""
    count = len(totals)
    if count < 2:
        raise UndefinedStatistic(f"upper and lower groups need at least 2 complete candidates, got {count}")
    size = max(1, math.floor(UPPER_LOWER_FRACTION * count + 0.5))
    rounded = totals.astype(float).round(TOTAL_DECIMALS)
    ordered = np.sort(rounded.to_numpy())
    upper_cut, lower_cut = float(ordered[-size]), float(ordered[size - 1])
    if upper_cut <= lower_cut:
        raise UndefinedStatistic(
            f"too many candidates share the totals at the 27% cuts ({lower_cut:g} and {upper_cut:g}) "
            "for separate upper and lower groups"
        )
    return ScoringGroups(
        upper=frozenset(str(c) for c in rounded.index[rounded >= upper_cut]),
        lower=frozenset(str(c) for c in rounded.index[rounded <= lower_cut]),
        upper_cut=upper_cut,
        lower_cut=lower_cut,
    )


def distractor_table(responses: pd.Series, groups: ScoringGroups | None) -> list[OptionChoice]:
    """Choices of one item's options; ``responses`` maps candidate id to the option chosen.

    An empty or missing response is listed as ``OMITTED``; options are sorted by name,
    omitted responses last.
    """
    chosen = responses.fillna("").astype(str).replace("", OMITTED)
    candidates = chosen.index.astype(str)
    in_upper = candidates.isin(list(groups.upper)) if groups else np.zeros(len(chosen), dtype=bool)
    in_lower = candidates.isin(list(groups.lower)) if groups else np.zeros(len(chosen), dtype=bool)
    upper_size, lower_size = int(in_upper.sum()), int(in_lower.sum())
    options = sorted(chosen.unique(), key=lambda option: (option == OMITTED, option))
    table = []
    for option in options:
        picked = (chosen == option).to_numpy()
        upper, lower = int((picked & in_upper).sum()), int((picked & in_lower).sum())
        table.append(
            OptionChoice(
                response=option,
                count=int(picked.sum()),
                proportion=float(picked.sum()) / len(chosen),
                upper=upper if groups else None,
                upper_proportion=upper / upper_size if groups and upper_size else None,
                lower=lower if groups else None,
                lower_proportion=lower / lower_size if groups and lower_size else None,
            )
        )
    return table
