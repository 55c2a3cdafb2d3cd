from integrity_timelines import EMAIL, attempt

from integrity.observations import AnswerTime, ItemRef
from integrity.rules import IntegrityRules
from integrity.signals import SignalKind
from integrity.timing import fast_attempt, fast_items

RULES = IntegrityRules()
ITEMS = [ItemRef(f"sjt-{n}", "v1") for n in range(5)]
#: 40 other candidates per item: 60-138 s, median 99 s.
OTHERS = {item: [60.0 + 2 * n for n in range(40)] for item in ITEMS}


def times(*seconds: float) -> tuple[AnswerTime, ...]:
    return tuple(AnswerTime(position, ITEMS[position], s) for position, s in enumerate(seconds))


def test_items_far_faster_than_their_own_distribution_count_from_three() -> None:
    signal = fast_items(attempt(answer_times=times(8, 9, 90, 10, 100)), OTHERS, RULES)
    assert signal is not None
    assert signal.kind is SignalKind.FAST_ITEMS
    assert [e.position for e in signal.evidence] == [0, 1, 3]
    assert signal.evidence[0].text == (
        "Item 1: answered in 8 s; other candidates took 1 min 39 s (median), 1 min 4 s at the 5th "
        "percentile, over 40 attempts"
    )


def test_two_fast_items_are_usual() -> None:
    assert fast_items(attempt(answer_times=times(8, 9, 90, 95, 100)), OTHERS, RULES) is None


def test_below_the_percentile_but_not_far_below_the_median_is_not_fast() -> None:
    # 50 s is under every other time, but half the median: a quick reader, not a signal.
    assert fast_items(attempt(answer_times=times(50, 50, 50, 50, 50)), OTHERS, RULES) is None


def test_items_with_too_few_other_times_are_not_judged() -> None:
    few = {item: values[:19] for item, values in OTHERS.items()}
    assert fast_items(attempt(answer_times=times(1, 1, 1, 1, 1)), few, RULES) is None


def test_each_item_is_judged_against_its_own_times_only() -> None:
    others = {**OTHERS, EMAIL: [300.0 + n for n in range(30)]}
    timed = (*times(8, 9, 90, 95, 100), AnswerTime(5, EMAIL, 40))
    assert fast_items(attempt(answer_times=timed), others, RULES) is not None


def test_a_complete_attempt_far_quicker_than_the_others_is_implausibly_fast() -> None:
    others = [1200.0 + 10 * n for n in range(30)]
    signal = fast_attempt(attempt(minutes=6), others, RULES)
    assert signal is not None
    assert signal.kind is SignalKind.FAST_ATTEMPT
    assert signal.summary == "Finished implausibly fast: 6 min"
    assert "answered 14 of 14 items in 6 min; other candidates took 22 min 25 s (median)" in (
        signal.evidence[0].text
    )
    assert fast_attempt(attempt(minutes=21), others, RULES) is None


def test_giving_up_early_is_not_implausibly_fast() -> None:
    assert fast_attempt(attempt(minutes=3, answered=4), [1200.0] * 30, RULES) is None


def test_without_enough_other_attempts_fast_means_a_small_part_of_the_limit() -> None:
    signal = fast_attempt(attempt(minutes=5, limit_minutes=30), [1200.0] * 3, RULES)
    assert signal is not None
    assert "the time limit was 30 min and too few other attempts (3)" in signal.evidence[0].text
    assert fast_attempt(attempt(minutes=7, limit_minutes=30), [], RULES) is None
