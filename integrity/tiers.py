"""The tier of a finished attempt: no, some or major concerns, with what counted and what did not.

The rule: add the weights of the counted signals; ``some_concerns_from`` or more is "some
concerns", ``major_concerns_from`` or more "major concerns". Weights are never negative, so a
signal added never lowers a tier. An attempt with extra time or assistive technology does not
count focus or timing signals (time away, fast items, a fast attempt): screen readers,
magnifiers, dictation and extra time change exactly those for honest candidates. With
assistive technology, pastes do not count either: dictation and word-prediction software
insert their text as pastes. Every signal is still shown, with why it was set aside.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from integrity.observations import Accommodations
from integrity.rules import DEFAULT_RULES, IntegrityRules
from integrity.signals import FOCUS_AND_TIMING, Signal, SignalKind

#: Shown with every tier, wherever a tier is shown.
CONVERSATION_NOT_VERDICT = (
    "Signals are prompts for a conversation with the candidate, not grounds to reject them: "
    "each has innocent explanations, and none changes a score."
)


class Tier(IntEnum):
    NO_CONCERNS = 0
    SOME_CONCERNS = 1
    MAJOR_CONCERNS = 2

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class SetAside:
    signal: Signal
    reason: str


@dataclass(frozen=True)
class TierResult:
    tier: Tier
    #: The sum of the counted signals' weights.
    weight: int
    counted: tuple[Signal, ...]
    set_aside: tuple[SetAside, ...]
    #: The rule, and how this attempt's signals met it, in plain sentences.
    explanation: tuple[str, ...]
    notice: str = CONVERSATION_NOT_VERDICT


def tier_rule(rules: IntegrityRules) -> str:
    return (
        f"The counted signals' weights are added: {rules.some_concerns_from} or more is some concerns, "
        f"{rules.major_concerns_from} or more major concerns. With extra time or assistive technology, "
        "time away and timing signals are shown but not counted; with assistive technology, pastes too."
    )


def tier(
    signals: Iterable[Signal], accommodations: Accommodations, rules: IntegrityRules = DEFAULT_RULES
) -> TierResult:
    counted: list[Signal] = []
    set_aside: list[SetAside] = []
    for signal in signals:
        reason = _not_counted(signal, accommodations)
        if reason:
            set_aside.append(SetAside(signal, reason))
        else:
            counted.append(signal)
    weight = sum(signal.weight for signal in counted)
    if weight >= rules.major_concerns_from:
        level = Tier.MAJOR_CONCERNS
    elif weight >= rules.some_concerns_from:
        level = Tier.SOME_CONCERNS
    else:
        level = Tier.NO_CONCERNS
    explanation = [tier_rule(rules)]
    explanation += [f"Counted, weight {s.weight}: {s.summary}." for s in counted]
    explanation += [f"Not counted: {aside.signal.summary}, {aside.reason}." for aside in set_aside]
    explanation.append(f"Total weight {weight}: {level.label.lower()}.")
    return TierResult(level, weight, tuple(counted), tuple(set_aside), tuple(explanation))


def _not_counted(signal: Signal, accommodations: Accommodations) -> str:
    if signal.kind in FOCUS_AND_TIMING:
        if accommodations.assistive_technology:
            return "because the candidate uses assistive technology"
        if accommodations.has_extra_time:
            return f"because the candidate has extra time (x{accommodations.extra_time})"
    if signal.kind is SignalKind.PASTE and accommodations.assistive_technology:
        return "because assistive technology (dictation, word prediction) inserts text as pastes"
    return ""
