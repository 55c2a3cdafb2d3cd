"""The status board: running attempts' deadlines in Redis, so the status poll can skip the database.

An open attempt page asks every ``STATUS_POLL_SECONDS`` how long is left, and on a hiring day
that poll is most of the requests. Its answer depends on three stored facts only: the
deadline (moved by a time grant), whether the attempt is finalized (a Submit, or the sweep
after the deadline) and whether the link is revoked. Where several workers share a Redis
(the rate limits' storage, ASSESS_RATELIMIT_STORAGE), a started attempt's deadline is kept
there under the link's hash, and a poll that finds it reads no database row
(``attempt_status.read_status``).

The rule that keeps it true: every change of those facts writes a tombstone over the entry
after its commit (``forget_status``: time grants, finalization, revocation), and a poll that
missed the entry caches what it read only if neither entry nor tombstone is there (``SET
NX``). A tombstone outlives any request (``TOMBSTONE_SECONDS``, over the workers' 30 s
timeout), so a poll that read the row before the change cannot cache the old deadline
after it. The sweep's finalizations need no tombstone: they come after the deadline, which
the cached entry already answers as "time is up". The poll carries no answer, so saves
(from any device) leave the entry alone. Without Redis (the single-host default) every
poll reads the database: one process's memory would not hear of a grant made in another.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from assess.models import Attempt, Invitation

#: The key of a session's ``info`` that holds the board (``make_session_factory``).
STATUS_BOARD = "assess.status_board"
#: How long a cached deadline lives: it bounds how stale an entry can be if a tombstone's
#: write fails after its commit (Redis unreachable at that moment), for one miss a minute per link.
ENTRY_SECONDS = 60
#: Longer than any request can take (gunicorn's worker timeout is 30 s).
TOMBSTONE_SECONDS = 60
_TOMBSTONE = b""

logger = logging.getLogger(__name__)


class StatusBoard:
    """Cached deadlines in Redis, keyed by the link's hash (the storage never holds a link)."""

    def __init__(self, client: redis.Redis, prefix: str = "") -> None:
        self.client = client
        self.prefix = f"{prefix}assess-status:"

    def deadline(self, digest: str) -> datetime | None:
        """The cached deadline, or None (no entry, a tombstone, or Redis unreachable)."""
        try:
            value: bytes | None = self.client.get(self.prefix + digest)  # type: ignore[assignment]
        except redis.RedisError:
            logger.exception("status board unreachable; the poll reads the database")
            return None
        if not value:
            return None
        return datetime.fromtimestamp(float(value), UTC)

    def remember(self, digest: str, deadline: datetime) -> None:
        try:
            self.client.set(self.prefix + digest, repr(deadline.timestamp()), nx=True, ex=ENTRY_SECONDS)
        except redis.RedisError:
            logger.exception("status board unreachable; deadline not cached")

    def forget(self, digest: str) -> None:
        try:
            self.client.set(self.prefix + digest, _TOMBSTONE, ex=TOMBSTONE_SECONDS)
        except redis.RedisError:
            # Loud: until the entry expires (ENTRY_SECONDS) polls may answer what was before.
            logger.exception(
                "status board unreachable; a changed attempt may stay cached %d s", ENTRY_SECONDS
            )


def status_board_for(storage_uri: str, prefix: str = "") -> StatusBoard | None:
    """A board on the rate limits' Redis; None for any other storage (each process's memory)."""
    if not storage_uri.startswith(("redis://", "rediss://")):
        return None
    return StatusBoard(redis.Redis.from_url(storage_uri, socket_timeout=1.0), prefix)


def board_of(session: Session) -> StatusBoard | None:
    board: StatusBoard | None = session.info.get(STATUS_BOARD)
    return board


def forget_status(session: Session, attempt_id: int) -> None:
    """After a commit that moved an attempt's deadline or finalized it."""
    board = board_of(session)
    if board is not None:
        link = select(Invitation.token_hash).join(Attempt, Attempt.invitation_id == Invitation.id)
        digest = session.scalar(link.where(Attempt.id == attempt_id))
        if digest is not None:
            board.forget(digest)


def forget_link_status(session: Session, digest: str) -> None:
    """After a commit that revoked the link whose token hashes to ``digest``."""
    board = board_of(session)
    if board is not None:
        board.forget(digest)
