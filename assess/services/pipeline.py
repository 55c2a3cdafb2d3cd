"""A campaign's pipeline: every candidate, how far they have got, their scores so far, the decision.

The rules of "ready for a decision" and "link expiring soon" are SQL selects here, so that the
pipeline's filters and the staff home's counts read the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, exists, select
from sqlalchemy.orm import Session

from assess.models import (
    Attempt,
    AttemptItem,
    AuditEntry,
    HiringDecision,
    InterviewAssignment,
    Invitation,
    ItemScore,
    OutboxMessage,
    StaffUser,
)
from assess.models.debrief import DECISIONS
from assess.models.interview import Scorecard
from assess.models.review import RubricReview
from assess.services.attempt_phase import STARTED
from assess.services.mail import invitation_messages
from assess.services.staff import audit_entries
from items.base import Score
from scoring.totals import SectionTotal, overall_percent, section_totals

#: In the order a candidate moves through them; "revoked" and "expired" end the way early.
STATUSES = (
    "invited", "started", "finished", "graded", "reviewed", "interviewing", "interviewed", "decided",
    "expired", "revoked",
)  # fmt: skip
STATUS_TEXT = {
    "invited": "Invited, not started",
    "started": "Taking the test",
    "finished": "Finished, not yet graded",
    "graded": "Graded, written answers to review",
    "reviewed": "Graded and reviewed",
    "interviewing": "Interviews under way",
    "interviewed": "Interviewed, ready for a decision",
    "decided": "Decision recorded",
    "expired": "Link expired unused",
    "revoked": "Invitation revoked",
}
SORT_KEYS = ("email", "name", "status", "invited", "started", "score")
#: An unused link this close to its expiry is worth a reminder or an extension.
EXPIRING_WITHIN = timedelta(hours=48)


@dataclass(frozen=True)
class RecordedDecision:
    """The hiring decision in force for a candidate: the newest one recorded at the debrief."""

    decision: str
    decided_by: str
    decided_at: datetime

    @property
    def label(self) -> str:
        return DECISIONS[self.decision]

    @property
    def text(self) -> str:
        """The decision, who took it and when, as every page and export words it."""
        return f"{self.label}, by {self.decided_by}, {self.decided_at.strftime('%Y-%m-%d %H:%M')} UTC"


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
    decision: RecordedDecision | None = None

    @property
    def status_text(self) -> str:
        return STATUS_TEXT[self.status]


def campaign_pipeline(session: Session, campaign_id: int, now: datetime) -> list[PipelineRow]:
    """Every invitation of the campaign with its status and scores, oldest invitation first.

    An attempt only prepared is no attempt here: its candidate is invited, expired or revoked.
    """
    pairs = session.execute(
        select(Invitation, Attempt)
        .outerjoin(Attempt, and_(Attempt.invitation_id == Invitation.id, STARTED))
        .where(Invitation.campaign_id == campaign_id)
        .order_by(Invitation.created_at, Invitation.id)
    ).all()
    attempt_ids = [attempt.id for _, attempt in pairs if attempt is not None]
    scores = _scores_by_attempt(session, attempt_ids)
    scorecards = _submitted_scorecards(session, [invitation.id for invitation, _ in pairs])
    decisions = decisions_in_force(session, campaign_id)
    ready = set(session.scalars(ready_for_decision().where(Invitation.campaign_id == campaign_id)))
    rows = []
    for invitation, attempt in pairs:
        scored = scores.get(attempt.id, []) if attempt is not None else []
        pending = sum(1 for _, score in scored if score.pending_review)
        percent = overall_percent(section_totals(scored)) if scored else None
        cards = scorecards.get(invitation.id, 0)
        if invitation.id in decisions:
            status = "decided"
        elif invitation.id in ready:
            status = "interviewed"
        else:
            status = _status(invitation, attempt, bool(scored), pending, cards, now)
        rows.append(
            PipelineRow(
                invitation=invitation,
                attempt=attempt,
                status=status,
                percent=percent,
                pending_reviews=pending,
                scorecards=cards,
                decision=decisions.get(invitation.id),
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
        return "interviewing"
    if attempt is None:
        if invitation.revoked_at is not None:
            return "revoked"
        return "expired" if invitation.expires_at <= now else "invited"
    if attempt.finalized_at is None:
        return "started"
    if not graded:
        return "finished"
    return "graded" if pending else "reviewed"


def ready_for_decision() -> Select[int]:
    """Invitation ids whose debrief awaits a decision.

    Ready: at least one submitted scorecard, every assigned interviewer has submitted theirs for
    the assigned stage, and no decision is recorded yet.
    """
    submitted = Scorecard.status == "submitted"
    owed = exists().where(
        InterviewAssignment.invitation_id == Invitation.id,
        ~exists().where(
            Scorecard.invitation_id == InterviewAssignment.invitation_id,
            Scorecard.stage_id == InterviewAssignment.stage_id,
            Scorecard.interviewer_id == InterviewAssignment.interviewer_id,
            submitted,
        ),
    )
    return select(Invitation.id).where(
        exists().where(Scorecard.invitation_id == Invitation.id, submitted),
        ~owed,
        ~exists().where(HiringDecision.invitation_id == Invitation.id),
    )


def expiring_links(now: datetime) -> Select[int]:
    """Invitation ids whose unused, unrevoked link expires within ``EXPIRING_WITHIN`` of now."""
    return select(Invitation.id).where(
        Invitation.revoked_at.is_(None),
        Invitation.expires_at > now,
        Invitation.expires_at <= now + EXPIRING_WITHIN,
        ~exists().where(Attempt.invitation_id == Invitation.id, STARTED),
    )


def decisions_in_force(session: Session, campaign_id: int) -> dict[int, RecordedDecision]:
    """invitation id -> its newest decision, for every candidate of the campaign with one."""
    rows = session.execute(
        select(HiringDecision, StaffUser.name, StaffUser.email)
        .join(Invitation, Invitation.id == HiringDecision.invitation_id)
        .outerjoin(StaffUser, StaffUser.id == HiringDecision.decided_by)
        .where(Invitation.campaign_id == campaign_id)
        # Oldest first: a newer decision overwrites an older one in the dict.
        .order_by(HiringDecision.decided_at, HiringDecision.id)
    ).all()
    return {
        decision.invitation_id: RecordedDecision(
            decision.decision, (name or "").strip() or email or "the system", decision.decided_at
        )
        for decision, name, email in rows
    }


@dataclass(frozen=True)
class AssessmentResult:
    """A candidate's test as the debrief shows it: per section (title, total) and the test percent.

    A section with answers awaiting a reviewer is incomplete: its percent covers the graded items only.
    """

    attempt: Attempt | None
    sections: list[tuple[str, SectionTotal]]
    percent: Decimal | None

    @property
    def is_final(self) -> bool:
        return (
            self.attempt is not None
            and self.attempt.finalized_at is not None
            and all(total.is_complete for _, total in self.sections)
        )

    @property
    def pending(self) -> int:
        return sum(total.pending for _, total in self.sections)


def invitation_attempt(session: Session, invitation_id: int) -> Attempt | None:
    """The invitation's attempt, once the candidate has started."""
    return session.scalars(
        select(Attempt).where(Attempt.invitation_id == invitation_id, STARTED)
    ).one_or_none()


