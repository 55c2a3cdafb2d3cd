"""A constructed campaign from observations to tiers, as the review page will read it."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

from integrity_timelines import EMAIL, attempt, lapse, origin, paste
from ruamel.yaml import YAML

from integrity.attempt_signals import attempt_signals
from integrity.campaign import campaign_signals
from integrity.observations import (
    NO_ACCOMMODATIONS,
    Accommodations,
    AnswerTime,
    AttemptObservations,
    ChosenAnswer,
    ItemRef,
    WrittenAnswer,
)
from integrity.rules import IntegrityRules
from integrity.signals import SignalKind
from integrity.tiers import Tier, tier

RULES = IntegrityRules()
ITEMS = [ItemRef(f"sjt-{n}", "v1") for n in range(6)]
EMAIL_TEXT = (
    "Team, Brightwater Veterinary Group may not renew on June 30 unless we are stable by the end of April. "
    "Reminder texts failed March 3 to 5 and about 140 appointments were missed; Eastgate and Millbrook are "
    "untrained; February was overbilled by $315. Tomás sends the root-cause report by March 14, Ayesha "
    "credits $315 by March 18, Ben trains Eastgate on March 19 and Millbrook on March 20, and I meet "
    "Siobhan Keane and Dr. Malhotra on March 27."
)


def independent_emails() -> list[str]:
    fixture = Path(__file__).resolve().parents[2] / "fixtures" / "integrity" / "answers.yaml"
    return [entry["text"] for entry in YAML(typ="safe").load(fixture.read_text())["independent"]]


def honest(attempt_id: int) -> AttemptObservations:
    return attempt(
        attempt_id,
        minutes=20 + attempt_id % 7,
        origins=(
            origin(0, network=f"10.0.{attempt_id}.0/24"),
            origin(1100, network=f"10.0.{attempt_id}.0/24"),
        ),
        answer_times=tuple(AnswerTime(p, item, 60.0 + attempt_id + 3 * p) for p, item in enumerate(ITEMS)),
    )


def test_a_campaign_tiers_each_attempt_from_its_own_and_its_shared_signals() -> None:
    attempts = [honest(n) for n in range(1, 31)]
    # Attempt 31 away a lot and pasting; 32 copies 33's email from another tab, on one network.
    attempts.append(
        attempt(31, focus_lapses=(lapse(0, 30, 200), lapse(2, 300, 340)), pastes=(paste(5, 400, 500),))
    )
    attempts += [
        attempt(32, origins=(origin(0), origin(1200))),
        attempt(33, origins=(origin(60), origin(1300))),
    ]
    emails = zip(attempts[:31], independent_emails()[:31], strict=True)
    written = [WrittenAnswer(a.attempt_id, 6, EMAIL, text) for a, text in emails]
    written += [
        WrittenAnswer(32, 6, EMAIL, EMAIL_TEXT + " Thanks, Sam"),
        WrittenAnswer(33, 6, EMAIL, EMAIL_TEXT),
    ]
    rng = random.Random(11)
    chosen = [
        ChosenAnswer(a.attempt_id, p, item, rng.choices("ABCD", weights=(6, 2, 1, 1))[0])
        for a in attempts
        for p, item in enumerate(ITEMS)
    ]
    shared = campaign_signals({a.attempt_id: a.origins for a in attempts}, written, chosen, {}, RULES)
    times = {
        item: [t.seconds for a in attempts[:30] for t in a.answer_times if t.item == item] for item in ITEMS
    }
    durations = [a.duration.total_seconds() for a in attempts[:30]]

    def tier_of(observed: AttemptObservations, granted: Accommodations = NO_ACCOMMODATIONS) -> Tier:
        found = attempt_signals(observed, times, durations, shared, RULES)
        return tier(found, granted, RULES).tier

    assert [tier_of(a) for a in attempts[:30]] == [Tier.NO_CONCERNS] * 30
    assert tier_of(attempts[30]) is Tier.MAJOR_CONCERNS
    assert tier_of(attempts[30], Accommodations(extra_time=Decimal("1.5"))) is Tier.SOME_CONCERNS
    assert tier_of(attempts[30], Accommodations(assistive_technology=True)) is Tier.NO_CONCERNS
    kinds = [s.kind for s in attempt_signals(attempts[31], times, durations, shared, RULES)]
    assert kinds == [SignalKind.SHARED_NETWORK, SignalKind.WRITTEN_SIMILARITY]
    assert tier_of(attempts[31]) is Tier.MAJOR_CONCERNS
    assert tier_of(attempts[32]) is Tier.MAJOR_CONCERNS
