"""Timing: items answered far faster than other candidates did, and attempts finished implausibly fast.

Each item is compared with its own distribution among the campaign's other candidates, never
with one threshold for all: a single-choice item takes seconds, the summary email minutes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from integrity.observations import AttemptObservations, ItemRef
from integrity.rules import IntegrityRules
from integrity.signals import Evidence, Signal, SignalKind, duration_text


def fast_items_rule(rules: IntegrityRules) -> str:
    return (
        f"An item is fast when answered in less than the {rules.fast_item_percentile:g}th percentile "
        f"of the other candidates' times for it and less than {rules.fast_item_median_fraction:.0%} "
        f"of their median, judged only with {rules.fast_item_min_sample} or more other times; "
        f"counted from {rules.fast_items_from} fast items; weight {rules.weight_fast_items}."
    )


def fast_attempt_rule(rules: IntegrityRules) -> str:
    return (
        f"Counted when at least {rules.fast_attempt_answered_share:.0%} of the items were answered and "
        f"the attempt took less than the {rules.fast_attempt_percentile:g}th percentile of the other "
        f"candidates' durations (with {rules.fast_attempt_min_sample} or more of them), or, with fewer, "
        f"less than {rules.fast_attempt_limit_fraction:.0%} of its time limit; "
        f"weight {rules.weight_fast_attempt}."
    )


def fast_items(
    attempt: AttemptObservations, others: Mapping[ItemRef, Sequence[float]], rules: IntegrityRules
) -> Signal | None:
    """``others``: per item version, the seconds other candidates spent on it (this attempt excluded)."""
    evidence = []
    for timing in sorted(attempt.answer_times, key=lambda t: t.position):
        times = others.get(timing.item, ())
        if len(times) < rules.fast_item_min_sample:
            continue
        low = float(np.percentile(times, rules.fast_item_percentile))
        median = float(np.median(times))
        if timing.seconds < low and timing.seconds < rules.fast_item_median_fraction * median:
            evidence.append(
                Evidence(
                    f"Item {timing.position + 1}: answered in {duration_text(timing.seconds)}; "
                    f"other candidates took {duration_text(median)} (median), "
                    f"{duration_text(low)} at the {rules.fast_item_percentile:g}th percentile, "
                    f"over {len(times)} attempts",
                    position=timing.position,
                )
            )
    if len(evidence) < rules.fast_items_from:
        return None
    return Signal(
        kind=SignalKind.FAST_ITEMS,
        weight=rules.weight_fast_items,
        summary=f"{len(evidence)} items answered far faster than other candidates answered them",
        evidence=tuple(evidence),
        rule=fast_items_rule(rules),
    )


def fast_attempt(
    attempt: AttemptObservations, other_durations: Sequence[float], rules: IntegrityRules
) -> Signal | None:
    """``other_durations``: seconds the campaign's other finished attempts took (this one excluded)."""
    if attempt.items == 0 or attempt.answered < rules.fast_attempt_answered_share * attempt.items:
        return None
    seconds = attempt.duration.total_seconds()
    answered = f"answered {attempt.answered} of {attempt.items} items in {duration_text(seconds)}"
    if len(other_durations) >= rules.fast_attempt_min_sample:
        low = float(np.percentile(other_durations, rules.fast_attempt_percentile))
        if seconds >= low:
            return None
        median = float(np.median(other_durations))
        compared = (
            f"other candidates took {duration_text(median)} (median), {duration_text(low)} "
            f"at the {rules.fast_attempt_percentile:g}th percentile, over {len(other_durations)} attempts"
        )
    else:
        limit = attempt.time_limit.total_seconds()
        if seconds >= rules.fast_attempt_limit_fraction * limit:
            return None
        compared = (
            f"the time limit was {duration_text(limit)} and too few other attempts "
            f"({len(other_durations)}) to compare with"
        )
    return Signal(
        kind=SignalKind.FAST_ATTEMPT,
        weight=rules.weight_fast_attempt,
        summary=f"Finished implausibly fast: {duration_text(seconds)}",
        evidence=(Evidence(f"The candidate {answered}; {compared}", at=attempt.finished_at),),
        rule=fast_attempt_rule(rules),
    )
