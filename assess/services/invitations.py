"""Invitations: single-use links whose token is known only to the candidate."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from assess.models import Attempt, Invitation
from assess.services.campaigns import campaign_by_slug

#: 24 random bytes = 192 bits (issue 4 asks for at least 128), 32 URL-safe characters.
TOKEN_BYTES = 24
MIN_EXTRA_TIME = Decimal(1)
MAX_EXTRA_TIME = Decimal(3)
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
# Anything else cannot have come from token_urlsafe; refuse it before hashing.
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,128}$")


class InvitationUnusable(Exception):
    """A link that cannot be used; ``reason`` picks the page the candidate sees."""

    MESSAGES = {
        "unknown": "This link is not valid. Please check that you copied the whole link.",
        "expired": "This invitation has expired.",
        "revoked": "This invitation has been withdrawn.",
        "finished": "This assessment has already been submitted.",
    }

    def __init__(self, reason: str) -> None:
        super().__init__(self.MESSAGES[reason])
        self.reason = reason


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_invitation(
    session: Session,
    campaign_slug: str,
    email: str,
    now: datetime,
    extra_time: Decimal = Decimal(1),
    valid_for: timedelta = timedelta(days=14),
) -> tuple[Invitation, str]:
    """A new invitation and its token; the token is returned once and never stored.

    ``extra_time`` multiplies the time limit (1.25 = 25 % more), from 1 to 3 in hundredths.
    """
    campaign = campaign_by_slug(session, campaign_slug)
    if campaign is None:
        raise ValueError(f"no campaign {campaign_slug!r}")
    email = email.strip()
    if len(email) > 320 or not EMAIL_PATTERN.match(email):
        raise ValueError(f"{email!r} is not an email address")
    extra_time = _checked_extra_time(extra_time)
    if valid_for <= timedelta(0):
        raise ValueError("an invitation must be valid for some time")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invitation = Invitation(
        campaign_id=campaign.id,
        campaign=campaign,
        email=email,
        token_hash=token_hash(token),
        expires_at=now + valid_for,
        extra_time=extra_time,
        created_at=now,
    )
    session.add(invitation)
    session.commit()
    return invitation, token


def _checked_extra_time(value: Decimal | int | str) -> Decimal:
    try:
        extra_time = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"extra time must be a number such as 1.25, got {value!r}") from None
    if not extra_time.is_finite() or not MIN_EXTRA_TIME <= extra_time <= MAX_EXTRA_TIME:
        raise ValueError(
            f"extra time must be from {MIN_EXTRA_TIME} to {MAX_EXTRA_TIME} (a multiplier), got {value}"
        )
    if extra_time != extra_time.quantize(Decimal("0.01")):
        raise ValueError(f"extra time takes at most two decimals, got {value}")
    return extra_time.quantize(Decimal("0.01"))


def open_invitation(session: Session, token: str, now: datetime) -> Invitation:
    """The invitation behind a link, if the candidate may use it now.

    A running attempt stays reachable after the invitation itself expires: the
    candidate is mid-test, and only the attempt's deadline governs them.
    """
    if not TOKEN_PATTERN.match(token):
        raise InvitationUnusable("unknown")
    invitation = session.scalars(
        select(Invitation).where(Invitation.token_hash == token_hash(token))
    ).one_or_none()
    if invitation is None:
        raise InvitationUnusable("unknown")
    attempt = session.scalars(select(Attempt).where(Attempt.invitation_id == invitation.id)).one_or_none()
    if attempt is not None and attempt.finalized_at is not None:
        raise InvitationUnusable("finished")
    if invitation.revoked_at is not None:
        raise InvitationUnusable("revoked")
    if attempt is None and invitation.expires_at <= now:
        raise InvitationUnusable("expired")
    return invitation


def revoke_invitation(session: Session, invitation_id: int, now: datetime) -> None:
    """Withdraw an invitation; revoking twice keeps the first time."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is None:
        raise InvitationUnusable("unknown")
    if invitation.revoked_at is None:
        invitation.revoked_at = now
    session.commit()
