"""A candidate's timed attempt: start, answer, finish, and extra time from staff.

Positions are 0-based everywhere here (``Slot.position``); URLs show them 1-based.
Every write is a conditional UPDATE decided by the database, so any number of
workers may serve the same attempt.
"""

from __future__ import annotations

import logging
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, and_, bindparam, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from assess.models import (
    Answer,
    Attempt,
    AttemptEvent,
    AttemptItem,
    Campaign,
    Invitation,
    StaffUser,
    TimeGrant,
)
from assess.services.catalogue import pin_versions, pinned_item
from assess.services.grading import grade_attempt
from assess.services.invitations import InvitationUnusable, check_link, link_hash
from assess.services.save_order import Outcome, SaveOrder, SaveResult, StoredAnswer, decide_save, with_edit
from assess.services.staff import record_audit
from items.bank import Catalogue
from items.base import Schema
from items.forms import draw_attempt
from scoring.items import parse_response

log = logging.getLogger(__name__)

FINALIZED_BY = ("candidate", "deadline")
#: A device's edit counter is BIGINT, the server's revision INTEGER.
MAX_SEQ = 2**63 - 1
MAX_REVISION = 2**31 - 1
MAX_GRANT_MINUTES = 600


class AttemptClosed(Exception):
    """A write refused because time is up or the attempt was submitted; the message is for the candidate."""


class AttemptBusy(Exception):
    """A save lost the race to other saves of the same item too often; the client retries."""


class NoSuchSlot(LookupError):
    """The attempt has no item at that position."""


class NoSuchAttempt(LookupError):
    """No attempt has that id."""


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


def attempt_for(session: Session, invitation: Invitation) -> Attempt | None:
    return session.scalars(select(Attempt).where(Attempt.invitation_id == invitation.id)).one_or_none()


# Core inserts (the Start storm of a hiring day is CPU-bound, and the ORM's bulk path is not
# free). An executemany with RETURNING is sent as one multi-row INSERT ("insertmanyvalues"):
# one round trip and one cached statement per table, not one per slot.
_LOG_EVENT = insert(AttemptEvent.__table__)
_FREEZE_SLOTS = insert(AttemptItem.__table__).returning(AttemptItem.__table__.c.position)
_EMPTY_ANSWERS = insert(Answer.__table__).returning(Answer.__table__.c.position)


def start_attempt(
    session: Session, invitation: Invitation, catalogue: Catalogue, now: datetime, rng: random.Random
) -> Attempt:
    """The invitation's attempt, frozen now if it has none: items, order, variants and deadline.

    Idempotent: a second Start, from any tab or worker, returns the same attempt.
    """
    existing = attempt_for(session, invitation)
    if existing is not None:
        return existing
    return create_attempt(session, invitation, catalogue, now, rng)


def create_attempt(
    session: Session, invitation: Invitation, catalogue: Catalogue, now: datetime, rng: random.Random
) -> Attempt:
    """Freeze a new attempt for an invitation the caller found unstarted.

    Should another request have started it meanwhile, the database refuses the
    second row and that request's attempt is returned instead.
    """
    if invitation.revoked_at is not None:
        raise InvitationUnusable("revoked")
    if invitation.expires_at <= now:
        raise InvitationUnusable("expired")
    campaign = session.get_one(Campaign, invitation.campaign_id)
    form = catalogue.form(campaign.form_id)
    slots = draw_attempt(form, catalogue.items, rng)
    section_titles = {section.id: section.title for section in form.sections}
    attempt = Attempt(
        invitation_id=invitation.id,
        campaign_id=campaign.id,
        form_id=form.id,
        started_at=now,
        deadline=now + time_allowed(form.time_limit_minutes, invitation.extra_time),
    )
    try:
        pin_versions(session, [slot.item for slot in slots])
        session.add(attempt)
        session.flush()
        session.execute(
            _LOG_EVENT,
            {
                "attempt_id": attempt.id,
                "at": now,
                "kind": "started",
                "detail": {"deadline": attempt.deadline.isoformat(), "items": len(slots)},
            },
        )
        session.execute(
            _FREEZE_SLOTS,
            [
                {
                    "attempt_id": attempt.id,
                    "position": slot.position,
                    "section_id": slot.section_id,
                    "section_title": section_titles[slot.section_id],
                    "item_id": slot.item.item_id,
                    "version": slot.item.version,
                    "variant": slot.variant,
                }
                for slot in slots
            ],
        )
        # One empty answer per slot now, so that every save is an UPDATE and never races an INSERT.
        session.execute(
            _EMPTY_ANSWERS,
            [{"attempt_id": attempt.id, "position": slot.position, "seq": 0} for slot in slots],
        )
        session.commit()
    except IntegrityError:
        # Another request started this invitation's attempt first (attempts.invitation_id is unique).
        session.rollback()
        existing = attempt_for(session, invitation)
        if existing is None:
            raise
        return existing
    return attempt


