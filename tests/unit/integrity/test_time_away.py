from datetime import timedelta

import pytest
from integrity_timelines import attempt, lapse

from integrity.focus import time_away
from integrity.observations import FocusLapse
from integrity.rules import IntegrityRules
from integrity.signals import SignalKind

RULES = IntegrityRules()


def test_two_short_glances_away_are_not_a_signal() -> None:
    observed = attempt(focus_lapses=(lapse(0, 10, 15), lapse(3, 100, 110)))
    assert time_away(observed, RULES) is None


@pytest.mark.parametrize(
    ("lapses", "why"),
    [
        ((lapse(0, 10, 13), lapse(1, 50, 53), lapse(2, 90, 93)), "three lapses"),
        ((lapse(4, 200, 235),), "one of 35 s"),
        ((lapse(1, 10, 35), lapse(2, 60, 85), lapse(2, 100, 125)), "75 s in all"),
    ],
)
def test_time_away_counts_from_its_count_total_or_longest_threshold(
    lapses: tuple[FocusLapse, ...], why: str
) -> None:
    signal = time_away(attempt(focus_lapses=lapses), RULES)
    assert signal is not None, why
    assert signal.kind is SignalKind.TIME_AWAY
    assert signal.weight == 1


def test_lapses_under_two_seconds_are_left_out() -> None:
    observed = attempt(focus_lapses=tuple(lapse(0, s, s + 1) for s in range(0, 100, 10)))
    assert time_away(observed, RULES) is None


def test_a_long_absence_doubles_the_weight_and_the_evidence_names_each_item() -> None:
    observed = attempt(focus_lapses=(lapse(2, 60, 70), lapse(5, 300, 450, hidden=True), lapse(5, 500, 505)))
    signal = time_away(observed, RULES)
    assert signal is not None
    assert signal.weight == 2
    assert signal.summary == "Away from the page 3 times, 2 min 45 s in all, 2 min 30 s at the longest"
    assert [e.position for e in signal.evidence] == [2, 5]
    assert signal.evidence[1].text == (
        "Item 6: away 2 times (2 with the page hidden), 2 min 35 s in all, "
        "longest 2 min 30 s from 10:05:00 UTC"
    )
    assert "3 times or more, 1 min or more in all, or 30 s or more at once" in signal.rule


def test_thresholds_come_from_the_rules() -> None:
    strict = IntegrityRules(away_count_from=1, away_ignore_under=timedelta(0))
    assert time_away(attempt(focus_lapses=(lapse(0, 10, 11),)), strict) is not None


def test_a_focus_lapse_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="item 3: regained before it was lost"):
        lapse(2, 50, 40)
