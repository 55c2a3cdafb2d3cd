"""Rubric marks for written answers: the review queue, a reviewer's marks, the attempt's totals."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from assess.models import (
    Answer,
    Attempt,
    AttemptItem,
    Campaign,
    Invitation,
    ItemScore,
    RubricReview,
    StaffUser,
    StoredItemVersion,
)
from assess.services.attempt_phase import NoSuchAttempt
from assess.services.catalogue import pinned_item
from assess.services.hiring_events import graded_state, is_awaiting_review, review_completed, scores_changed
from assess.services.review import anonymous_code, candidate_label, has_rubric, key_versions
from assess.services.staff import record_audit
from items.bank import ItemVersion
from items.base import Schema
from scoring.items import parse_response


class NotReviewable(ValueError):
    """The answer cannot be marked by rubric: not a rubric item, not finished, or not answered."""


class ReviewConflict(Exception):
    """Someone else marked this answer after the reviewer opened it."""


@dataclass(frozen=True)
class PendingAnswer:
    """A written answer waiting for its rubric marks, in the review queue."""

    attempt_id: int
    position: int
    campaign_title: str
    candidate: str
    code: str
    item_title: str
    finalized_at: datetime
    has_rubric: bool


def pending_answers(session: Session) -> list[PendingAnswer]:
    """Every answer awaiting a reviewer, across campaigns, oldest finished first."""
    rows = session.execute(
        select(
            ItemScore.attempt_id, ItemScore.position, Attempt, Invitation, Campaign, StoredItemVersion.content
        )
        .join(Attempt, Attempt.id == ItemScore.attempt_id)
        .join(Invitation, Invitation.id == Attempt.invitation_id)
        .join(Campaign, Campaign.id == Attempt.campaign_id)
        .join(
            AttemptItem,
            and_(AttemptItem.attempt_id == ItemScore.attempt_id, AttemptItem.position == ItemScore.position),
        )
        .join(
            StoredItemVersion,
            and_(
                StoredItemVersion.item_id == AttemptItem.item_id,
                StoredItemVersion.version == AttemptItem.version,
            ),
        )
        .where(ItemScore.pending_review.is_(True))
        .order_by(Attempt.finalized_at, ItemScore.attempt_id, ItemScore.position)
    ).all()
    found = []
    for attempt_id, position, attempt, invitation, campaign, content in rows:
        keyed, key = _key_in_force(session, attempt_id, position)
        found.append(
            PendingAnswer(
                attempt_id=attempt_id,
                position=position,
                campaign_title=campaign.title,
                candidate=candidate_label(invitation),
                code=anonymous_code(invitation),
                item_title=content["title"],
                finalized_at=attempt.finalized_at,
                has_rubric=has_rubric(keyed, key),
            )
        )
    return found


def _key_in_force(session: Session, attempt_id: int, position: int) -> tuple[ItemVersion, Schema]:
    slot = session.get_one(AttemptItem, (attempt_id, position))
    version = key_versions(session, attempt_id)[position]
    keyed = pinned_item(session, slot.item_id, version)
    _, key = keyed.realize(slot.variant)
    return keyed, key


def latest_review_id(session: Session, attempt_id: int, position: int) -> int:
    """The id of the marks in force for this answer; 0 when nobody has marked it."""
    found = session.scalar(
        select(func.max(RubricReview.id)).where(
            RubricReview.attempt_id == attempt_id, RubricReview.position == position
        )
    )
    return found or 0


def score_rubric(
    session: Session,
    attempt_id: int,
    position: int,
    awards: Mapping[str, Decimal],
    reviewer: StaffUser,
    now: datetime,
    based_on: int,
) -> RubricReview:
    """Store a reviewer's marks for one written answer and the attempt's new totals.

    ``based_on`` is ``latest_review_id`` as the reviewer's page showed it: marks
    stored by someone else since then raise ``ReviewConflict`` and change nothing.
    A bad mark raises ``ResponseError`` naming its criterion.
    """
    slot = session.get(AttemptItem, (attempt_id, position))
    attempt = session.get(Attempt, attempt_id)
    if slot is None or attempt is None:
        raise NoSuchAttempt(f"attempt {attempt_id} has no item at position {position}")
    if attempt.finalized_at is None:
        raise NotReviewable("the attempt is still running; its answers can be marked once it is finished")
    previous = session.get(ItemScore, (attempt_id, position))
    if previous is None:
        raise NotReviewable("this answer has not been graded")
    shown = pinned_item(session, slot.item_id, slot.version)
    key_version = key_versions(session, attempt_id)[position]
    keyed = shown if key_version == slot.version else pinned_item(session, slot.item_id, key_version)
    body, _ = shown.realize(slot.variant)
    _, key = keyed.realize(slot.variant)
    rubric = keyed.item_type.rubric
    if rubric is None or shown.type != keyed.type:
        raise NotReviewable("this item has no rubric to mark")
    stored = session.scalar(
        select(Answer.response).where(Answer.attempt_id == attempt_id, Answer.position == position)
    )
    response = parse_response(shown, stored)
    if response is None:
        raise NotReviewable("the candidate did not answer this item, so there is nothing to mark")
    score = rubric.score(body, key, response, awards)
    graded_before = graded_state(session, attempt_id)
    before = {"points": str(previous.points), "max_points": str(previous.max_points)}
    # The UPDATE comes first: it takes the row's write lock, so the check below sees any
    # review committed meanwhile, on PostgreSQL and SQLite alike.
    session.execute(
        update(ItemScore)
        .where(ItemScore.attempt_id == attempt_id, ItemScore.position == position)
        .values(
            points=score.points,
            max_points=score.max_points,
            parts=score.as_json()["parts"],
            pending_review=False,
        )
        .execution_options(synchronize_session=False)
    )
    if latest_review_id(session, attempt_id, position) != based_on:
        session.rollback()
        raise ReviewConflict(
            "another reviewer marked this answer after you opened it; reload to see their marks"
        )
    review = RubricReview(
        attempt_id=attempt_id,
        position=position,
        reviewer_id=reviewer.id,
        reviewed_at=now,
        awards={criterion: str(points) for criterion, points in awards.items()},
        key_version=key_version,
        points=score.points,
        max_points=score.max_points,
    )
    session.add(review)
    recompute_totals(session, attempt_id)
    # After the attempt row's UPDATE, which waits for any other review of this attempt to commit:
    # of two reviewers marking its last two answers at once, the second sees none left.
    if previous.pending_review and not is_awaiting_review(session, attempt_id):
        review_completed(session, attempt_id, now)
    elif not previous.pending_review:
        scores_changed(session, attempt_id, graded_before, now)
    record_audit(
        session,
        reviewer,
        "attempt.rubric_score",
        "invitation",
        attempt.invitation_id,
        {
            "attempt_id": attempt_id,
            "item": position + 1,
            "item_id": slot.item_id,
            "awards": review.awards,
            "before": before,
            "after": {"points": str(score.points), "max_points": str(score.max_points)},
        },
        now,
    )
    session.commit()
    session.refresh(previous)
    return review


def recompute_totals(session: Session, attempt_id: int) -> None:
    """Set the attempt's totals from its item scores; the caller commits."""
    total, top = session.execute(
        select(
            func.coalesce(func.sum(ItemScore.points), 0), func.coalesce(func.sum(ItemScore.max_points), 0)
        ).where(ItemScore.attempt_id == attempt_id)
    ).one()
    session.execute(
        update(Attempt)
        .where(Attempt.id == attempt_id)
        .values(total_points=Decimal(total), max_points=Decimal(top))
        .execution_options(synchronize_session=False)
    )
