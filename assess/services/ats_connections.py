"""ATS connections: an admin makes one per customer account of Greenhouse or Ashby, and revokes it.

The key the ATS calls us with reads ``ats_<prefix>_<secret>``; it is shown once, and the
secret's SHA-256 is what authenticates (one indexed lookup by prefix, a constant-time compare).
What we present when we call the ATS is kept encrypted (``ats_secrets``), see ``AtsConnection``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assess.models import Campaign, StaffUser
from assess.models.ats import AtsConnection, AtsResponseError
from assess.services.ats_secrets import seal, unseal
from assess.services.invitations import checked_name
from assess.services.staff import record_audit

#: The ATSs we are an assessment partner of, and how each is named on pages.
PROVIDERS = {"greenhouse": "Greenhouse", "ashby": "Ashby"}
KEY_PATTERN = re.compile(r"^ats_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$")
#: A customer's Ashby API key: printable ASCII, no spaces; Ashby's own are far shorter.
ASHBY_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{8,500}$")


class ConnectionInvalid(ValueError):
    """A connection that cannot be made as asked; ``field`` names what to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _checked_campaigns(session: Session, campaign_ids: Iterable[int]) -> list[int]:
    chosen = sorted(set(campaign_ids))
    if not chosen:
        raise ConnectionInvalid("campaigns", "choose at least one campaign the ATS may send as a test")
    found = set(session.scalars(select(Campaign.id).where(Campaign.id.in_(chosen))))
    missing = [str(campaign_id) for campaign_id in chosen if campaign_id not in found]
    if missing:
        raise ConnectionInvalid("campaigns", f"no campaign with id {', '.join(missing)}")
    return chosen


def create_connection(
    session: Session,
    provider: str,
    name: str,
    campaign_ids: Iterable[int],
    ashby_api_key: str,
    secret_key: str,
    actor: StaffUser | None,
    now: datetime,
) -> tuple[AtsConnection, str]:
    """A new connection and the full text of its key, returned once and never stored readable."""
    if provider not in PROVIDERS:
        raise ConnectionInvalid("provider", f"unknown ATS {provider!r}; choose {' or '.join(PROVIDERS)}")
    try:
        name = checked_name(name)
    except ValueError as exc:
        raise ConnectionInvalid("name", str(exc)) from None
    if not name:
        raise ConnectionInvalid("name", "name the connection, e.g. the customer's company")
    chosen = _checked_campaigns(session, campaign_ids)
    ashby_api_key = ashby_api_key.strip()
    if provider == "ashby" and not ASHBY_KEY_PATTERN.match(ashby_api_key):
        raise ConnectionInvalid(
            "ashby_api_key",
            "enter the customer's Ashby API key (with the candidatesWrite permission), "
            "8 to 500 characters without spaces",
        )
    prefix = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(12))
    secret = secrets.token_urlsafe(32)
    text = f"ats_{prefix}_{secret}"
    connection = AtsConnection(
        provider=provider,
        name=name,
        prefix=prefix,
        secret_hash=_secret_hash(secret),
        # Greenhouse's completion PATCH carries the key Greenhouse calls us with; Ashby's
        # assessment.update needs the customer's Ashby key.
        outbound_key=seal(secret_key, text if provider == "greenhouse" else ashby_api_key),
        campaign_ids=chosen,
        created_by_id=actor.id if actor is not None else None,
        created_at=now,
    )
    session.add(connection)
    session.flush()
    detail = {"provider": provider, "name": name, "campaign_ids": chosen}
    record_audit(session, actor, "ats_connection.create", "ats_connection", connection.id, detail, now)
    session.commit()
    return connection, text


def ats_connections(session: Session) -> list[AtsConnection]:
    """Every connection, the working ones first, newest first."""
    return list(
        session.scalars(
            select(AtsConnection).order_by(AtsConnection.revoked_at.is_not(None), AtsConnection.id.desc())
        )
    )


def revoke_connection(
    session: Session, connection_id: int, actor: StaffUser | None, now: datetime
) -> AtsConnection:
    """Stop a connection's key working at once; revoking twice keeps the first time."""
    connection = session.get(AtsConnection, connection_id)
    if connection is None:
        raise LookupError(f"no ATS connection {connection_id}")
    if connection.revoked_at is None:
        connection.revoked_at = now
        detail = {"provider": connection.provider, "name": connection.name}
        record_audit(session, actor, "ats_connection.revoke", "ats_connection", connection.id, detail, now)
    session.commit()
    return connection


def authenticate(session: Session, provider: str, presented: str) -> AtsConnection | None:
    """The working connection of ``provider`` whose key ``presented`` is, else None."""
    match = KEY_PATTERN.match(presented)
    if match is None:
        return None
    connection = session.scalars(
        select(AtsConnection).where(AtsConnection.prefix == match.group(1))
    ).one_or_none()
    if connection is None or connection.revoked_at is not None or connection.provider != provider:
        return None
    if not hmac.compare_digest(connection.secret_hash, _secret_hash(match.group(2))):
        return None
    return connection


def outbound_key(connection: AtsConnection, secret_key: str) -> str:
    """What we present to the connection's ATS (``SecretUnreadable`` if SECRET_KEY changed)."""
    return unseal(secret_key, connection.outbound_key)


def offered_campaigns(session: Session, connection: AtsConnection) -> list[Campaign]:
    """The campaigns the connection may send as tests, by title."""
    return list(
        session.scalars(
            select(Campaign).where(Campaign.id.in_(connection.campaign_ids)).order_by(Campaign.title)
        )
    )


def connection_owner(session: Session, connection: AtsConnection) -> StaffUser | None:
    """Whom a connection's invitations are recorded under in the audit log: whoever made it."""
    return session.get(StaffUser, connection.created_by_id) if connection.created_by_id else None


def record_response_error(
    session: Session,
    connection: AtsConnection,
    api_call: str,
    errors: list[str],
    partner_test_id: str,
    partner_interview_id: str,
    candidate_email: str,
    now: datetime,
) -> AtsResponseError:
    """Keep what the ATS found wrong in one of our answers, for the admins' page and the audit log."""
    row = AtsResponseError(
        connection_id=connection.id,
        api_call=api_call,
        errors=errors,
        partner_test_id=partner_test_id,
        partner_interview_id=partner_interview_id,
        candidate_email=candidate_email,
        received_at=now,
    )
    session.add(row)
    session.flush()
    detail = {"api_call": api_call, "errors": errors, "partner_interview_id": partner_interview_id}
    record_audit(session, None, "ats_connection.response_error", "ats_connection", connection.id, detail, now)
    session.commit()
    return row


def response_errors(session: Session, limit: int = 50) -> list[AtsResponseError]:
    """The newest errors reported by every connection."""
    return list(
        session.scalars(
            select(AtsResponseError)
            .order_by(AtsResponseError.received_at.desc(), AtsResponseError.id.desc())
            .limit(limit)
        )
    )
