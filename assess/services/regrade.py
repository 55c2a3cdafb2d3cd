"""Regrading: re-scoring finished attempts against a corrected key, explicitly and on the record.

Invariant 3: an attempt keeps showing the item version it pinned. A regrade only
changes which version's *key* scores it, and only when the candidate-visible body
is unchanged: a new body is a different question, and the attempt answered the old one.
Each regraded slot keeps a ``RegradedScore`` row with the score before and the key
version used after.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from assess.models import (
    Answer,
    Attempt,
    AttemptItem,
    Campaign,
    Invitation,
    ItemScore,
    Regrade,
    RegradedScore,
    RubricReview,
    StaffUser,
)
from assess.services.catalogue import pin_versions, pinned_item
from assess.services.hiring_events import graded_state, scores_changed
from assess.services.review import candidate_label, stored_score
from assess.services.rubric import recompute_totals
from assess.services.staff import record_audit
from items.bank import Catalogue, ItemVersion
from items.base import Part, ResponseError, Score, Variant
from scoring.items import max_points, parse_response, score_item


class NothingToRegrade(LookupError):
    """The item is not in the banks, or no finished attempt is scored with an older key."""


class RegradeStale(Exception):
    """The banks changed between the preview and the confirmation."""


@dataclass(frozen=True)
class RegradeRow:
    """One finished attempt's slot: its score now, and what the new key would give."""

    attempt_id: int
    position: int
    invitation_id: int
    candidate: str
    campaign_title: str
    pinned_version: str
    key_version: str
    before: Score
    after: Score
    note: str

    @property
    def changes(self) -> bool:
        return (self.before.points, self.before.max_points, self.before.pending_review) != (
            self.after.points,
            self.after.max_points,
            self.after.pending_review,
        )


@dataclass(frozen=True)
class RegradePlan:
    """What regrading ``item_id`` to the banks' current version would do."""

    item: ItemVersion
    rows: list[RegradeRow]
    #: Finished slots whose candidate saw a different body: they keep their score.
    refused: list[tuple[int, str]]
    #: Attempts still running on an older version: graded with the version they pinned.
    running: int

    @property
    def from_versions(self) -> list[str]:
        return sorted({row.key_version for row in self.rows})


@dataclass(frozen=True)
class OutdatedItem:
    item_id: str
    title: str
    current_version: str
    #: Key versions in force on finished attempts that differ from the current one.
    versions: list[str]
    attempts: int


def outdated_items(session: Session, catalogue: Catalogue) -> list[OutdatedItem]:
    """Items whose finished attempts are scored with a key the banks no longer hold."""
    slots = session.execute(
        select(AttemptItem.attempt_id, AttemptItem.position, AttemptItem.item_id, AttemptItem.version)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .where(Attempt.finalized_at.is_not(None))
    ).all()
    in_force = _key_versions_of(session, {s.attempt_id for s in slots})
    found: dict[str, tuple[set[str], set[int]]] = {}
    for attempt_id, position, item_id, version in slots:
        current = catalogue.items.get(item_id)
        key_version = in_force.get((attempt_id, position), version)
        if current is not None and key_version != current.version:
            versions, attempts = found.setdefault(item_id, (set(), set()))
            versions.add(key_version)
            attempts.add(attempt_id)
    return [
        OutdatedItem(
            item_id, catalogue.items[item_id].title, catalogue.items[item_id].version, sorted(v), len(a)
        )
        for item_id, (v, a) in sorted(found.items())
    ]


def _key_versions_of(session: Session, attempt_ids: set[int]) -> dict[tuple[int, int], str]:
    if not attempt_ids:
        return {}
    rows = session.execute(
        select(RegradedScore.attempt_id, RegradedScore.position, RegradedScore.key_version)
        .where(RegradedScore.attempt_id.in_(attempt_ids))
        .order_by(RegradedScore.id)
    ).all()
    return {(a, p): v for a, p, v in rows}


def plan_regrade(session: Session, catalogue: Catalogue, item_id: str) -> RegradePlan:
    """Before and after for every finished attempt not yet scored with the current version."""
    item = catalogue.items.get(item_id)
    if item is None:
        raise NothingToRegrade(f"no item {item_id!r} in the banks loaded")
    rows = session.execute(
        select(AttemptItem, Attempt, Invitation, Campaign, Answer.response, ItemScore)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .join(Invitation, Invitation.id == Attempt.invitation_id)
        .join(Campaign, Campaign.id == Attempt.campaign_id)
        .join(
            Answer, and_(Answer.attempt_id == AttemptItem.attempt_id, Answer.position == AttemptItem.position)
        )
        .outerjoin(
            ItemScore,
            and_(ItemScore.attempt_id == AttemptItem.attempt_id, ItemScore.position == AttemptItem.position),
        )
        .where(AttemptItem.item_id == item_id)
        .order_by(Attempt.finalized_at, Attempt.id, AttemptItem.position)
    ).all()
    in_force = _key_versions_of(session, {attempt.id for _, attempt, *_ in rows})
    plan_rows: list[RegradeRow] = []
    refused: list[tuple[int, str]] = []
    running = 0
    for slot, attempt, invitation, campaign, response, item_score in rows:
        key_version = in_force.get((slot.attempt_id, slot.position), slot.version)
        if key_version == item.version:
            continue
        if attempt.finalized_at is None or item_score is None:
            running += 1
            continue
        shown = pinned_item(session, slot.item_id, slot.version)
        if shown.type != item.type or shown.body != item.body:
            refused.append((attempt.id, "the new version changes what the candidate saw"))
            continue
        after, note = _rescore(session, item, shown, slot, response)
        plan_rows.append(
            RegradeRow(
                attempt_id=attempt.id,
                position=slot.position,
                invitation_id=invitation.id,
                candidate=candidate_label(invitation),
                campaign_title=campaign.title,
                pinned_version=slot.version,
                key_version=key_version,
                before=stored_score(item_score),
                after=after,
                note=note,
            )
        )
    return RegradePlan(item=item, rows=plan_rows, refused=refused, running=running)


