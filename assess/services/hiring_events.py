"""What each domain event says, read from the stored rows, for the services that publish them.

Totals are read with column queries, not through loaded objects: the finalization and review
services update them with bulk UPDATEs that loaded objects do not see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assess.models import Attempt, Campaign, HiringDecision, Invitation, InvitationExpiryNotice, ItemScore
from assess.services.attempt_phase import STARTED
from assess.services.domain_events import publish

#: An invitation that expired longer ago than this is not announced: upgrading a database with
#: years of old links must not send years of events.
EXPIRY_LOOKBACK = timedelta(days=7)


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def _attempt_facts(session: Session, attempt_id: int) -> dict[str, Any]:
    row = session.execute(
        select(Attempt.invitation_id, Campaign.slug, Attempt.finalized_at, Attempt.finalized_by)
        .join(Campaign, Campaign.id == Attempt.campaign_id)
        .where(Attempt.id == attempt_id)
    ).one()
    return {
        "attempt_id": attempt_id,
        "invitation_id": row.invitation_id,
        "campaign": row.slug,
        "finalized_at": _iso(row.finalized_at),
        "finalized_by": row.finalized_by,
    }


def _graded(
    session: Session, attempt_id: int, facts: dict[str, Any], at: datetime, *, regraded: bool = False
) -> None:
    total, top = session.execute(
        select(Attempt.total_points, Attempt.max_points).where(Attempt.id == attempt_id)
    ).one()
    points = {"points": float(total or 0), "max_points": float(top or 0)}
    publish(session, "attempt.graded", {**facts, **points, "regraded": regraded}, at=at)


def is_awaiting_review(session: Session, attempt_id: int) -> bool:
    waiting = exists().where(ItemScore.attempt_id == attempt_id, ItemScore.pending_review.is_(True))
    return bool(session.scalar(select(waiting)))


@dataclass(frozen=True)
class GradedState:
    """Whether an attempt is fully graded, and its totals: read before a change of its scores."""

    graded: bool
    points: Decimal | None
    max_points: Decimal | None


def graded_state(session: Session, attempt_id: int) -> GradedState:
    total, top = session.execute(
        select(Attempt.total_points, Attempt.max_points).where(Attempt.id == attempt_id)
    ).one()
    return GradedState(not is_awaiting_review(session, attempt_id), total, top)


def scores_changed(session: Session, attempt_id: int, before: GradedState, at: datetime) -> None:
    """``attempt.graded`` again after a regrade or a re-mark changed a finished attempt's scores.

    Sent with ``"regraded": true`` (and, as every delivery, a new ``webhook-id``) when the attempt
    was graded before and its total changed; with ``false`` when the change graded it for the
    first time. Nothing while an answer still waits for a reviewer: marking it announces it.
    """
    after = graded_state(session, attempt_id)
    if not after.graded:
        return
    if before.graded and (before.points, before.max_points) == (after.points, after.max_points):
        return
    _graded(session, attempt_id, _attempt_facts(session, attempt_id), at, regraded=before.graded)


def attempt_finalized(session: Session, attempt_id: int, at: datetime) -> None:
    """``attempt.finalized``, and ``attempt.graded`` too when no answer waits for a reviewer."""
    facts = _attempt_facts(session, attempt_id)
    publish(session, "attempt.finalized", facts, at=at)
    if not is_awaiting_review(session, attempt_id):
        _graded(session, attempt_id, facts, at)


def review_completed(session: Session, attempt_id: int, at: datetime) -> None:
    """``review.completed`` and ``attempt.graded``: the last written answer was just marked."""
    facts = _attempt_facts(session, attempt_id)
    publish(session, "review.completed", facts, at=at)
    _graded(session, attempt_id, facts, at)


def decision_recorded(session: Session, decision: HiringDecision, at: datetime) -> None:
    """``decision.recorded``: the decision itself, never its rationale (staff-only reasoning)."""
    slug = session.scalar(
        select(Campaign.slug)
        .join(Invitation, Invitation.campaign_id == Campaign.id)
        .where(Invitation.id == decision.invitation_id)
    )
    data = {
        "decision_id": decision.id,
        "invitation_id": decision.invitation_id,
        "campaign": slug,
        "decision": decision.decision,
        "decided_at": _iso(decision.decided_at),
    }
    publish(session, "decision.recorded", data, at=at)


def announce_expired_invitations(session: Session, now: datetime, limit: int = 100) -> int:
    """Publish ``invitation.expired`` once for each link that expired unused; return how many.

    Unused: not revoked and never started (a started attempt is finalized at its deadline and
    announced then). Each announcement commits on its own with its notice row, whose key makes
    it once per invitation however many sweeps race.
    """
    started = exists().where(Attempt.invitation_id == Invitation.id, STARTED)
    noticed = exists().where(InvitationExpiryNotice.invitation_id == Invitation.id)
    due = session.execute(
        select(Invitation.id, Invitation.expires_at, Campaign.slug)
        .join(Campaign, Campaign.id == Invitation.campaign_id)
        .where(
            Invitation.expires_at <= now,
            Invitation.expires_at > now - EXPIRY_LOOKBACK,
            Invitation.revoked_at.is_(None),
            ~started,
            ~noticed,
        )
        .order_by(Invitation.expires_at)
        .limit(limit)
    ).all()
    # SQLite cannot turn this read into a write once another writer committed: start afresh.
    session.rollback()
    announced = 0
    for invitation_id, expires_at, slug in due:
        try:
            session.add(InvitationExpiryNotice(invitation_id=invitation_id, published_at=now))
            session.flush()
            data = {"invitation_id": invitation_id, "campaign": slug, "expired_at": _iso(expires_at)}
            publish(session, "invitation.expired", data, at=now)
            session.commit()
            announced += 1
        except IntegrityError:
            session.rollback()  # another sweep announced it first
    return announced
