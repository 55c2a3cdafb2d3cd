"""The demo cohort's made-up integrity events: the recorded shape, and the signals they plant.

The events are read back as the integrity rules read observations, and the pure rules say who
stands out: exactly the planted candidates, and nobody else.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import and_, select
from sqlalchemy.orm import Session, sessionmaker

from assess.db import make_engine, make_session_factory, upgrade_database
from assess.demo.cohort import build_demo
from assess.models import Answer, Attempt, AttemptEvent, AttemptItem, Invitation
from assess.services.attempt_phase import STARTED
from assess.services.scorecards import kit_catalogue
from integrity.focus import time_away
from integrity.observations import (
    Accommodations,
    AttemptObservations,
    FocusLapse,
    ItemRef,
    Paste,
    RequestOrigin,
    WrittenAnswer,
)
from integrity.origins import origin_change, shared_networks
from integrity.pastes import pastes
from integrity.rules import IntegrityRules
from integrity.signals import SignalKind
from integrity.tiers import Tier, tier
from integrity.written_similarity import similar_written_answers
from items.bank import Catalogue, load_banks

SHIPPED_BANKS = Path(__file__).resolve().parents[2] / "items" / "banks"
NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
RULES = IntegrityRules()
ORIGIN = {"agent", "network"}
SHAPES = {
    "focus": {"regained_at", "hidden"} | ORIGIN,
    "paste": {"characters", "from_page"} | ORIGIN,
    "viewed": {"seconds"} | ORIGIN,
}


@pytest.fixture(scope="module")
def shipped() -> Catalogue:
    return load_banks([SHIPPED_BANKS])


def events_by_email(factory: sessionmaker[Session]) -> dict[str, list[tuple[Any, ...]]]:
    with factory() as session:
        rows = session.execute(
            select(
                Invitation.email,
                AttemptEvent.kind,
                AttemptEvent.position,
                AttemptEvent.at,
                AttemptEvent.detail,
            )
            .join(Attempt, and_(Attempt.invitation_id == Invitation.id, STARTED))
            .join(AttemptEvent, AttemptEvent.attempt_id == Attempt.id)
            .where(AttemptEvent.kind.in_(("started", "saved", "focus", "paste", "viewed")))
        ).all()
    found: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for email, kind, position, at, detail in rows:
        found[email].append((kind, position, at, sorted(detail.items())))
    return {email: sorted(events, key=repr) for email, events in found.items()}


def observations(session: Session, attempt: Attempt) -> AttemptObservations:
    """The attempt's observations, read from its events as the contract says they are stored."""
    lapses, pasted, origins = [], [], []
    events = session.scalars(select(AttemptEvent).where(AttemptEvent.attempt_id == attempt.id)).all()
    for event in events:
        detail = event.detail
        if event.kind in SHAPES:
            assert set(detail) == SHAPES[event.kind], (event.kind, detail)
            assert event.position is not None
        if event.kind in ("started", "saved", *SHAPES):
            origins.append(RequestOrigin(event.at, detail["agent"], detail["network"]))
        if event.kind == "focus":
            regained = datetime.fromisoformat(detail["regained_at"])
            assert regained.utcoffset() == timedelta(0)
            lapses.append(FocusLapse(event.position, event.at, regained, detail["hidden"]))
        elif event.kind == "paste":
            pasted.append(Paste(event.position, event.at, detail["characters"], detail["from_page"]))
        elif event.kind == "viewed":
            assert isinstance(detail["seconds"], float) and detail["seconds"] >= 0
    assert attempt.started_at is not None
    return AttemptObservations(
        attempt.id,
        attempt.started_at,
        attempt.finalized_at or NOW,
        attempt.deadline - attempt.started_at,
        items=1,
        answered=0,
        focus_lapses=tuple(lapses),
        pastes=tuple(pasted),
        origins=tuple(origins),
    )


