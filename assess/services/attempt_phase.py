"""Where an attempt stands, decided in one place from its stored row and the clock.

Not started, then open until the deadline; from the deadline the time is up for the
candidate, but for ``grace_seconds`` more the saves already on their way still store
(an acknowledged answer is never lost to network lag). Past the grace only the sweep or
a POST acts: finalizing closes and grades the attempt. No read (a GET) finalizes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import ColumnElement, and_, bindparam, not_
from sqlalchemy.orm import Session

from assess.models import Attempt, Invitation
from assess.services.invitations import open_link


class AttemptClosed(Exception):
    """A write refused because time is up or the attempt was submitted; the message is for the candidate."""


class NoSuchAttempt(LookupError):
    """No attempt has that id, or it has no item at that position."""


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


def grace_cutoff(now: datetime, grace_seconds: int) -> datetime:
    """Attempts whose deadline is before this are past their grace."""
    return now - timedelta(seconds=grace_seconds)


def is_past_grace(deadline: datetime, now: datetime, grace_seconds: int) -> bool:
    return deadline < grace_cutoff(now, grace_seconds)


#: ``is_past_grace`` for the database, with ``grace_cutoff`` bound as "grace_cutoff":
#: the sweep's choice of attempts and the saves' refusal read the same comparison.
PAST_GRACE: ColumnElement[bool] = Attempt.deadline < bindparam("grace_cutoff")
#: An attempt that still stores answers: neither finalized nor past its grace.
ACCEPTS_SAVES: ColumnElement[bool] = and_(Attempt.finalized_at.is_(None), not_(PAST_GRACE))


def is_open(attempt: Attempt, now: datetime) -> bool:
    """Time remains: the candidate may work on, and a Submit is the candidate's own."""
    return attempt.finalized_at is None and now < attempt.deadline


def is_open_sql(now: datetime) -> ColumnElement[bool]:
    """``is_open`` for the database."""
    return and_(Attempt.finalized_at.is_(None), Attempt.deadline > now)


def phase_of(attempt: Attempt | None, now: datetime, grace_seconds: int) -> Phase:
    """The one decision of where an attempt stands; every route and service asks it."""
    if attempt is None:
        return Phase.NOT_STARTED
    if attempt.finalized_at is not None:
        return Phase.FINALIZED
    if is_open(attempt, now):
        return Phase.OPEN
    if is_past_grace(attempt.deadline, now, grace_seconds):
        return Phase.PAST_GRACE
    return Phase.IN_GRACE


def seconds_left(attempt: Attempt, now: datetime) -> int:
    """Whole seconds until the deadline, rounded up; 0 once it has passed or the attempt is final.

    Rounded up, so it is above 0 exactly while the phase is open.
    """
    if attempt.finalized_at is not None:
        return 0
    return max(0, math.ceil((attempt.deadline - now).total_seconds()))


@dataclass(frozen=True)
class OpenedAttempt:
    invitation: Invitation
    attempt: Attempt | None
    phase: Phase


def open_attempt(session: Session, token: str, now: datetime, grace_seconds: int) -> OpenedAttempt:
    """The invitation behind a link, its attempt if started, and the attempt's phase now.

    Raises ``InvitationUnusable`` as ``open_link`` does (a finalized attempt's link is
    "finished"). Reads only.
    """
    invitation, attempt = open_link(session, token, now)
    return OpenedAttempt(invitation, attempt, phase_of(attempt, now, grace_seconds))
