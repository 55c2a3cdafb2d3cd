"""What an attempt's stored events and answers say to the integrity rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from assess.models import Attempt, AttemptEvent
from assess.services.integrity_observations import attempt_observations
from integrity.observations import ItemRef

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SLOTS = {0: ItemRef("choice", "v1"), 1: ItemRef("skipped", "v1"), 2: ItemRef("email", "v1")}


def _viewed(position: int, seconds: float) -> AttemptEvent:
    return AttemptEvent(kind="viewed", position=position, at=START, detail={"seconds": seconds})


def test_an_item_looked_at_and_left_unanswered_has_no_answer_time() -> None:
    attempt = Attempt(
        id=7,
        started_at=START,
        deadline=START + timedelta(minutes=30),
        finalized_at=START + timedelta(minutes=20),
    )
    events = [_viewed(0, 40.0), _viewed(1, 1.5), _viewed(2, 300.0), _viewed(2, 20.0)]
    answers = {0: {"choice": "b"}, 1: None, 2: {"text": "Dear team"}}
    seen = attempt_observations(attempt, events, SLOTS, answers)
    assert [(t.position, t.seconds) for t in seen.answer_times] == [(0, 40.0), (2, 320.0)]
    assert seen.answered == 2 and seen.items == 3
