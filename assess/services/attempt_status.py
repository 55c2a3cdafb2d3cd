"""The status poll's answer: a running attempt's time left, from the status board when it has it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from assess.services.attempt_phase import deadline_of, seconds_until
from assess.services.invitations import link_hash, open_link
from assess.services.status_board import board_of


class NotStarted(LookupError):
    """The link works but its attempt has not been started: there is no time to tell."""


@dataclass(frozen=True)
class AttemptStatus:
    seconds_left: int
    finished: bool


def read_status(session: Session, token: str, now: datetime) -> AttemptStatus:
    """Raises ``InvitationUnusable`` as ``open_link`` does, ``NotStarted`` before the Start. Reads only."""
    digest = link_hash(token)
    board = board_of(session)
    if board is not None:
        cached = board.deadline(digest)
        if cached is not None:
            return _status_at(cached, now)
    _, attempt = open_link(session, token, now)
    if attempt is None:
        raise NotStarted("the test has not been started")
    # open_link refused a finalized attempt and a revoked link: what is left is the deadline.
    deadline = deadline_of(attempt)
    if board is not None:
        board.remember(digest, deadline)
    return _status_at(deadline, now)


def _status_at(deadline: datetime, now: datetime) -> AttemptStatus:
    # Time left is above 0 exactly while the attempt is open (attempt_phase): past the deadline,
    # in grace or finalized by the sweep, the candidate is told that time is up.
    left = seconds_until(deadline, now)
    return AttemptStatus(left, finished=left == 0)
