"""Reliability statistics of a complete score matrix: alpha, SEM, item-rest correlation.

Every function takes one row per candidate and one column per item, with no gaps
(item analysis drops candidates who lack an item before calling these). Variances
are sample variances (ddof=1); alpha's variance ratio is the same with ddof=0, so on
0/1 items it equals KR-20's ``k/(k-1) * (1 - sum(p*q) / var(total))``.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pandas as pd

Values = npt.NDArray[np.float64]

# Sums of fractional points drift (0.1 + 0.2 != 0.3): values this close count as equal,
# so a constant total is never mistaken for a tiny variance that explodes a ratio.
RELATIVE_TOLERANCE = 1e-9


class UndefinedStatistic(ValueError):
    """A statistic the data cannot give; the message says why in words."""


def is_constant(values: Values) -> bool:
    if values.size == 0:
        return True
    low, high = float(values.min()), float(values.max())
    return high - low <= RELATIVE_TOLERANCE * max(1.0, abs(high), abs(low))


def cronbach_alpha(matrix: pd.DataFrame) -> float:
    """``k/(k-1) * (1 - sum of item variances / variance of the totals)``."""
    values = matrix.to_numpy(dtype=float)
    candidates, items = values.shape
    if items < 2:
        raise UndefinedStatistic(f"alpha needs at least 2 items, got {items}")
    if candidates < 2:
        raise UndefinedStatistic(f"alpha needs at least 2 complete candidates, got {candidates}")
    totals = values.sum(axis=1)
    if is_constant(totals):
        raise UndefinedStatistic("every complete candidate has the same total, so the total has no variance")
    item_variance = float(values.var(axis=0, ddof=1).sum())
    total_variance = float(totals.var(ddof=1))
    alpha = items / (items - 1) * (1 - item_variance / total_variance)
    # alpha <= 1 is a theorem (Cauchy-Schwarz); rounding can lift a perfectly consistent matrix a hair above.
    return min(alpha, 1.0)


def alpha_if_deleted(matrix: pd.DataFrame, item_id: str) -> float:
    """Alpha of the other items: above the full alpha means this item lowers reliability."""
    if matrix.shape[1] < 3:
        raise UndefinedStatistic(f"alpha if deleted needs at least 3 items, got {matrix.shape[1]}")
    return cronbach_alpha(matrix.drop(columns=[item_id]))


def item_rest_correlation(matrix: pd.DataFrame, item_id: str) -> float:
    """Pearson r of the item's score with the total of the other items (corrected item-total)."""
    if matrix.shape[1] < 2:
        raise UndefinedStatistic("with one item there is no rest of the test to correlate with")
    item = matrix[item_id].to_numpy(dtype=float)
    rest = matrix.drop(columns=[item_id]).to_numpy(dtype=float).sum(axis=1)
    return correlation(item, rest, "this item", "the other items")


def correlation(x: Values, y: Values, x_name: str, y_name: str) -> float:
    """Pearson r, in [-1, 1]; undefined when either side does not vary."""
    if x.size < 2:
        raise UndefinedStatistic(f"a correlation needs at least 2 complete candidates, got {x.size}")
    for values, name in ((x, x_name), (y, y_name)):
        if is_constant(values):
            raise UndefinedStatistic(f"every complete candidate has the same score on {name}")
    dx, dy = x - x.mean(), y - y.mean()
    r = float((dx * dy).sum()) / math.sqrt(float((dx * dx).sum()) * float((dy * dy).sum()))
    return max(-1.0, min(1.0, r))


def standard_error_of_measurement(sd: float, alpha: float) -> float:
    """``SD * sqrt(1 - alpha)``: the spread of observed totals around a candidate's true total."""
    return sd * math.sqrt(1 - alpha)
