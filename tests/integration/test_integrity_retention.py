"""The raw integrity observations go 180 days after the attempt ended; its tier stays as computed.

The privacy notice promises it: times away, pastes, time on items and the browser family and
network prefix of each request are deleted by the sweep; the timeline's saves and the answers
stay, and the attempt's tier and signals are kept exactly as computed just before, whatever
later candidates of the same campaign change for everyone else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from integrity_setup import PASTER, TAB_SWITCHER, Behaviour, take_attempt
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import StaffClient

from assess.models import AttemptEvent, IntegrityAssessment
from assess.services.integrity_recording import OBSERVATION_KINDS
from assess.services.integrity_retention import RAW_OBSERVATIONS_KEPT
from assess.sweep import DeadlineSweep
from items.bank import Catalogue

if TYPE_CHECKING:
    from conftest import ControllableClock

LATER = Behaviour("later@example.com", away_seconds=(30,), network="198.51.102.0/24")
DAY = 24 * 60


def _events(session_factory: sessionmaker[Session], attempt_id: int) -> list[AttemptEvent]:
    with session_factory() as session:
        query = select(AttemptEvent).where(AttemptEvent.attempt_id == attempt_id).order_by(AttemptEvent.id)
        return list(session.scalars(query))


def _assessment(session_factory: sessionmaker[Session], attempt_id: int) -> dict[str, Any]:
    with session_factory() as session:
        row = session.get_one(IntegrityAssessment, attempt_id)
        return {"tier": row.tier, "weight": row.weight, "result": row.result, "frozen": row.frozen_at}


def test_the_sweep_deletes_raw_observations_after_180_days_and_keeps_the_tier_as_computed(
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    invite: Callable[..., str],
    clock: ControllableClock,
    staff_client: Callable[..., StaffClient],
) -> None:
    sweep = DeadlineSweep(session_factory, clock, grace_seconds=30, interval_seconds=60)
    old = [take_attempt(session_factory, catalogue, invite, clock, b) for b in (TAB_SWITCHER, PASTER)]
    sweep.assess_integrity_once()
    computed = {attempt: _assessment(session_factory, attempt) for attempt in old}
    assert computed[old[0]]["tier"] > 0 and computed[old[1]]["tier"] > 0
    kept_before = {
        attempt: [e.kind for e in _events(session_factory, attempt) if e.kind not in OBSERVATION_KINDS]
        for attempt in old
    }

    clock.advance(minutes=RAW_OBSERVATIONS_KEPT.days * DAY - 60)
    assert sweep.forget_expired_observations_once() == 0
    assert any(e.kind == "focus" for e in _events(session_factory, old[0]))

    clock.advance(minutes=2 * DAY)
    assert sweep.forget_expired_observations_once() == 2
    for attempt in old:
        left = _events(session_factory, attempt)
        assert [e.kind for e in left] == kept_before[attempt]
        assert not any("agent" in e.detail or "network" in e.detail for e in left)
        frozen = _assessment(session_factory, attempt)
        assert frozen["frozen"] == clock()
        assert {**frozen, "frozen": None} == computed[attempt]

    # A later candidate of the same campaign: the campaign is computed again, the frozen two are not.
    later = take_attempt(session_factory, catalogue, invite, clock, LATER)
    sweep.assess_integrity_once()
    assert _assessment(session_factory, later)["frozen"] is None
    for attempt in old:
        assert {**_assessment(session_factory, attempt), "frozen": None} == computed[attempt]
    assert sweep.forget_expired_observations_once() == 0
    assert any(e.kind == "focus" for e in _events(session_factory, later))

    page = staff_client("recruiter").get(f"/staff/review/attempts/{old[0]}").get_data(as_text=True)
    text = " ".join(page.split())
    assert "were deleted" in text and "kept as they were computed then" in text
    assert "Major concerns" in text or "Some concerns" in text
