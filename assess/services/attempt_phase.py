"""Where an attempt stands, decided in one place from its stored row and the clock.

Prepared with its invitation but not started (no start time, no deadline: ``STARTED`` is
false, and nothing counts it as begun), then open until the deadline; from the deadline the time is up for the
candidate, but for ``grace_seconds`` more the saves already on their way still store
(an acknowledged answer is never lost to network lag). Past the grace only the sweep or
a POST acts: finalizing closes and grades the attempt. No read (a GET) finalizes.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import ColumnElement, and_, bindparam, not_

from assess.models import Attempt


class AttemptClosed(Exception):
    """A write refused because time is up or the attempt was submitted; the message is for the candidate."""


class NoSuchAttempt(LookupError):
    """No attempt has that id (none the candidate has started), or it has no item at that position."""


class Phase(Enum):
    NOT_STARTED = "not started"
    OPEN = "open"
    #: Time is up for the candidate; saves sent before the deadline still store.
    IN_GRACE = "in grace"
    #: Nothing stores any more; the sweep (or a Submit) finalizes it.
    PAST_GRACE = "past grace"
    #: Submitted by the candidate or closed at the deadline, and graded.
    FINALIZED = "finalized"

    @property
    def is_time_up(self) -> bool:
        """What the candidate is told: the test is over, whatever the server still has to do."""
        return self in (Phase.IN_GRACE, Phase.PAST_GRACE, Phase.FINALIZED)


#: The candidate has pressed Start: every query that means "taken", "running" or "begun" says so.
STARTED: ColumnElement[bool] = Attempt.started_at.is_not(None)


def is_started(attempt: Attempt) -> bool:
    """``STARTED`` for a loaded row: a prepared attempt is frozen but not begun."""
    return attempt.started_at is not None


def deadline_of(attempt: Attempt) -> datetime:
    """A started attempt's deadline; ``NoSuchAttempt`` for one only prepared, which has none yet."""
    if attempt.deadline is None:
        raise NoSuchAttempt(f"attempt {attempt.id} has not been started")
    return attempt.deadline


def grace_cutoff(now: datetime, grace_seconds: int) -> datetime:
    """Attempts whose deadline is before this are past their grace."""
    return now - timedelta(seconds=grace_seconds)


def is_past_grace(deadline: datetime, now: datetime, grace_seconds: int) -> bool:
    return deadline < grace_cutoff(now, grace_seconds)


_BEFORE_CUTOFF = Attempt.deadline < bindparam("grace_cutoff")
#: ``is_past_grace`` for the database, with ``grace_cutoff`` bound as "grace_cutoff":
#: the sweep's choice of attempts and the saves' refusal read the same comparison.
PAST_GRACE: ColumnElement[bool] = and_(STARTED, _BEFORE_CUTOFF)
#: An attempt that still stores answers: started, neither finalized nor past its grace.
ACCEPTS_SAVES: ColumnElement[bool] = and_(STARTED, Attempt.finalized_at.is_(None), not_(_BEFORE_CUTOFF))


def is_open(attempt: Attempt, now: datetime) -> bool:
    """Time remains: the candidate may work on, and a Submit is the candidate's own."""
    return attempt.finalized_at is None and attempt.deadline is not None and now < attempt.deadline


def is_open_sql(now: datetime) -> ColumnElement[bool]:
    """``is_open`` for the database."""
    return and_(STARTED, Attempt.finalized_at.is_(None), Attempt.deadline > now)


def phase_of(attempt: Attempt | None, now: datetime, grace_seconds: int) -> Phase:
    """The one decision of where an attempt stands; every route and service asks it."""
    if attempt is None or not is_started(attempt):
        return Phase.NOT_STARTED
    if attempt.finalized_at is not None:
        return Phase.FINALIZED
    if is_open(attempt, now):
        return Phase.OPEN
    if is_past_grace(deadline_of(attempt), now, grace_seconds):
        return Phase.PAST_GRACE
    return Phase.IN_GRACE


def seconds_left(attempt: Attempt, now: datetime) -> int:
    """Whole seconds until a started attempt's deadline, rounded up; 0 once it has passed or it is final.

    Rounded up, so it is above 0 exactly while the phase is open.
    """
    if attempt.finalized_at is not None:
        return 0
    return seconds_until(deadline_of(attempt), now)


def seconds_until(deadline: datetime, now: datetime) -> int:
    """``seconds_left`` of an attempt not finalized, from its deadline alone."""
    return max(0, math.ceil((deadline - now).total_seconds()))
