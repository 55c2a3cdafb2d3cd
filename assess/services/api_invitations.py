"""Invitations made, revoked, resent and extended through the REST API, with ``Idempotency-Key`` replay.

Each change is made by the service the staff pages use (``invitations``, ``invitation_import``),
so their rules hold here unchanged; the key's use is added to the same transaction.

The first answer to a request sent with a key is stored and replayed for every retry, so a
client that timed out can send again without inviting anyone twice. The reservation of the key
is added to the transaction that stores the invitations: they commit together, and of two
identical requests racing, the second fails on the key's unique constraint, stores nothing, and
is answered with the first one's reply. A key reused for a different request is refused.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assess.models import Campaign, Invitation, OutboxMessage
from assess.models.api_key import ApiKey, IdempotentRequest
from assess.services.api_keys import key_owner, record_key_use
from assess.services.api_reads import NotFound, campaign
from assess.services.authoring import live_catalogue
from assess.services.invitation_import import InviteRow, invite_candidates
from assess.services.invitations import (
    MAX_VALID_DAYS,
    InvitationConflict,
    InvitationUnusable,
    extend_invitation,
    resend_invitation,
    revoke_invitation,
)
from items.bank import Catalogue


class IdempotencyKeyReused(Exception):
    """The key was used before for a request with other parameters."""


class ExpiryOutOfBounds(ValueError):
    """A new expiry that is not later than now, or further than ``MAX_VALID_DAYS`` away."""


class IdempotencyPending(Exception):
    """The key's first request has not finished (or its answer was lost with its process)."""


@dataclass(frozen=True)
class Idempotency:
    key: str
    #: SHA-256 of what makes two requests the same one: method, path and body.
    fingerprint: str


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    body: dict[str, Any]


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\n".join([method.encode(), path.encode(), body])).hexdigest()


def stored_answer(session: Session, key: ApiKey, idempotency: Idempotency) -> StoredAnswer | None:
    """The answer stored for this key's earlier request, None if there was none."""
    row = session.scalars(
        select(IdempotentRequest).where(
            IdempotentRequest.api_key_id == key.id, IdempotentRequest.key == idempotency.key
        )
    ).one_or_none()
    if row is None:
        return None
    if row.fingerprint != idempotency.fingerprint:
        raise IdempotencyKeyReused(idempotency.key)
    if row.status is None or row.body is None:
        raise IdempotencyPending(idempotency.key)
    return StoredAnswer(row.status, row.body)


def store_answer(session: Session, key: ApiKey, idempotency: Idempotency, answer: StoredAnswer) -> None:
    session.execute(
        update(IdempotentRequest)
        .where(IdempotentRequest.api_key_id == key.id, IdempotentRequest.key == idempotency.key)
        .values(status=answer.status, body=answer.body)
    )
    session.commit()


def invite_through_api(
    session: Session,
    key: ApiKey,
    campaign_id: int,
    rows: list[InviteRow],
    valid_for: timedelta,
    public_url: str,
    file_catalogue: Catalogue,
    now: datetime,
    idempotency: Idempotency | None,
) -> list[int] | StoredAnswer:
    """Invite ``rows``: the new invitations' ids, or the answer stored for ``idempotency``.

    ``InviteRefused`` lists every problem, as the staff page shows them.

    Each invitation is in the audit log under the key's maker, with the key's use beside it.
    """
    found = campaign(session, campaign_id)
    live = live_catalogue(session, file_catalogue, found.form_id)
    form = live.forms.get(found.form_id)
    earlier = _reserve(session, key, idempotency, now)
    if earlier is not None:
        return earlier
    record_key_use(session, key, "invite", "invitation.create", now)
    # From here every query may flush the reservation: a racing twin fails on it here.
    try:
        messages = invite_candidates(
            session,
            found.id,
            rows,
            valid_for,
            public_url,
            form.time_limit_minutes if form is not None else None,
            key_owner(session, key),
            now,
            # Prepared now, as the staff page's are, so each candidate's Start only stamps the time.
            catalogue=live,
        )
    except IntegrityError:
        session.rollback()
        earlier = _winners_answer(session, key, idempotency)
        if earlier is None:
            raise
        return earlier
    except Exception:
        session.rollback()
        raise
    return [message.invitation_id for message in messages if message.invitation_id is not None]


