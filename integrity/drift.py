"""Facility drift: an item answered correctly more and more often over time may have leaked.

The test: Kendall's tau between when each response was finished and its facility (points
over maximum, 0-1), one-sided for a rise; rank-based, so it holds for right/wrong items and
partial credit alike. The rise is the mean facility of the last third of responses minus the
first third's (a fitted slope is 0 for right/wrong items, whose pairs mostly tie), so a
significant but negligible trend in a large sample does not flag an item.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from integrity.observations import ItemRef
from integrity.rules import IntegrityRules


@dataclass(frozen=True)
class FacilityDrift:
    item: ItemRef
    responses: int
    #: Kendall's tau between time and facility, and its one-sided p-value.
    tau: float
    p_value: float
    #: Mean facility of the first and of the last third of responses, and the second minus the first.
    first_third: float
    last_third: float
    rise: float
    drifting: bool
    text: str


def facility_drift(
    item: ItemRef, responses: Sequence[tuple[datetime, float]], rules: IntegrityRules
) -> FacilityDrift | None:
    """Whether the item's facility rose over time; None below ``drift_min_sample`` responses.

    ``responses``: (when the attempt was finished, facility 0-1) for each scored response.
    """
    if len(responses) < rules.drift_min_sample:
        return None
    ordered = sorted(responses)
    start = ordered[0][0]
    days = [(at - start).total_seconds() / 86400 for at, _facility in ordered]
    facility = [value for _at, value in ordered]
    if len(set(days)) < 2 or len(set(facility)) < 2:
        mean = sum(facility) / len(facility)
        text = _text(item, len(ordered), 0.0, False)
        return FacilityDrift(item, len(ordered), 0.0, 1.0, mean, mean, 0.0, False, text)
    # Imported here: scipy.stats takes seconds to import, and every process that serves the app
    # imports this module, while only the statistics page reads drift.
    from scipy import stats

    tau = stats.kendalltau(days, facility, alternative="greater")
    third = len(facility) // 3
    first, last = sum(facility[:third]) / third, sum(facility[-third:]) / third
    rise = last - first
    drifting = bool(tau.pvalue < rules.drift_alpha and rise >= rules.drift_min_rise)
    text = _text(item, len(ordered), rise, drifting)
    return FacilityDrift(
        item, len(ordered), float(tau.statistic), float(tau.pvalue), first, last, rise, drifting, text
    )


def _text(item: ItemRef, responses: int, rise: float, drifting: bool) -> str:
    if drifting:
        return (
            f"{item.item_id}: facility rose by {rise:.2f} from the first third of its {responses} "
            "responses to the last; "
            "the item may have leaked, consider retiring it or writing a new version"
        )
    return f"{item.item_id}: no upward drift in facility over {responses} responses"