def time_allowed(time_limit_minutes: int, extra_time: Decimal) -> timedelta:
    """The form's limit times the accommodation multiplier, to the microsecond (no float)."""
    return timedelta(microseconds=int(Decimal(time_limit_minutes) * 60_000_000 * extra_time))


#: Statements every autosave and page runs, built once: per request, SQLAlchemy then only
#: binds values (building and keying a statement afresh costs about as much as the query).
_IS_OPEN = select(Attempt.id).where(
    Attempt.id == bindparam("of_attempt"),
    Attempt.finalized_at.is_(None),
    Attempt.deadline >= bindparam("open_since"),
)
# Compare-and-set on the row as the decision read it (its write stamp): a save that raced
# another one writes nothing and decides again on what that one stored.
# PostgreSQL: the UPDATE holds a share lock on the attempt until commit, so finalization
# (which updates that row) waits for this save and then grades it; a save that waited on
# a finalization finds the attempt closed. SQLite has one writer anyway.
_UNCHANGED_SINCE_READ = update(Answer).where(
    Answer.attempt_id == bindparam("of_attempt"),
    Answer.position == bindparam("at_position"),
    Answer.stamp == bindparam("seen_stamp"),
    exists(_IS_OPEN.with_for_update(read=True)),
)
_SAVE = _UNCHANGED_SINCE_READ.values(
    response=bindparam("new_response"),
    seq=bindparam("new_edit"),
    device=bindparam("new_device"),
    edits=bindparam("new_edits", type_=JSON),
    revision=bindparam("new_revision"),
    stamp=Answer.stamp + 1,
    saved_at=bindparam("saved_now"),
).execution_options(synchronize_session=False)
# A device sent the answer already stored: its edit is recorded; same revision, no event.
_CONFIRM = _UNCHANGED_SINCE_READ.values(
    edits=bindparam("new_edits", type_=JSON), stamp=Answer.stamp + 1
).execution_options(synchronize_session=False)
_STORED = select(
    Answer.response, Answer.revision, Answer.device, Answer.seq, Answer.edits, Answer.stamp
).where(Answer.attempt_id == bindparam("of_attempt"), Answer.position == bindparam("at_position"))
#: A save that keeps losing the compare-and-set to other saves of the same slot gives up.
MAX_SAVE_ROUNDS = 8
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
    .outerjoin(Attempt, Attempt.invitation_id == Invitation.id)
    .outerjoin(
        AttemptItem, and_(AttemptItem.attempt_id == Attempt.id, AttemptItem.position == bindparam("position"))
    )
    .outerjoin(
        Answer, and_(Answer.attempt_id == AttemptItem.attempt_id, Answer.position == AttemptItem.position)
    )
    .where(Invitation.token_hash == bindparam("token_hash"))
)


