"""What the attempt page reports for the integrity rules, stored as the attempt's events.

The page sends focus lapses, paste sizes and the time each item was on screen; the reading
side (``docs/integrity.md``) turns the stored events into observations. Times arrive as
"milliseconds before sending", so a wrong clock in the browser changes nothing: the server
dates them with its own clock and keeps them within the attempt, from its Start to now.
Nothing is stored before Start or once the attempt no longer accepts saves, and a report
with one bad entry stores none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import Field
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from assess.models import Attempt, AttemptItem
from assess.services.answer_saves import ACCEPTS_EVENTS
from assess.services.attempt_phase import (
    AttemptClosed,
    NoSuchAttempt,
    deadline_of,
    grace_cutoff,
)
from assess.services.attempt_start import LOG_EVENT
from assess.services.request_origin import RequestOrigin, with_origin
from items.base import Schema

#: One report carries what a page saw since its last one: a handful, never hundreds.
MAX_OBSERVATIONS = 50
#: The most characters one paste may count: far beyond any answer field's limit.
MAX_PASTE_CHARACTERS = 1_000_000
#: "Milliseconds ago" beyond a week names no moment of any attempt.
MAX_MS_AGO = 7 * 24 * 3600 * 1000
#: Positions are INTEGER slots; the attempt's own count bounds them further.
MAX_POSITION = 2**31 - 1

CLOSED_MESSAGE = "This test has ended, so nothing more is recorded for it."

_Position = Annotated[int, Field(ge=0, le=MAX_POSITION, strict=True)]
_MsAgo = Annotated[int, Field(ge=0, le=MAX_MS_AGO, strict=True)]


class FocusReport(Schema):
    """The page lost focus or was hidden ``lost_ms_ago`` and came back ``regained_ms_ago``."""

    kind: Literal["focus"]
    position: _Position
    lost_ms_ago: _MsAgo
    regained_ms_ago: _MsAgo
    hidden: bool = Field(strict=True)


class PasteReport(Schema):
    """A paste into an answer: its size only; ``from_page`` when the text was copied from the page itself."""

    kind: Literal["paste"]
    position: _Position
    ms_ago: _MsAgo
    characters: int = Field(ge=0, le=MAX_PASTE_CHARACTERS, strict=True)
    from_page: bool = Field(strict=True)


class ViewReport(Schema):
    """The candidate left an item ``ms_ago`` after it had been visible for ``seconds``."""

    kind: Literal["viewed"]
    position: _Position
    ms_ago: _MsAgo
    seconds: float = Field(ge=0, allow_inf_nan=False)


Observation = Annotated[FocusReport | PasteReport | ViewReport, Field(discriminator="kind")]


OBSERVATION_KINDS = frozenset({"focus", "paste", "viewed"})


class SignalReport(Schema):
    """What one request of the attempt page may carry, and nothing else."""

    observations: list[Observation] = Field(max_length=MAX_OBSERVATIONS)


class ObservationRefused(ValueError):
    """A report that cannot be stored as it stands, named by its field; nothing of it was stored."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


_SLOT_COUNT = select(func.count()).where(AttemptItem.attempt_id == bindparam("of_attempt"))


def observation_events(
    session: Session,
    attempt: Attempt,
    report: SignalReport,
    origin: RequestOrigin,
    now: datetime,
    slots: int | None = None,
) -> list[dict[str, Any]]:
    """The event rows a started attempt's report stores, for ``LOG_EVENT``; nothing is written.

    Raises ``ObservationRefused`` for an entry out of this attempt's bounds and ``NoSuchAttempt``
    before Start. A save stores them in its own transaction (``save_answer``'s ``events``);
    ``slots``, the attempt's item count when the caller read it already, saves reading it again.
    """
    started = attempt.started_at
    if started is None:
        raise NoSuchAttempt(f"attempt {attempt.id} has not been started: nothing is recorded before Start")
    if not report.observations:
        return []
    deadline = deadline_of(attempt)
    if slots is None:
        slots = session.scalar(_SLOT_COUNT, {"of_attempt": attempt.id}) or 0
    span = (deadline - started).total_seconds()
    return [
        _event(attempt.id, index, entry, slots, span, _clock(started, now), origin)
        for index, entry in enumerate(report.observations)
    ]


def record_observations(
    session: Session,
    attempt: Attempt,
    report: SignalReport,
    origin: RequestOrigin,
    now: datetime,
    grace_seconds: int,
) -> int:
    """Store a started attempt's reported observations as events, all or none; return how many.

    Raises ``ObservationRefused`` for an entry out of this attempt's bounds, ``NoSuchAttempt``
    before Start and ``AttemptClosed`` once the attempt accepts no saves; nothing is then stored.
    """
    rows = observation_events(session, attempt, report, origin, now)
    still_open = session.scalar(
        ACCEPTS_EVENTS, {"of_attempt": attempt.id, "grace_cutoff": grace_cutoff(now, grace_seconds)}
    )
    if still_open is None:
        session.rollback()
        raise AttemptClosed(CLOSED_MESSAGE)
    if rows:
        session.execute(LOG_EVENT, rows)
    session.commit()
    return len(rows)


def _clock(started: datetime, now: datetime) -> Callable[[int], datetime]:
    def moment(ms_ago: int) -> datetime:
        # The browser's "ago" against the server's now, kept within the attempt so far.
        return min(now, max(started, now - timedelta(milliseconds=ms_ago)))

    return moment


def _event(
    attempt_id: int,
    index: int,
    entry: FocusReport | PasteReport | ViewReport,
    slots: int,
    span: float,
    moment: Callable[[int], datetime],
    origin: RequestOrigin,
) -> dict[str, Any]:
    where = f"observations[{index}]"
    if entry.position >= slots:
        raise ObservationRefused(f"{where}.position", f"this test has items 0 to {slots - 1}")
    if isinstance(entry, FocusReport):
        if entry.regained_ms_ago > entry.lost_ms_ago:
            raise ObservationRefused(f"{where}.regained_ms_ago", "focus came back before it was lost")
        at = moment(entry.lost_ms_ago)
        detail: dict[str, object] = {
            "regained_at": moment(entry.regained_ms_ago).isoformat(),
            "hidden": entry.hidden,
        }
    elif isinstance(entry, PasteReport):
        at = moment(entry.ms_ago)
        detail = {"characters": entry.characters, "from_page": entry.from_page}
    else:
        if entry.seconds > span:
            raise ObservationRefused(f"{where}.seconds", f"an item is on screen at most {span:g} seconds")
        at = moment(entry.ms_ago)
        detail = {"seconds": entry.seconds}
    return {
        "attempt_id": attempt_id,
        "at": at,
        "kind": entry.kind,
        "position": entry.position,
        "seq": None,
        "detail": with_origin(detail, origin),
    }
