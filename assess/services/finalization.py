"""The end of an attempt: the candidate's Submit, or the deadline sweep; each grades it, once."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assess.models import Attempt, AttemptEvent
from assess.services.attempt_phase import (
    PAST_GRACE,
    STARTED,
    NoSuchAttempt,
    grace_cutoff,
    is_open,
    is_started,
)
from assess.services.grading import grade_attempt
from assess.services.hiring_events import attempt_finalized
from assess.services.status_board import forget_status

log = logging.getLogger(__name__)

FINALIZED_BY = ("candidate", "deadline")


def submit_attempt(session: Session, attempt_id: int, now: datetime) -> None:
    """The candidate's Submit; a repeated Submit changes nothing.

    A Submit that arrives once the time is up is recorded as the deadline's doing:
    the time ran out before the candidate finished.
    """
    attempt = session.get(Attempt, attempt_id)
    if attempt is None or not is_started(attempt):
        raise NoSuchAttempt(f"no started attempt {attempt_id}")
    finalize_attempt(session, attempt_id, now, "candidate" if is_open(attempt, now) else "deadline")


def finalize_attempt(session: Session, attempt_id: int, now: datetime, by: str) -> bool:
    """Close the attempt and grade it against its pinned versions; False if it was already final.

    ``NoSuchAttempt`` for an attempt that does not exist or was only prepared: what was never
    started is never finished.
    """
    finalized = _finalize(session, attempt_id, now, by, expired_before=None)
    if finalized:
        # A Submit before the deadline must reach the attempt's other open pages (status_board).
        forget_status(session, attempt_id)
    return finalized


def _finalize(
    session: Session, attempt_id: int, now: datetime, by: str, expired_before: datetime | None
) -> bool:
    if by not in FINALIZED_BY:
        raise ValueError(f"finalized by {by!r}; expected one of {', '.join(FINALIZED_BY)}")
    closing = update(Attempt).where(Attempt.id == attempt_id, STARTED, Attempt.finalized_at.is_(None))
    cutoff = {}
    if expired_before is not None:
        # Staff may have granted time since the sweep looked: the deadline decides, not the list.
        closing = closing.where(PAST_GRACE)
        cutoff = {"grace_cutoff": expired_before}
    # Exactly once: of any number of racing finalizers, one UPDATE matches; the rest wait and match nothing.
    closed = session.execute(
        closing.values(finalized_at=now, finalized_by=by).execution_options(synchronize_session=False), cutoff
    )
    if closed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        found = session.get(Attempt, attempt_id)
        if found is None or not is_started(found):
            raise NoSuchAttempt(f"no started attempt {attempt_id}")
        return False
    kind = "submitted" if by == "candidate" else "finalized"
    session.add(AttemptEvent(attempt_id=attempt_id, at=now, kind=kind, detail={"by": by}))
    grade_attempt(session, attempt_id)
    # In the same transaction: the outbox rows exist exactly when the finalization does.
    attempt_finalized(session, attempt_id, now)
    session.commit()
    # A caller holding this attempt (a route, the CLI) sees it final and graded.
    session.get(Attempt, attempt_id, populate_existing=True)
    return True


def finalize_expired(session: Session, now: datetime, grace_seconds: int) -> int:
    """Finalize every attempt past its deadline + grace, browser or not; return how many."""
    cutoff = grace_cutoff(now, grace_seconds)
    due = session.scalars(
        select(Attempt.id).where(Attempt.finalized_at.is_(None), PAST_GRACE).order_by(Attempt.deadline),
        {"grace_cutoff": cutoff},
    ).all()
    session.rollback()
    finalized = 0
    for attempt_id in due:
        try:
            finalized += _finalize(session, attempt_id, now, "deadline", cutoff)
        except Exception:
            # One attempt that cannot be graded must not keep every other one open past its deadline.
            session.rollback()
            log.exception("could not finalize attempt %s", attempt_id)
    return finalized