def open_slot(session: Session, token: str, position: int, now: datetime) -> tuple[Attempt, SlotView] | None:
    """``open_link`` and ``slot_view`` in one query: what a save reads before it writes.

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


def slot_view(session: Session, attempt: Attempt, position: int) -> SlotView:
    return page_slots(session, attempt, position)[0]


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


def save_answer(
    session: Session,
    attempt_id: int,
    position: int,
    response: dict[str, Any] | None,
    order: SaveOrder,
    now: datetime,
    grace_seconds: int,
    shown: SlotView | None = None,
) -> SaveResult:
    """Store a response unless ``decide_save`` keeps what is stored; say which happened.

    ``None`` clears the answer. Raises ``AttemptClosed`` past deadline + grace or
    once finalized, ``NoSuchSlot``, and ``ResponseError`` for a response the
    item's type does not accept; in each case nothing changes. ``shown`` is this
    slot as the caller read it from this attempt in this request (saves reading it again).
    """
    if not (0 <= order.base <= MAX_REVISION and 0 <= order.edit <= MAX_SEQ):
        raise ValueError(f"base revision and edit must be 64-bit counters, got {order}")
    if shown is not None and shown.position == position:
        item_id, version, stored = shown.item_id, shown.version, shown.stored
    else:
        slot = session.get(AttemptItem, (attempt_id, position))
        if slot is None:
            raise NoSuchSlot(f"attempt {attempt_id} has no item at position {position}")
        item_id, version, stored = slot.item_id, slot.version, _read_stored(session, attempt_id, position)
    if response is not None:
        item = pinned_item(session, item_id, version)
        parsed = parse_response(item, response)
        response = parsed.model_dump(mode="json") if parsed is not None else None
    where = {"of_attempt": attempt_id, "at_position": position}
    open_since = now - timedelta(seconds=grace_seconds)
    for _ in range(MAX_SAVE_ROUNDS):
        outcome = decide_save(stored, response, order)
        if not outcome.writes:
            still_open = session.scalar(_IS_OPEN, {"of_attempt": attempt_id, "open_since": open_since})
            session.rollback()
            if still_open is None:
                raise AttemptClosed(_closed_message(session, attempt_id))
            return SaveResult(outcome, stored.revision, stored.response is not None)
        seen = {**where, "open_since": open_since, "seen_stamp": stored.stamp}
        edits = with_edit(stored.edits, order)
        if outcome is Outcome.CONFIRM:
            written = session.execute(_CONFIRM, {**seen, "new_edits": edits})
            revision = stored.revision
        else:
            revision = stored.revision + 1
            changed = {"new_response": response, "new_edit": order.edit, "new_device": order.device}
            written = session.execute(
                _SAVE, {**seen, **changed, "new_edits": edits, "new_revision": revision, "saved_now": now}
            )
        if written.rowcount == 1:  # type: ignore[attr-defined]
            if outcome is Outcome.STORE:
                # The timeline's save, in the save's own transaction: logged exactly when it is stored.
                session.execute(
                    _LOG_EVENT,
                    {
                        "attempt_id": attempt_id,
                        "at": now,
                        "kind": "saved",
                        "position": position,
                        "seq": revision,
                        # Which device's which edit: what a timeline, or a check of every
                        # acknowledgement against what was stored, needs to tell saves apart.
                        "detail": {
                            "answered": response is not None,
                            "device": order.device,
                            "edit": order.edit,
                        },
                    },
                )
            # Invariant 4: acknowledge only after commit.
            session.commit()
            return SaveResult(outcome, revision, response is not None)
        # Refused: either the attempt is closed, or another save changed the slot since it was read.
        still_open = session.scalar(_IS_OPEN, {"of_attempt": attempt_id, "open_since": open_since})
        stored = _read_stored(session, attempt_id, position)
        session.rollback()
        if still_open is None:
            raise AttemptClosed(_closed_message(session, attempt_id))
    raise AttemptBusy(f"attempt {attempt_id} item {position} is being saved by other requests; retry")


def _stored(
    response: dict[str, Any] | None,
    revision: int,
    device: str | None,
    edit: int,
    edits: dict[str, int] | None,
    stamp: int,
) -> StoredAnswer:
    return StoredAnswer(response, revision, device, edit, edits or {}, stamp)


def _read_stored(session: Session, attempt_id: int, position: int) -> StoredAnswer:
    row = session.execute(_STORED, {"of_attempt": attempt_id, "at_position": position}).one_or_none()
    if row is None:
        raise NoSuchSlot(f"attempt {attempt_id} has no item at position {position}")
    return _stored(*row)


def _closed_message(session: Session, attempt_id: int) -> str:
    finalized_by = session.scalar(select(Attempt.finalized_by).where(Attempt.id == attempt_id))
    if finalized_by == "candidate":
        return "This assessment has been submitted, so answers can no longer be changed."
    return "Time is up: this assessment has ended and answers can no longer be changed."


def seconds_left(attempt: Attempt, now: datetime) -> int:
    """Whole seconds until the deadline, rounded up; 0 once it has passed or the attempt is final."""
    if attempt.finalized_at is not None:
        return 0
    return max(0, math.ceil((attempt.deadline - now).total_seconds()))


def submit_attempt(session: Session, attempt_id: int, now: datetime) -> None:
    """The candidate's Submit; a repeated Submit changes nothing.

    A Submit that arrives after the deadline is recorded as the deadline's doing:
    the time ran out before the candidate finished.
    """
    attempt = session.get(Attempt, attempt_id)
    if attempt is None:
        raise NoSuchAttempt(f"no attempt {attempt_id}")
    finalize_attempt(session, attempt_id, now, "candidate" if now <= attempt.deadline else "deadline")


def finalize_attempt(session: Session, attempt_id: int, now: datetime, by: str) -> bool:
    """Close the attempt and grade it against its pinned versions; False if it was already final."""
    return _finalize(session, attempt_id, now, by, expired_before=None)


def _finalize(
    session: Session, attempt_id: int, now: datetime, by: str, expired_before: datetime | None
) -> bool:
    if by not in FINALIZED_BY:
        raise ValueError(f"finalized by {by!r}; expected one of {', '.join(FINALIZED_BY)}")
    closing = update(Attempt).where(Attempt.id == attempt_id, Attempt.finalized_at.is_(None))
    if expired_before is not None:
        # Staff may have granted time since the sweep looked: the deadline decides, not the list.
        closing = closing.where(Attempt.deadline < expired_before)
    # Exactly once: of any number of racing finalizers, one UPDATE matches; the rest wait and match nothing.
    closed = session.execute(
        closing.values(finalized_at=now, finalized_by=by).execution_options(synchronize_session=False)
    )
    if closed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        if session.get(Attempt, attempt_id) is None:
            raise NoSuchAttempt(f"no attempt {attempt_id}")
        return False
    kind = "submitted" if by == "candidate" else "finalized"
    session.add(AttemptEvent(attempt_id=attempt_id, at=now, kind=kind, detail={"by": by}))
    grade_attempt(session, attempt_id)
    session.commit()
    # A caller holding this attempt (a route, the CLI) sees it final and graded.
    session.get(Attempt, attempt_id, populate_existing=True)
    return True


def finalize_expired(session: Session, now: datetime, grace_seconds: int) -> int:
    """Finalize every attempt past its deadline + grace, browser or not; return how many."""
    expired_before = now - timedelta(seconds=grace_seconds)
    due = session.scalars(
        select(Attempt.id)
        .where(Attempt.finalized_at.is_(None), Attempt.deadline < expired_before)
        .order_by(Attempt.deadline)
    ).all()
    session.rollback()
    finalized = 0
    for attempt_id in due:
        try:
            finalized += _finalize(session, attempt_id, now, "deadline", expired_before)
        except Exception:
            # One attempt that cannot be graded must not keep every other one open past its deadline.
            session.rollback()
            log.exception("could not finalize attempt %s", attempt_id)
    return finalized


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
        # Compare-and-set on the deadline: two grants at once both count, neither is lost.
        moved = session.execute(
            update(Attempt)
            .where(
                Attempt.id == attempt_id, Attempt.finalized_at.is_(None), Attempt.deadline == attempt.deadline
            )
            .values(deadline=attempt.deadline + timedelta(minutes=minutes))
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
                "deadline_before": attempt.deadline.isoformat(),
                "deadline_after": (attempt.deadline + timedelta(minutes=minutes)).isoformat(),
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
            session.refresh(attempt)
            return attempt
        session.rollback()
