"""The raw integrity observations of an attempt are deleted 180 days after it ended.

What goes: the "focus", "paste" and "viewed" events, and the browser family and network
prefix in the detail of the attempt's other events. What stays: the timeline's saves, the
answers, and the attempt's integrity assessment as it was computed just before, frozen
(``IntegrityAssessment.frozen_at``) so that no later recomputation of the campaign changes
it from what is left. The sweep calls ``delete_expired_observations`` every round.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from assess.models import Attempt, AttemptEvent, IntegrityAssessment
from assess.services.integrity_findings import refresh_campaign_tiers
from assess.services.integrity_recording import OBSERVATION_KINDS
from assess.services.request_origin import ORIGIN_KEYS

#: The privacy notice's promise (README, docs/integrity.md).
RAW_OBSERVATIONS_KEPT = timedelta(days=180)
#: Attempts handled per call: a round of the sweep stays short however many are due.
BATCH = 50


def delete_expired_observations(session: Session, now: datetime, batch: int = BATCH) -> int:
    """Delete the raw observations of up to ``batch`` attempts ended more than 180 days ago; how many."""
    due = session.execute(
        select(Attempt.id, Attempt.campaign_id)
        .outerjoin(IntegrityAssessment, IntegrityAssessment.attempt_id == Attempt.id)
        .where(
            Attempt.finalized_at < now - RAW_OBSERVATIONS_KEPT,
            Attempt.started_at.is_not(None),
            IntegrityAssessment.frozen_at.is_(None),
        )
        .order_by(Attempt.finalized_at)
        .limit(batch)
    ).all()
    session.rollback()
    if not due:
        return 0
    # The tiers are brought up to date from the full observations before any is deleted.
    for campaign_id in sorted({campaign for _, campaign in due}):
        refresh_campaign_tiers(session, campaign_id, now)
    # Only an attempt whose tier is stored loses what it was computed from (a refresh that lost a
    # race to another worker's leaves the rest for the next round).
    assessed = set(
        session.scalars(
            select(IntegrityAssessment.attempt_id).where(
                IntegrityAssessment.attempt_id.in_([attempt for attempt, _ in due])
            )
        )
    )
    attempts = [attempt for attempt, _ in due if attempt in assessed]
    session.execute(
        delete(AttemptEvent).where(
            AttemptEvent.attempt_id.in_(attempts), AttemptEvent.kind.in_(sorted(OBSERVATION_KINDS))
        )
    )
    for event in session.scalars(select(AttemptEvent).where(AttemptEvent.attempt_id.in_(attempts))):
        if any(key in event.detail for key in ORIGIN_KEYS):
            event.detail = {key: value for key, value in event.detail.items() if key not in ORIGIN_KEYS}
    session.execute(
        update(IntegrityAssessment)
        .where(IntegrityAssessment.attempt_id.in_(attempts))
        .values(frozen_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return len(attempts)