def _rescore(
    session: Session,
    item: ItemVersion,
    shown: ItemVersion,
    slot: AttemptItem,
    stored: Mapping[str, Any] | None,
) -> tuple[Score, str]:
    """The score under ``item``'s key, keeping a reviewer's rubric marks where they still apply."""
    try:
        response = parse_response(shown, stored)
    except ResponseError as exc:
        top = max_points(item, slot.variant)
        why = f"The saved answer could not be scored automatically ({exc}); a reviewer must look at it."
        return Score(Decimal(0), top, (Part("Answer", Decimal(0), top, why),), pending_review=True), ""
    score = score_item(item, response, slot.variant)
    if not score.pending_review:
        return score, ""
    marks = session.scalars(
        select(RubricReview)
        .where(RubricReview.attempt_id == slot.attempt_id, RubricReview.position == slot.position)
        .order_by(RubricReview.id.desc())
        .limit(1)
    ).first()
    if marks is None:
        return score, ""
    return _with_marks(item, slot.variant, response, marks)


def _with_marks(item: ItemVersion, variant: Variant, response: Any, marks: RubricReview) -> tuple[Score, str]:
    body, key = item.realize(variant)
    rubric = item.item_type.rubric
    if rubric is None:
        return score_item(item, response, variant), ""
    awards = {criterion: Decimal(points) for criterion, points in marks.awards.items()}
    try:
        return rubric.score(body, key, response, awards), "The reviewer's rubric marks are kept."
    except ResponseError as exc:
        pending = score_item(item, response, variant)
        return pending, f"The rubric changed ({exc}): the answer goes back to the review queue."


def apply_regrade(
    session: Session,
    catalogue: Catalogue,
    item_id: str,
    to_version: str,
    actor: StaffUser,
    reason: str,
    now: datetime,
) -> tuple[Regrade, RegradePlan]:
    """Store the planned scores, the regrade and its audit entries in one transaction.

    ``to_version`` is the version the confirmed preview showed; if the banks hold
    another one now, ``RegradeStale`` is raised and nothing changes.
    """
    reason = reason.strip()
    if not reason:
        raise ValueError("say why the item is regraded")
    plan = plan_regrade(session, catalogue, item_id)
    if plan.item.version != to_version:
        raise RegradeStale(
            f"the banks now hold version {plan.item.version} of {item_id}, not {to_version}: "
            "review the change again"
        )
    if not plan.rows:
        raise NothingToRegrade(f"no finished attempt of {item_id} is scored with an older key")
    pin_versions(session, [plan.item])
    regrade = Regrade(
        item_id=item_id,
        from_version=",".join(plan.from_versions),
        to_version=to_version,
        by_id=actor.id,
        at=now,
        reason=reason,
    )
    session.add(regrade)
    session.flush()
    before = {row.attempt_id: graded_state(session, row.attempt_id) for row in plan.rows}
    for row in plan.rows:
        _store_row(session, regrade, row, actor)
    for attempt_id, state in before.items():
        # In this transaction: the new scores and their announcement commit together.
        scores_changed(session, attempt_id, state, now)
    record_audit(
        session,
        actor,
        "item.regrade",
        "item",
        item_id,
        {
            "regrade_id": regrade.id,
            "to_version": to_version,
            "from": plan.from_versions,
            "attempts": len(plan.rows),
        },
        now,
    )
    session.commit()
    return regrade, plan


def _store_row(session: Session, regrade: Regrade, row: RegradeRow, actor: StaffUser) -> None:
    session.add(
        RegradedScore(
            regrade_id=regrade.id,
            attempt_id=row.attempt_id,
            position=row.position,
            item_id=regrade.item_id,
            key_version=regrade.to_version,
            points_before=row.before.points,
            max_points_before=row.before.max_points,
            points_after=row.after.points,
            max_points_after=row.after.max_points,
            pending_review_after=row.after.pending_review,
            parts_before=row.before.as_json()["parts"],
        )
    )
    session.execute(
        update(ItemScore)
        .where(ItemScore.attempt_id == row.attempt_id, ItemScore.position == row.position)
        .values(
            points=row.after.points,
            max_points=row.after.max_points,
            parts=row.after.as_json()["parts"],
            pending_review=row.after.pending_review,
        )
        .execution_options(synchronize_session=False)
    )
    recompute_totals(session, row.attempt_id)
    record_audit(
        session,
        actor,
        "attempt.regrade",
        "invitation",
        row.invitation_id,
        {
            "attempt_id": row.attempt_id,
            "item": row.position + 1,
            "item_id": regrade.item_id,
            "regrade_id": regrade.id,
            "key_version": {"before": row.key_version, "after": regrade.to_version},
            "before": {"points": str(row.before.points), "max_points": str(row.before.max_points)},
            "after": {
                "points": str(row.after.points),
                "max_points": str(row.after.max_points),
                "pending_review": row.after.pending_review,
            },
            "reason": regrade.reason,
        },
        regrade.at,
    )
