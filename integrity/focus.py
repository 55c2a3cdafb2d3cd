"""Time away: the page lost focus or was hidden while the candidate was answering."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from integrity.observations import AttemptObservations, FocusLapse
from integrity.rules import IntegrityRules
from integrity.signals import Evidence, Signal, SignalKind, duration_text


def time_away_rule(rules: IntegrityRules) -> str:
    return (
        f"Counted when the page was away {rules.away_count_from} times or more, "
        f"{duration_text(rules.away_total_from)} or more in all, "
        f"or {duration_text(rules.away_longest_from)} or more at once "
        f"(lapses under {duration_text(rules.away_ignore_under)} are left out); "
        f"weight {rules.weight_time_away}, doubled from {duration_text(rules.away_major_total)} in all "
        f"or {duration_text(rules.away_major_longest)} at once."
    )


def time_away(attempt: AttemptObservations, rules: IntegrityRules) -> Signal | None:
    """One signal for the attempt's time away, with each item's count, total and longest absence."""
    lapses = [lapse for lapse in attempt.focus_lapses if lapse.away >= rules.away_ignore_under]
    if not lapses:
        return None
    total = sum((lapse.away for lapse in lapses), timedelta())
    longest = max(lapse.away for lapse in lapses)
    if (
        len(lapses) < rules.away_count_from
        and total < rules.away_total_from
        and longest < rules.away_longest_from
    ):
        return None
    major = total >= rules.away_major_total or longest >= rules.away_major_longest
    return Signal(
        kind=SignalKind.TIME_AWAY,
        weight=rules.weight_time_away * (2 if major else 1),
        summary=(
            f"Away from the page {len(lapses)} {'time' if len(lapses) == 1 else 'times'}, "
            f"{duration_text(total)} in all, {duration_text(longest)} at the longest"
        ),
        evidence=tuple(_per_item(lapses)),
        rule=time_away_rule(rules),
    )


def _per_item(lapses: list[FocusLapse]) -> list[Evidence]:
    by_item: dict[int, list[FocusLapse]] = defaultdict(list)
    for lapse in lapses:
        by_item[lapse.position].append(lapse)
    evidence = []
    for position, own in sorted(by_item.items()):
        longest = max(own, key=lambda lapse: lapse.away)
        hidden = sum(1 for lapse in own if lapse.hidden)
        how = f" ({hidden} with the page hidden)" if hidden else ""
        evidence.append(
            Evidence(
                f"Item {position + 1}: away {len(own)} {'time' if len(own) == 1 else 'times'}{how}, "
                f"{duration_text(sum((lapse.away for lapse in own), timedelta()))} in all, "
                f"longest {duration_text(longest.away)} from {longest.lost_at:%H:%M:%S} UTC",
                position=position,
                at=longest.lost_at,
            )
        )
    return evidence
