"""Extra time from staff: a running attempt's deadline moved later, with who and why."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from assess.models import Attempt, AttemptEvent, StaffUser, TimeGrant
from assess.services.attempt_phase import AttemptClosed, NoSuchAttempt, deadline_of
from assess.services.staff import record_audit
from assess.services.status_board import forget_status

MAX_GRANT_MINUTES = 600


def grant_extra_time(
    session: Session,
    attempt_id: int,
    minutes: int,
    granted_by: str,
    reason: str,
    now: datetime,
    actor: StaffUser | None = None,
) -> Attempt:
    """Move a running attempt's deadline later by ``minutes`` and record who did it and why.

    ``actor`` is the signed-in staff member (None from the command line, where
    ``granted_by`` names who asked); the audit entry and the timeline's event
    are written in the grant's own transaction (Invariant 7).
    """
    if not 1 <= minutes <= MAX_GRANT_MINUTES:
        raise ValueError(f"extra time must be from 1 to {MAX_GRANT_MINUTES} minutes, got {minutes}")
    granted_by = granted_by.strip()
    if not granted_by:
        raise ValueError("say who grants the extra time")
    while True:
        attempt = session.get(Attempt, attempt_id, populate_existing=True)
        if attempt is None:
            raise NoSuchAttempt(f"no attempt {attempt_id}")
        if attempt.finalized_at is not None:
            session.rollback()
            raise AttemptClosed(f"attempt {attempt_id} is already finalized; its time cannot change")
        # A prepared attempt has no deadline to move (NoSuchAttempt): its time starts at the Start.
        deadline = deadline_of(attempt)
        # Compare-and-set on the deadline: two grants at once both count, neither is lost.
        moved = session.execute(
            update(Attempt)
            .where(Attempt.id == attempt_id, Attempt.finalized_at.is_(None), Attempt.deadline == deadline)
            .values(deadline=deadline + timedelta(minutes=minutes))
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount == 1:  # type: ignore[attr-defined]
            session.add(
                TimeGrant(
                    attempt_id=attempt_id,
                    minutes=minutes,
                    granted_by=granted_by,
                    reason=reason.strip(),
                    granted_at=now,
                )
            )
            change = {
                "minutes": minutes,
                "by": granted_by,
                "reason": reason.strip(),
                "deadline_before": deadline.isoformat(),
                "deadline_after": (deadline + timedelta(minutes=minutes)).isoformat(),
            }
            session.add(AttemptEvent(attempt_id=attempt_id, at=now, kind="time_granted", detail=change))
            record_audit(
                session,
                actor,
                "attempt.grant_time",
                "invitation",
                attempt.invitation_id,
                {"attempt_id": attempt_id, **change},
                now,
            )
            session.commit()
            forget_status(session, attempt_id)
            session.refresh(attempt)
            return attempt
        session.rollback()