def written_answers(session: Session, shipped: Catalogue) -> tuple[list[WrittenAnswer], dict[ItemRef, str]]:
    answers, materials = [], {}
    rows = session.execute(
        select(Answer, AttemptItem).join(
            AttemptItem,
            and_(AttemptItem.attempt_id == Answer.attempt_id, AttemptItem.position == Answer.position),
        )
    ).all()
    for answer, slot in rows:
        item = shipped.items[slot.item_id]
        if item.item_type.rubric is None or not answer.response:
            continue
        ref = ItemRef(slot.item_id, slot.version)
        body, _ = item.realize(slot.variant)
        materials[ref] = f"{body.prompt}\n{body.material}"  # type: ignore[attr-defined]
        answers.append(WrittenAnswer(answer.attempt_id, answer.position, ref, answer.response["text"]))
    return answers, materials


def test_the_cohort_plants_each_conduct_once_and_everyone_else_stays_under_the_thresholds(
    session_factory: sessionmaker[Session], shipped: Catalogue
) -> None:
    with session_factory() as session:
        build_demo(session, shipped, kit_catalogue(), 60, 2026, NOW)
    with session_factory() as session:
        started = session.execute(
            select(Invitation, Attempt).join(Attempt, and_(Attempt.invitation_id == Invitation.id, STARTED))
        ).all()
        seen = {attempt.id: observations(session, attempt) for _, attempt in started}
        invitations = {attempt.id: invitation for invitation, attempt in started}
        written, materials = written_answers(session, shipped)

    def having(rule: Any) -> dict[int, Any]:
        return {a: signal for a, o in seen.items() if (signal := rule(o, RULES)) is not None}

    # Every attempt answers from somewhere; most from one browser on one network, with a few short lapses.
    assert all(o.origins for o in seen.values())
    assert sum(bool(o.focus_lapses) for o in seen.values()) > len(seen) // 2

    away = having(time_away)
    assert len(away) == 2 and all(signal.weight == 2 for signal in away.values())
    assisted = [a for a in seen if invitations[a].assistive_technology]
    assert len(assisted) == 1 and assisted[0] in away
    assert invitations[assisted[0]].extra_time == Decimal("1.5")
    (switcher,) = set(away) - set(assisted)
    # The same pattern: as many lapses, all with the page hidden, of the same lengths.
    patterns = [sorted(round(lapse.away.total_seconds()) for lapse in seen[a].focus_lapses) for a in away]
    assert patterns[0] == patterns[1] and all(lapse.hidden for a in away for lapse in seen[a].focus_lapses)
    accommodations = {
        a: Accommodations(invitations[a].extra_time, invitations[a].assistive_technology) for a in away
    }
    assert tier([away[switcher]], accommodations[switcher]).tier is Tier.SOME_CONCERNS
    assert tier([away[assisted[0]]], accommodations[assisted[0]]).tier is Tier.NO_CONCERNS

    pasted = having(pastes)
    assert len(pasted) == 1 and next(iter(pasted.values())).weight == 2
    changed = having(origin_change)
    assert len(changed) == 1
    (moved,) = changed
    assert {origin.agent_family for origin in seen[moved].origins} >= {"Safari on iOS"}
    assert len({switcher, assisted[0], *pasted, moved}) == 4

    assert shared_networks({a: o.origins for a, o in seen.items()}, RULES) == {}
    similar = similar_written_answers(written, RULES, materials)
    assert len(similar) == 2
    (first, [signal]), (second, [other]) = similar.items()
    assert (signal.other_attempt, other.other_attempt) == (second, first)
    assert signal.kind is SignalKind.WRITTEN_SIMILARITY and signal.passages
    assert not {first, second} & {switcher, assisted[0], moved, *pasted}


def test_the_same_seed_plants_the_same_events_on_any_database(
    session_factory: sessionmaker[Session], shipped: Catalogue, tmp_path: Path
) -> None:
    with session_factory() as session:
        build_demo(session, shipped, kit_catalogue(), 16, 7, NOW)
    other_url = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    upgrade_database(other_url)
    engine = make_engine(other_url)
    try:
        with make_session_factory(engine)() as session:
            build_demo(session, shipped, kit_catalogue(), 16, 7, NOW)
        ours, theirs = events_by_email(session_factory), events_by_email(make_session_factory(engine))
    finally:
        engine.dispose()
    assert ours == theirs
    assert {kind for events in ours.values() for kind, *_ in events} >= {
        "started",
        "saved",
        "focus",
        "viewed",
    }
