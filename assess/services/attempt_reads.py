"""What a running attempt's pages read: one item as the candidate sees it, and every item's summary.

Positions are 0-based everywhere here (``Slot.position``); URLs show them 1-based.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import Session, aliased

from assess.models import Answer, Attempt, AttemptItem, Invitation
from assess.services.attempt_phase import STARTED
from assess.services.catalogue import pinned_item
from assess.services.invitations import InvitationUnusable, check_link, link_hash
from assess.services.save_order import StoredAnswer
from items.base import Schema
from scoring.items import parse_response


class NoSuchSlot(LookupError):
    """The attempt has no item at that position."""


@dataclass(frozen=True)
class SlotView:
    """What the candidate's page for one item needs, and nothing of the key."""

    position: int
    count: int
    section_id: str
    section_title: str
    item_id: str
    #: The pinned version shown (content hash); not a key.
    version: str
    type: str
    title: str
    #: The body as realized for this attempt's variant (option order, drawn numbers).
    body: Schema
    response: Schema | None
    #: What is stored now, in the terms ``decide_save`` needs.
    stored: StoredAnswer


@dataclass(frozen=True)
class SlotSummary:
    position: int
    section_id: str
    section_title: str
    title: str
    answered: bool


#: Statements every page and autosave runs, built once: per request, SQLAlchemy then only
#: binds values (building and keying a statement afresh costs about as much as the query).
_STORED = select(
    Answer.response, Answer.revision, Answer.device, Answer.seq, Answer.edits, Answer.stamp
).where(Answer.attempt_id == bindparam("of_attempt"), Answer.position == bindparam("at_position"))
_ALL_SLOTS = (
    select(AttemptItem, Answer)
    .join(Answer, and_(Answer.attempt_id == AttemptItem.attempt_id, Answer.position == AttemptItem.position))
    .where(AttemptItem.attempt_id == bindparam("attempt_id"))
    .order_by(AttemptItem.position)
)
_COUNTED = aliased(AttemptItem)
_OPEN_SLOT = (
    select(
        Invitation,
        Attempt,
        AttemptItem,
        Answer,
        select(func.count()).where(_COUNTED.attempt_id == Attempt.id).scalar_subquery(),
    )
    # A prepared attempt is not joined: before Start there is nothing to save to.
    .outerjoin(Attempt, and_(Attempt.invitation_id == Invitation.id, STARTED))
    .outerjoin(
        AttemptItem, and_(AttemptItem.attempt_id == Attempt.id, AttemptItem.position == bindparam("position"))
    )
    .outerjoin(
        Answer, and_(Answer.attempt_id == AttemptItem.attempt_id, Answer.position == AttemptItem.position)
    )
    .where(Invitation.token_hash == bindparam("token_hash"))
)


def open_slot(session: Session, token: str, position: int, now: datetime) -> tuple[Attempt, SlotView] | None:
    """``open_link`` and the slot's view in one query: what a save reads before it writes.

    None before Start; raises ``InvitationUnusable`` as ``open_link`` does, and
    ``NoSuchSlot`` for a position the started attempt does not have.
    """
    row = session.execute(_OPEN_SLOT, {"token_hash": link_hash(token), "position": position}).one_or_none()
    if row is None:
        raise InvitationUnusable("unknown")
    invitation, attempt, slot, answer, count = row
    check_link(invitation, attempt, now)
    if attempt is None:
        return None
    if slot is None or answer is None:
        raise NoSuchSlot(f"attempt {attempt.id} has no item at position {position}")
    return attempt, _view(session, slot, answer, count or 0)


def slot_summaries(session: Session, attempt: Attempt) -> list[SlotSummary]:
    return [_summary(session, slot, answer) for slot, answer in _slots(session, attempt)]


def page_slots(session: Session, attempt: Attempt, position: int) -> tuple[SlotView, list[SlotSummary]]:
    """An item page's slot and every slot's summary (for the navigation), in one query."""
    rows = _slots(session, attempt)
    shown = [(slot, answer) for slot, answer in rows if slot.position == position]
    if not shown:
        raise NoSuchSlot(f"attempt {attempt.id} has no item at position {position}")
    slot, answer = shown[0]
    return _view(session, slot, answer, len(rows)), [_summary(session, s, a) for s, a in rows]


def read_stored(session: Session, attempt_id: int, position: int) -> StoredAnswer:
    """The slot's stored answer as it is now in the database."""
    row = session.execute(_STORED, {"of_attempt": attempt_id, "at_position": position}).one_or_none()
    if row is None:
        raise NoSuchSlot(f"attempt {attempt_id} has no item at position {position}")
    return _stored(*row)


def _slots(session: Session, attempt: Attempt) -> list[tuple[AttemptItem, Answer]]:
    return [(slot, answer) for slot, answer in session.execute(_ALL_SLOTS, {"attempt_id": attempt.id})]


def _view(session: Session, slot: AttemptItem, answer: Answer, count: int) -> SlotView:
    item = pinned_item(session, slot.item_id, slot.version)
    body, _key = item.realize(slot.variant)
    return SlotView(
        position=slot.position,
        count=count,
        section_id=slot.section_id,
        section_title=slot.section_title,
        item_id=slot.item_id,
        version=slot.version,
        type=item.type,
        title=item.title,
        body=body,
        response=parse_response(item, answer.response),
        stored=_stored(
            answer.response, answer.revision, answer.device, answer.seq, answer.edits, answer.stamp
        ),
    )


def _summary(session: Session, slot: AttemptItem, answer: Answer) -> SlotSummary:
    # The title from the pinned version, which this process has usually rebuilt already.
    title = pinned_item(session, slot.item_id, slot.version).title
    return SlotSummary(slot.position, slot.section_id, slot.section_title, title, answer.response is not None)


def _stored(
    response: dict[str, Any] | None,
    revision: int,
    device: str | None,
    edit: int,
    edits: dict[str, int] | None,
    stamp: int,
) -> StoredAnswer:
    return StoredAnswer(response, revision, device, edit, edits or {}, stamp)
