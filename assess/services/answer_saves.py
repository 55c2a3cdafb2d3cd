"""A candidate's save of one answer: stored once, acknowledged only after its commit (Invariant 4).

Every write is a conditional UPDATE decided by the database, so any number of
workers may serve the same attempt.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, bindparam, exists, select, update
from sqlalchemy.orm import Session

from assess.models import Answer, Attempt, AttemptItem
from assess.services.attempt_phase import ACCEPTS_SAVES, AttemptClosed, grace_cutoff
from assess.services.attempt_reads import NoSuchSlot, SlotView, read_stored
from assess.services.attempt_start import LOG_EVENT
from assess.services.catalogue import pinned_item
from assess.services.request_origin import RequestOrigin, with_origin
from assess.services.save_order import Outcome, SaveOrder, SaveResult, decide_save, with_edit
from items import registry
from items.base import Schema

#: A device's edit counter is BIGINT, the server's revision INTEGER.
MAX_SEQ = 2**63 - 1
MAX_REVISION = 2**31 - 1
#: A save that keeps losing the compare-and-set to other saves of the same slot gives up.
MAX_SAVE_ROUNDS = 8


class AttemptBusy(Exception):
    """A save lost the race to other saves of the same item too often; the client retries."""


#: Statements every autosave runs, built once: per request, SQLAlchemy then only binds values.
_ACCEPTS_SAVES = select(Attempt.id).where(Attempt.id == bindparam("of_attempt"), ACCEPTS_SAVES)
#: Whether the attempt takes events now. PostgreSQL: the share lock holds a finalization back
#: until they are in (a save that writes no answer, a signals report), as the UPDATE below does
#: for a save that writes.
ACCEPTS_EVENTS = _ACCEPTS_SAVES.with_for_update(read=True)
# Compare-and-set on the row as the decision read it (its write stamp): a save that raced
# another one writes nothing and decides again on what that one stored.
# PostgreSQL: the UPDATE holds a share lock on the attempt until commit, so finalization
# (which updates that row) waits for this save and then grades it; a save that waited on
# a finalization finds the attempt closed. SQLite has one writer anyway.
_UNCHANGED_SINCE_READ = update(Answer).where(
    Answer.attempt_id == bindparam("of_attempt"),
    Answer.position == bindparam("at_position"),
    Answer.stamp == bindparam("seen_stamp"),
    exists(_ACCEPTS_SAVES.with_for_update(read=True)),
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


def save_answer(
    session: Session,
    attempt_id: int,
    position: int,
    response: Schema | None,
    order: SaveOrder,
    now: datetime,
    grace_seconds: int,
    shown: SlotView | None = None,
    origin: RequestOrigin | None = None,
    events: Sequence[Mapping[str, Any]] = (),
) -> SaveResult:
    """Store a response unless ``decide_save`` keeps what is stored; say which happened.

    ``response`` is the item type's response model as its ``normalise`` made it; ``None``
    clears the answer. Raises ``AttemptClosed`` past deadline + grace or once finalized,
    ``NoSuchSlot``, and ``TypeError`` for another type's response; in each case nothing
    changes. ``shown`` is this slot as the caller read it from this attempt in this request
    (saves reading it again); ``origin``, the candidate's request, goes into the "saved" event.
    ``events`` (rows for ``LOG_EVENT``, such as the integrity observations the page sends with
    its save) are stored in the save's transaction, whether or not the answer is written.
    """
    if not (0 <= order.base <= MAX_REVISION and 0 <= order.edit <= MAX_SEQ):
        raise ValueError(f"base revision and edit must be 64-bit counters, got {order}")
    if shown is not None and shown.position == position:
        type_name, stored = shown.type, shown.stored
    else:
        slot = session.get(AttemptItem, (attempt_id, position))
        if slot is None:
            raise NoSuchSlot(f"attempt {attempt_id} has no item at position {position}")
        type_name = pinned_item(session, slot.item_id, slot.version).type
        stored = read_stored(session, attempt_id, position)
    expected = registry.get(type_name).response
    if response is not None and not isinstance(response, expected):
        raise TypeError(f"a {type_name} item takes a {expected.__name__}, not a {type(response).__name__}")
    stored_form = None if response is None else response.model_dump(mode="json")
    where = {"of_attempt": attempt_id, "at_position": position}
    cutoff = grace_cutoff(now, grace_seconds)
    for _ in range(MAX_SAVE_ROUNDS):
        outcome = decide_save(stored, stored_form, order)
        if not outcome.writes:
            check = ACCEPTS_EVENTS if events else _ACCEPTS_SAVES
            still_open = session.scalar(check, {"of_attempt": attempt_id, "grace_cutoff": cutoff})
            if still_open is None:
                session.rollback()
                raise AttemptClosed(_closed_message(session, attempt_id))
            if events:
                session.execute(LOG_EVENT, list(events))
                session.commit()
            else:
                session.rollback()
            return SaveResult(outcome, stored.revision, stored.response is not None)
        seen = {**where, "grace_cutoff": cutoff, "seen_stamp": stored.stamp}
        edits = with_edit(stored.edits, order)
        if outcome is Outcome.CONFIRM:
            written = session.execute(_CONFIRM, {**seen, "new_edits": edits})
            revision = stored.revision
        else:
            revision = stored.revision + 1
            changed = {"new_response": stored_form, "new_edit": order.edit, "new_device": order.device}
            written = session.execute(
                _SAVE, {**seen, **changed, "new_edits": edits, "new_revision": revision, "saved_now": now}
            )
        if written.rowcount == 1:  # type: ignore[attr-defined]
            if outcome is Outcome.STORE:
                # The timeline's save, in the save's own transaction: logged exactly when it is stored.
                session.execute(
                    LOG_EVENT,
                    {
                        "attempt_id": attempt_id,
                        "at": now,
                        "kind": "saved",
                        "position": position,
                        "seq": revision,
                        # Which device's which edit: what a timeline, or a check of every
                        # acknowledgement against what was stored, needs to tell saves apart.
                        "detail": with_origin(
                            {"answered": stored_form is not None, "device": order.device, "edit": order.edit},
                            origin,
                        ),
                    },
                )
            if events:
                session.execute(LOG_EVENT, list(events))
            # Invariant 4: acknowledge only after commit.
            session.commit()
            return SaveResult(outcome, revision, stored_form is not None)
        # Refused: either the attempt is closed, or another save changed the slot since it was read.
        still_open = session.scalar(_ACCEPTS_SAVES, {"of_attempt": attempt_id, "grace_cutoff": cutoff})
        stored = read_stored(session, attempt_id, position)
        session.rollback()
        if still_open is None:
            raise AttemptClosed(_closed_message(session, attempt_id))
    raise AttemptBusy(f"attempt {attempt_id} item {position} is being saved by other requests; retry")


def _closed_message(session: Session, attempt_id: int) -> str:
    finalized_by = session.scalar(select(Attempt.finalized_by).where(Attempt.id == attempt_id))
    if finalized_by == "candidate":
        return "This assessment has been submitted, so answers can no longer be changed."
    return "Time is up: this assessment has ended and answers can no longer be changed."
