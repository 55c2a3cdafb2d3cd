"""A campaign's pipeline: every invited candidate, how far they have got, and their scores so far."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from assess.models import Attempt, AttemptItem, Invitation, ItemScore
from assess.models.interview import Scorecard
from assess.models.review import RubricReview
from items.base import Score
from scoring.totals import overall_percent, section_totals

#: In the order a candidate moves through them; "revoked" and "expired" end the way early.
STATUSES = ("invited", "started", "finished", "graded", "reviewed", "interviewed", "expired", "revoked")
STATUS_TEXT = {
    "invited": "Invited, not started",
    "started": "Taking the test",
    "finished": "Finished, not yet graded",
    "graded": "Graded, written answers to review",
    "reviewed": "Graded and reviewed",
    "interviewed": "Interviewed",
    "expired": "Link expired unused",
    "revoked": "Invitation revoked",
}
SORT_KEYS = ("email", "name", "status", "invited", "started", "score")


@dataclass(frozen=True)
class PipelineRow:
    invitation: Invitation
    attempt: Attempt | None
    status: str
    #: The test's percentage over what is scored so far; None before anything is.
    percent: Decimal | None
    #: Written answers still waiting for a reviewer.
    pending_reviews: int
    #: Submitted interview scorecards.
    scorecards: int

    @property
    def status_text(self) -> str:
        return STATUS_TEXT[self.status]


def campaign_pipeline(session: Session, campaign_id: int, now: datetime) -> list[PipelineRow]:
    """Every invitation of the campaign with its status and scores, oldest invitation first."""
    pairs = session.execute(
        select(Invitation, Attempt)
        .outerjoin(Attempt, Attempt.invitation_id == Invitation.id)
        .where(Invitation.campaign_id == campaign_id)
        .order_by(Invitation.created_at, Invitation.id)
    ).all()
    attempt_ids = [attempt.id for _, attempt in pairs if attempt is not None]
    scores = _scores_by_attempt(session, attempt_ids)
    scorecards = _submitted_scorecards(session, [invitation.id for invitation, _ in pairs])
    rows = []
    for invitation, attempt in pairs:
        scored = scores.get(attempt.id, []) if attempt is not None else []
        pending = sum(1 for _, score in scored if score.pending_review)
        percent = overall_percent(section_totals(scored)) if scored else None
        cards = scorecards.get(invitation.id, 0)
        rows.append(
            PipelineRow(
                invitation=invitation,
                attempt=attempt,
                status=_status(invitation, attempt, bool(scored), pending, cards, now),
                percent=percent,
                pending_reviews=pending,
                scorecards=cards,
            )
        )
    return rows


def _status(
    invitation: Invitation,
    attempt: Attempt | None,
    graded: bool,
    pending: int,
    scorecards: int,
    now: datetime,
) -> str:
    if scorecards:
        return "interviewed"
    if attempt is None:
        if invitation.revoked_at is not None:
            return "revoked"
        return "expired" if invitation.expires_at <= now else "invited"
    if attempt.finalized_at is None:
        return "started"
    if not graded:
        return "finished"
    return "graded" if pending else "reviewed"


def _scores_by_attempt(session: Session, attempt_ids: list[int]) -> dict[int, list[tuple[str, Score]]]:
    """(section id, score) per slot; a reviewed written answer counts with its reviewer's points."""
    if not attempt_ids:
        return {}
    reviews: dict[tuple[int, int], RubricReview] = {}
    for review in session.scalars(
        select(RubricReview)
        .where(RubricReview.attempt_id.in_(attempt_ids))
        .order_by(RubricReview.reviewed_at, RubricReview.id)
    ):
        reviews[(review.attempt_id, review.position)] = review  # the newest is in force
    rows = session.execute(
        select(AttemptItem.attempt_id, AttemptItem.section_id, ItemScore)
        .join(
            ItemScore,
            (ItemScore.attempt_id == AttemptItem.attempt_id) & (ItemScore.position == AttemptItem.position),
        )
        .where(AttemptItem.attempt_id.in_(attempt_ids))
        .order_by(AttemptItem.attempt_id, AttemptItem.position)
    ).all()
    scored: dict[int, list[tuple[str, Score]]] = {}
    for attempt_id, section_id, item_score in rows:
        review = reviews.get((attempt_id, item_score.position))
        if item_score.pending_review and review is not None:
            score = Score(review.points, review.max_points, ())
        else:
            score = Score(item_score.points, item_score.max_points, (), item_score.pending_review)
        scored.setdefault(attempt_id, []).append((section_id, score))
    return scored


def _submitted_scorecards(session: Session, invitation_ids: list[int]) -> dict[int, int]:
    """Interview stages with a submitted scorecard, per invitation (corrections count once)."""
    if not invitation_ids:
        return {}
    found: dict[int, set[tuple[str, str, int]]] = {}
    for card in session.scalars(
        select(Scorecard).where(
            Scorecard.invitation_id.in_(invitation_ids), Scorecard.submitted_at.is_not(None)
        )
    ):
        found.setdefault(card.invitation_id, set()).add((card.kit_id, card.stage_id, card.interviewer_id))
    return {invitation_id: len(cards) for invitation_id, cards in found.items()}


def filter_and_sort(
    rows: Iterable[PipelineRow],
    status: str = "",
    query: str = "",
    sort: str = "invited",
    descending: bool = False,
) -> list[PipelineRow]:
    """The rows with ``status`` (any when empty) whose email or name contains ``query``, sorted.

    Rows without a value for the sort key (no score yet) come last either way.
    """
    needle = query.strip().lower()
    chosen = [
        row
        for row in rows
        if (not status or row.status == status)
        and (not needle or needle in row.invitation.email.lower() or needle in row.invitation.name.lower())
    ]
    key = _SORTS.get(sort, _SORTS["invited"])
    present = [row for row in chosen if key(row) is not None]
    missing = [row for row in chosen if key(row) is None]
    present.sort(key=key, reverse=descending)  # type: ignore[arg-type,return-value]
    return present + missing


_SORTS = {
    "email": lambda row: row.invitation.email.lower(),
    "name": lambda row: row.invitation.name.lower() or None,
    "status": lambda row: STATUSES.index(row.status),
    "invited": lambda row: (row.invitation.created_at, row.invitation.id),
    "started": lambda row: row.attempt.started_at if row.attempt is not None else None,
    "score": lambda row: row.percent,
}
