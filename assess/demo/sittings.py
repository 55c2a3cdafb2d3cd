"""A demo candidate's sitting: the attempt started, answered at a plausible pace, finished and reviewed.

The attempt is frozen and finalized by the attempt service and graded as any other. The answers
are written here, each slot's row once, as the stored result of one save: the demo replays
no autosave traffic, so it does not depend on how the save service orders concurrent saves.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from assess.demo.answers import Candidate, ItemParameters, answer, rubric_awards
from assess.models import Answer, Attempt, AttemptEvent, AttemptItem, Invitation, StaffUser
from assess.services.attempt_phase import deadline_of, is_open
from assess.services.attempt_start import create_attempt
from assess.services.catalogue import pinned_item
from assess.services.finalization import finalize_attempt, submit_attempt
from assess.services.rubric import score_rubric
from items.bank import Catalogue

#: The device a plain form post is stored from (no browser id).
FORM_DEVICE = "form"
#: The server's deadline sweep finalizes a little after the deadline.
SWEEP_DELAY = timedelta(seconds=20)


@dataclass(frozen=True)
class Sitting:
    attempt_id: int
    #: Positions of written answers, which wait for a reviewer once the attempt is final.
    written: tuple[int, ...]
    deadline: datetime
    #: When the candidate stops answering: at their last answer, or at the deadline if they ran out of time.
    last_answer: datetime
    #: (position, shown, left) of each item reached, in order; an answer was saved on leaving its item.
    views: tuple[tuple[int, datetime, datetime], ...] = ()
    #: Positions whose answer was saved.
    answered: tuple[int, ...] = ()


def sit_test(
    session: Session,
    invitation: Invitation,
    catalogue: Catalogue,
    who: Candidate,
    parameters: dict[str, ItemParameters],
    started: datetime,
    until: datetime,
    written: str | None = None,
) -> Sitting:
    """Start the attempt at ``started`` and answer in order until the time is up or ``until``.

    ``written``: the text of the written answer instead of the simulated one (a planted near-copy).
    """
    attempt = create_attempt(session, invitation, catalogue, started, random.Random(who.rng.random()))
    deadline = deadline_of(attempt)
    slots = session.scalars(
        select(AttemptItem).where(AttemptItem.attempt_id == attempt.id).order_by(AttemptItem.position)
    ).all()
    pace = who.rng.uniform(0.55, 1.15) * float(invitation.extra_time)
    moment = started
    stored: list[dict[str, Any]] = []
    written_positions = []
    views = []
    for slot in slots:
        item = pinned_item(session, slot.item_id, slot.version)
        shown = moment
        moment += timedelta(minutes=float(item.minutes) * pace * who.rng.uniform(0.7, 1.3))
        if moment > min(deadline, until):
            break
        views.append((slot.position, shown, moment))
        body, key = item.realize(slot.variant)
        response = answer(item, body, key, who, parameters[slot.item_id])
        if written is not None and item.item_type.rubric is not None:
            response = item.item_type.normalise(body, {"text": [written]})
        if item.item_type.rubric is not None and response is not None:
            written_positions.append(slot.position)
        if response is not None:
            stored.append(
                {"position": slot.position, "response": response.model_dump(mode="json"), "at": moment}
            )
    if stored:
        # Bulk statements by primary key: one round trip per table, not one per slot.
        session.execute(
            update(Answer),
            [
                {
                    "attempt_id": attempt.id,
                    "position": row["position"],
                    "response": row["response"],
                    "seq": 1,
                    "revision": 1,
                    "device": FORM_DEVICE,
                    "saved_at": row["at"],
                }
                for row in stored
            ],
        )
        session.execute(
            insert(AttemptEvent),
            [
                {
                    "attempt_id": attempt.id,
                    "at": row["at"],
                    "kind": "saved",
                    "position": row["position"],
                    "seq": 1,
                    "detail": {"answered": True},
                }
                for row in stored
            ],
        )
    session.commit()
    return Sitting(
        attempt.id,
        tuple(written_positions),
        deadline,
        min(moment, until),
        tuple(views),
        tuple(row["position"] for row in stored),
    )


def finish_test(session: Session, sitting: Sitting, who: Candidate) -> datetime:
    """Submit after a last look over the answers, or let the server close it at the deadline."""
    submitted = sitting.last_answer + timedelta(minutes=who.rng.uniform(0.5, 3))
    if is_open(session.get_one(Attempt, sitting.attempt_id), submitted):
        submit_attempt(session, sitting.attempt_id, submitted)
        return submitted
    finalize_attempt(session, sitting.attempt_id, sitting.deadline + SWEEP_DELAY, "deadline")
    return sitting.deadline + SWEEP_DELAY


def review_written(
    session: Session,
    sitting: Sitting,
    who: Candidate,
    parameters: dict[str, ItemParameters],
    reviewer: StaffUser,
    now: datetime,
) -> None:
    """Mark every written answer of a finished attempt by its rubric, as a reviewer would."""
    for position in sitting.written:
        slot = session.get_one(AttemptItem, (sitting.attempt_id, position))
        item = pinned_item(session, slot.item_id, slot.version)
        _, key = item.realize(slot.variant)
        criteria = item.item_type.criteria(key)
        if criteria is None:
            continue
        awards = rubric_awards(criteria, who, parameters[slot.item_id])
        score_rubric(session, sitting.attempt_id, position, awards, reviewer, now, based_on=0)