@dataclass(frozen=True)
class InvitationRecord:
    """What staff see of one invitation: its attempt, its emails (newest first), the audit log of both."""

    attempt: Attempt | None
    messages: list[OutboxMessage]
    history: list[tuple[AuditEntry, StaffUser | None]]


def invitation_record(session: Session, invitation_id: int) -> InvitationRecord:
    attempt = invitation_attempt(session, invitation_id)
    subjects = [("invitation", str(invitation_id))] + ([("attempt", str(attempt.id))] if attempt else [])
    history = [
        pair
        for subject_type, subject_id in subjects
        for pair in audit_entries(session, subject_type, [subject_id])
    ]
    history.sort(key=lambda pair: (pair[0].at, pair[0].id), reverse=True)
    return InvitationRecord(attempt, invitation_messages(session, invitation_id), history)


def expiring_invitation_ids(session: Session, campaign_id: int, now: datetime) -> set[int]:
    """The campaign's invitations whose link is worth a reminder (``expiring_links``)."""
    return set(session.scalars(expiring_links(now).where(Invitation.campaign_id == campaign_id)))


def assessment_result(session: Session, invitation_id: int) -> AssessmentResult:
    """The invitation's test result from its graded items (``scoring.totals``), or no attempt."""
    attempt = invitation_attempt(session, invitation_id)
    if attempt is None:
        return AssessmentResult(None, [], None)
    titles = dict(
        session.execute(
            select(AttemptItem.section_id, AttemptItem.section_title)
            .where(AttemptItem.attempt_id == attempt.id)
            .distinct()
        ).all()
    )
    totals = section_totals(_scores_by_attempt(session, [attempt.id]).get(attempt.id, []))
    return AssessmentResult(
        attempt,
        [(titles.get(total.section_id, total.section_id), total) for total in totals],
        overall_percent(totals) if totals else None,
    )


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
        in_force = reviews.get((attempt_id, item_score.position))
        if item_score.pending_review and in_force is not None:
            score = Score(in_force.points, in_force.max_points, ())
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
    only: set[int] | None = None,
) -> list[PipelineRow]:
    """The rows with ``status`` (any when empty) whose email or name contains ``query``, sorted.

    ``only``: invitation ids to keep (None keeps all). Rows without a value for the sort key
    (no score yet) come last either way.
    """
    needle = query.strip().lower()
    chosen = [
        row
        for row in rows
        if (not status or row.status == status)
        and (only is None or row.invitation.id in only)
        and (not needle or needle in row.invitation.email.lower() or needle in row.invitation.name.lower())
    ]
    key = _SORTS.get(sort, _SORTS["invited"])
    present = [row for row in chosen if key(row) is not None]
    missing = [row for row in chosen if key(row) is None]
    present.sort(key=key, reverse=descending)
    return present + missing


# Each key's values compare with each other; None (no value yet) is kept apart by filter_and_sort.
_SORTS: dict[str, Callable[[PipelineRow], Any]] = {
    "email": lambda row: row.invitation.email.lower(),
    "name": lambda row: row.invitation.name.lower() or None,
    "status": lambda row: STATUSES.index(row.status),
    "invited": lambda row: (row.invitation.created_at, row.invitation.id),
    "started": lambda row: row.attempt.started_at if row.attempt is not None else None,
    "score": lambda row: row.percent,
}
