from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from integrity_timelines import attempt, lapse, paste

from integrity.focus import time_away
from integrity.observations import NO_ACCOMMODATIONS, Accommodations
from integrity.pastes import pastes
from integrity.rules import IntegrityRules
from integrity.signals import FOCUS_AND_TIMING, Evidence, Signal, SignalKind
from integrity.tiers import CONVERSATION_NOT_VERDICT, Tier, tier

RULES = IntegrityRules()
EXTRA_TIME = Accommodations(extra_time=Decimal("1.5"))
SCREEN_READER = Accommodations(assistive_technology=True)

signals = st.builds(
    Signal,
    kind=st.sampled_from(SignalKind),
    weight=st.integers(0, 3),
    summary=st.just("a signal"),
    evidence=st.just((Evidence("seen"),)),
    rule=st.just("a rule"),
)
focus_and_timing = st.builds(
    Signal,
    kind=st.sampled_from(sorted(FOCUS_AND_TIMING)),
    weight=st.integers(0, 3),
    summary=st.just("focus or timing"),
    evidence=st.just((Evidence("seen"),)),
    rule=st.just("a rule"),
)
accommodations = st.builds(
    Accommodations,
    extra_time=st.sampled_from([Decimal(1), Decimal("1.25"), Decimal(2)]),
    assistive_technology=st.booleans(),
)


@given(st.lists(signals, max_size=8), signals, accommodations)
def test_adding_a_signal_never_lowers_the_tier(
    before: list[Signal], added: Signal, granted: Accommodations
) -> None:
    assert tier([*before, added], granted).tier >= tier(before, granted).tier


@given(st.lists(signals, max_size=8), st.lists(focus_and_timing, min_size=1, max_size=6))
def test_with_an_accommodation_focus_and_timing_never_raise_the_tier(
    others: list[Signal], focus: list[Signal]
) -> None:
    for granted in (EXTRA_TIME, SCREEN_READER):
        assert tier([*others, *focus], granted).tier == tier(others, granted).tier


@given(st.lists(signals, max_size=8), accommodations)
def test_an_accommodation_never_raises_a_tier(found: list[Signal], granted: Accommodations) -> None:
    assert tier(found, granted).tier <= tier(found, NO_ACCOMMODATIONS).tier


def test_the_same_timeline_is_tiered_up_without_an_accommodation_and_not_with_one() -> None:
    observed = attempt(focus_lapses=(lapse(2, 60, 90), lapse(5, 300, 480), lapse(9, 600, 640)))
    found = [s for s in (time_away(observed, RULES), pastes(observed, RULES)) if s is not None]
    assert tier(found, NO_ACCOMMODATIONS).tier is Tier.SOME_CONCERNS
    for granted in (EXTRA_TIME, SCREEN_READER):
        result = tier(found, granted)
        assert result.tier is Tier.NO_CONCERNS
        assert result.counted == ()
        assert [aside.signal.kind for aside in result.set_aside] == [SignalKind.TIME_AWAY]
    assert "because the candidate has extra time (x1.5)" in tier(found, EXTRA_TIME).explanation[1]


def test_assistive_technology_sets_pastes_aside_but_extra_time_does_not() -> None:
    found = [pastes(attempt(pastes=(paste(9, 60, 200),)), RULES)]
    assert tier(found, EXTRA_TIME).tier is Tier.SOME_CONCERNS  # type: ignore[arg-type]
    assert tier(found, SCREEN_READER).tier is Tier.NO_CONCERNS  # type: ignore[arg-type]


def test_the_tier_explains_the_rule_what_counted_and_carries_the_conversation_sentence() -> None:
    one = Signal(SignalKind.PASTE, 1, "1 paste into 1 answer, 80 characters in all", (), "rule")
    three = Signal(SignalKind.WRITTEN_SIMILARITY, 3, "Written answer to item 10 is 91% alike", (), "rule")
    assert tier([], NO_ACCOMMODATIONS).tier is Tier.NO_CONCERNS
    assert tier([one], NO_ACCOMMODATIONS).tier is Tier.SOME_CONCERNS
    result = tier([one, three], NO_ACCOMMODATIONS)
    assert result.tier is Tier.MAJOR_CONCERNS
    assert result.tier.label == "Major concerns"
    assert result.weight == 4
    assert result.explanation == (
        "The counted signals' weights are added: 1 or more is some concerns, 3 or more major concerns. "
        "With extra time or assistive technology, time away and timing signals are shown but not counted; "
        "with assistive technology, pastes too.",
        "Counted, weight 1: 1 paste into 1 answer, 80 characters in all.",
        "Counted, weight 3: Written answer to item 10 is 91% alike.",
        "Total weight 4: major concerns.",
    )
    assert result.notice == CONVERSATION_NOT_VERDICT
    assert "not grounds to reject" in result.notice


def test_tier_thresholds_come_from_the_rules() -> None:
    one = Signal(SignalKind.PASTE, 1, "a paste", (), "rule")
    lenient = IntegrityRules(some_concerns_from=2, major_concerns_from=5)
    assert tier([one], NO_ACCOMMODATIONS, lenient).tier is Tier.NO_CONCERNS
