"""Grading a closed attempt against the item versions it pinned (Invariants 3 and 5)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from assess.models import Answer, Attempt, AttemptItem, ItemScore
from assess.services.catalogue import pinned_item
from items.bank import ItemVersion
from items.base import Part, ResponseError, Score, Variant
from scoring.items import max_points, parse_response, score_item


def grade_attempt(session: Session, attempt_id: int) -> None:
    """Score every slot into ``ItemScore`` and set the attempt's totals; the caller commits.

    Reads item versions from the database only: a bank file edited or removed
    since the attempt started changes nothing here.
    """
    rows = session.execute(
        select(AttemptItem, Answer.response)
        .join(
            Answer, and_(Answer.attempt_id == AttemptItem.attempt_id, Answer.position == AttemptItem.position)
        )
        .where(AttemptItem.attempt_id == attempt_id)
        .order_by(AttemptItem.position)
    ).all()
    total = top = Decimal(0)
    for slot, response in rows:
        score = _score(pinned_item(session, slot.item_id, slot.version), response, slot.variant)
        session.add(
            ItemScore(
                attempt_id=attempt_id,
                position=slot.position,
                points=score.points,
                max_points=score.max_points,
                parts=score.as_json()["parts"],
                pending_review=score.pending_review,
            )
        )
        total += score.points
        top += score.max_points
    session.execute(
        update(Attempt)
        .where(Attempt.id == attempt_id)
        .values(total_points=total, max_points=top)
        .execution_options(synchronize_session=False)
    )


def _score(item: ItemVersion, response: dict[str, Any] | None, variant: Variant) -> Score:
    try:
        return score_item(item, parse_response(item, response), variant)
    except ResponseError as exc:
        # Responses were checked when saved; one that no longer fits goes to a person, not silently to zero.
        top = max_points(item, variant)
        why = f"The saved answer could not be scored automatically ({exc}); a reviewer must look at it."
        return Score(Decimal(0), top, (Part("Answer", Decimal(0), top, why),), pending_review=True)
