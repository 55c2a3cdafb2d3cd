"""Signals that compare a campaign's attempts with each other, gathered per attempt id."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from integrity.matching_answers import matching_answers
from integrity.observations import ChosenAnswer, ItemRef, RequestOrigin, WrittenAnswer
from integrity.origins import shared_networks
from integrity.rules import IntegrityRules
from integrity.signals import Signal
from integrity.written_similarity import similar_written_answers


def campaign_signals(
    origins: Mapping[int, Sequence[RequestOrigin]],
    written: Sequence[WrittenAnswer],
    chosen: Sequence[ChosenAnswer],
    materials: Mapping[ItemRef, str],
    rules: IntegrityRules,
) -> dict[int, list[Signal]]:
    """``materials``: per written item version, the prompt and notes candidates could quote."""
    gathered: dict[int, list[Signal]] = defaultdict(list)
    for found in (
        shared_networks(origins, rules),
        similar_written_answers(written, rules, materials),
        matching_answers(chosen, rules),
    ):
        for attempt_id, signals in found.items():
            gathered[attempt_id].extend(signals)
    return dict(gathered)
