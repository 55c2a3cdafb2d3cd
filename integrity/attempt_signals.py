"""Every signal of one attempt: its own rules, and the campaign-wide comparisons that name it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from integrity.focus import time_away
from integrity.observations import AttemptObservations, ItemRef
from integrity.origins import origin_change
from integrity.pastes import pastes
from integrity.rules import IntegrityRules
from integrity.signals import Signal
from integrity.timing import fast_attempt, fast_items


def attempt_signals(
    attempt: AttemptObservations,
    other_item_times: Mapping[ItemRef, Sequence[float]],
    other_durations: Sequence[float],
    campaign_signals: Mapping[int, Sequence[Signal]],
    rules: IntegrityRules,
) -> tuple[Signal, ...]:
    """The attempt's signals in a stable order.

    ``other_item_times`` and ``other_durations`` come from the campaign's other finished
    attempts; ``campaign_signals`` is what ``integrity.campaign`` found for each attempt id.
    """
    own = (
        time_away(attempt, rules),
        pastes(attempt, rules),
        origin_change(attempt, rules),
        fast_items(attempt, other_item_times, rules),
        fast_attempt(attempt, other_durations, rules),
    )
    return tuple(signal for signal in own if signal is not None) + tuple(
        campaign_signals.get(attempt.attempt_id, ())
    )