def _reserve(
    session: Session, key: ApiKey, idempotency: Idempotency | None, now: datetime
) -> StoredAnswer | None:
    """The answer stored for this key's earlier request, else its reservation added to the transaction."""
    if idempotency is None:
        return None
    earlier = stored_answer(session, key, idempotency)
    if earlier is None:
        session.add(
            IdempotentRequest(
                api_key_id=key.id, key=idempotency.key, fingerprint=idempotency.fingerprint, created_at=now
            )
        )
    return earlier


def _winners_answer(session: Session, key: ApiKey, idempotency: Idempotency | None) -> StoredAnswer | None:
    """After an integrity error: the answer of the request that won the race to the reservation."""
    return stored_answer(session, key, idempotency) if idempotency is not None else None


def revoke_through_api(session: Session, key: ApiKey, invitation_id: int, now: datetime) -> None:
    """Withdraw an invitation (as the staff page does), the key's use in the audit log."""
    record_key_use(session, key, "invite", "invitation.revoke", now)
    try:
        revoke_invitation(session, invitation_id, now, key_owner(session, key))
    except InvitationUnusable:
        session.rollback()
        raise NotFound(f"no invitation {invitation_id}") from None


def resend_through_api(
    session: Session,
    key: ApiKey,
    invitation_id: int,
    public_url: str,
    file_catalogue: Catalogue,
    now: datetime,
    idempotency: Idempotency | None,
) -> OutboxMessage | StoredAnswer:
    """Email the candidate their link again (a new one: only the old one's hash was kept).

    ``InvitationConflict`` says why a revoked, started, finished or expired invitation is not
    resent. With ``idempotency``, a retry is answered as the first request was and sends nothing:
    a second new link would stop the first one working.
    """
    form_id = _campaign_of_invitation(session, invitation_id).form_id
    form = live_catalogue(session, file_catalogue, form_id).forms.get(form_id)
    earlier = _reserve(session, key, idempotency, now)
    if earlier is not None:
        return earlier
    record_key_use(session, key, "invite", "invitation.resend", now)
    try:
        return resend_invitation(
            session,
            invitation_id,
            public_url,
            form.time_limit_minutes if form is not None else None,
            key_owner(session, key),
            now,
        )
    except IntegrityError:
        session.rollback()
        earlier = _winners_answer(session, key, idempotency)
        if earlier is None:
            raise
        return earlier
    except Exception:
        session.rollback()
        raise


def extend_through_api(
    session: Session, key: ApiKey, invitation_id: int, expires_at: datetime, now: datetime
) -> None:
    """Move an unstarted invitation's expiry to ``expires_at`` (never past its campaign's window).

    ``ExpiryOutOfBounds`` for a time not later than now or more than ``MAX_VALID_DAYS`` days
    away; ``InvitationConflict`` for a revoked or started invitation.
    """
    valid_for = expires_at - now
    if valid_for <= timedelta(0):
        raise ExpiryOutOfBounds("must be later than now")
    if valid_for > timedelta(days=MAX_VALID_DAYS):
        raise ExpiryOutOfBounds(f"must be at most {MAX_VALID_DAYS} days from now")
    record_key_use(session, key, "invite", "invitation.extend", now)
    try:
        extend_invitation(session, invitation_id, valid_for, key_owner(session, key), now)
    except LookupError:
        session.rollback()
        raise NotFound(f"no invitation {invitation_id}") from None
    except InvitationConflict:
        session.rollback()
        raise


def _campaign_of_invitation(session: Session, invitation_id: int) -> Campaign:
    found = session.get(Invitation, invitation_id)
    if found is None:
        raise NotFound(f"no invitation {invitation_id}")
    return found.campaign
