"""Invitations: single-use links whose token is known only to the candidate.

An invitation made with the catalogue (``create_invitation(..., catalogue=...)`` and the bulk
``invite_candidates``) has its attempt prepared in the same transaction
(``attempt_preparation``): what the Start will show is frozen before the hiring day, and the
Start only stamps the time. Its prepared attempt is not "started" anywhere (``STARTED``).
"""

from __future__ import annotations

import hashlib
import random
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import ColumnElement, and_, bindparam, select
from sqlalchemy.orm import Session

from assess.models import Attempt, Campaign, Invitation, OutboxMessage, StaffUser
from assess.services.attempt_phase import STARTED, Phase, phase_of
from assess.services.attempt_preparation import prepare_attempts
from assess.services.campaigns import campaign_by_slug
from assess.services.mail import queue_invitation
from assess.services.staff import record_audit
from assess.services.status_board import forget_link_status
from items.bank import Catalogue

#: 24 random bytes = 192 bits (issue 4 asks for at least 128), 32 URL-safe characters.
TOKEN_BYTES = 24
MIN_EXTRA_TIME = Decimal(1)
MAX_EXTRA_TIME = Decimal(3)
#: How a spreadsheet may say yes or no to the assistive-technology accommodation.
ASSISTIVE_YES = frozenset({"yes", "y", "true", "1"})
ASSISTIVE_NO = frozenset({"", "no", "n", "false", "0"})
#: The longest a link may stay open, when invited or extended, in days.
MAX_VALID_DAYS = 365
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
# Anything else cannot have come from token_urlsafe; refuse it before hashing.
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,128}$")


class InvitationConflict(ValueError):
    """A staff action the invitation's state does not allow (resend after the start ...)."""


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
    name: str = "",
    catalogue: Catalogue | None = None,
    assistive_technology: bool = False,
) -> tuple[Invitation, str]:
    """A new invitation and its token; the token is returned once and never stored.

    ``extra_time`` multiplies the time limit (1.25 = 25 % more), from 1 to 3 in hundredths.
    With the file ``catalogue``, the attempt is prepared now; without it, at the Start.
    """
    campaign = campaign_by_slug(session, campaign_slug)
    if campaign is None:
        raise ValueError(f"no campaign {campaign_slug!r}")
    invitation, token = new_invitation(
        session, campaign, email, name, extra_time, valid_for, now, assistive_technology
    )
    if catalogue is not None:
        session.flush()
        prepare_attempts(session, catalogue, [invitation], random.Random())
    session.commit()
    return invitation, token


def new_invitation(
    session: Session,
    campaign: Campaign,
    email: str,
    name: str,
    extra_time: Decimal | int | str,
    valid_for: timedelta,
    now: datetime,
    assistive_technology: bool | str = False,
) -> tuple[Invitation, str]:
    """Add an invitation to the caller's transaction; ``ValueError`` says what is wrong."""
    email = checked_email(email)
    name = checked_name(name)
    multiplier = checked_extra_time(extra_time)
    assisted = checked_assistive_technology(assistive_technology)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invitation = Invitation(
        campaign_id=campaign.id,
        campaign=campaign,
        email=email,
        name=name,
        token_hash=token_hash(token),
        expires_at=expiry(campaign, valid_for, now),
        extra_time=multiplier,
        assistive_technology=assisted,
        created_at=now,
    )
    session.add(invitation)
    return invitation, token


def checked_email(email: str) -> str:
    email = email.strip()
    if len(email) > 320 or not EMAIL_PATTERN.match(email):
        raise ValueError(f"{email!r} is not an email address")
    return email


def checked_name(name: str) -> str:
    name = " ".join(name.split())
    # PostgreSQL text cannot hold NUL, and no name needs a control character.
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in name):
        raise ValueError("a name cannot contain control characters")
    if len(name) > 200:
        raise ValueError("a name has at most 200 characters")
    return name


def expiry(campaign: Campaign, valid_for: timedelta, now: datetime) -> datetime:
    """When a link made now stops working: after ``valid_for``, and never after the campaign's window."""
    if valid_for <= timedelta(0):
        raise ValueError("an invitation must be valid for some time")
    if campaign.window_start is not None and now < campaign.window_start:
        raise InvitationConflict(
            f"the campaign's invitation window opens on {campaign.window_start:%Y-%m-%d %H:%M} UTC"
        )
    if campaign.window_end is not None and now >= campaign.window_end:
        raise InvitationConflict(
            f"the campaign's invitation window closed on {campaign.window_end:%Y-%m-%d %H:%M} UTC"
        )
    end = now + valid_for
    return min(end, campaign.window_end) if campaign.window_end is not None else end


def checked_extra_time(value: Decimal | int | str) -> Decimal:
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


def checked_assistive_technology(value: bool | str) -> bool:
    """The assistive-technology accommodation from a checkbox, a JSON boolean or a CSV cell (blank = no).

    With it, focus changes, timing and pastes are shown to reviewers but never counted against
    the candidate (``integrity.tiers``): screen readers, dictation and word prediction cause them.
    """
    if isinstance(value, bool):
        return value
    answer = value.strip().lower()
    if answer in ASSISTIVE_YES:
        return True
    if answer in ASSISTIVE_NO:
        return False
    raise ValueError(f"assistive technology is yes or no (blank is no), got {value.strip()!r}")


#: Built once: every candidate request runs it, and building it costs about as much as running it.
#: A prepared attempt is not joined: until Start the link has no attempt.
_OPEN_LINK = (
    select(Invitation, Attempt)
    .outerjoin(Attempt, and_(Attempt.invitation_id == Invitation.id, STARTED))
    .where(Invitation.token_hash == bindparam("token_hash"))
)
#: ``check_link`` for a link without a started attempt, "now" bound as "at": not revoked, not expired.
LINK_USABLE: ColumnElement[bool] = and_(
    Invitation.revoked_at.is_(None), Invitation.expires_at > bindparam("at")
)


def open_link(session: Session, token: str, now: datetime) -> tuple[Invitation, Attempt | None]:
    """The invitation behind a link and its attempt if started, if the candidate may use it now.

    One query: every candidate request starts here (``open_slot`` is the autosave's version).
    """
    row = session.execute(_OPEN_LINK, {"token_hash": link_hash(token)}).one_or_none()
    if row is None:
        raise InvitationUnusable("unknown")
    invitation, attempt = row
    check_link(invitation, attempt, now)
    return invitation, attempt


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


def link_hash(token: str) -> str:
    """The stored hash a link's token is looked up by; anything ``token_urlsafe`` cannot make is unknown."""
    if not TOKEN_PATTERN.match(token):
        raise InvitationUnusable("unknown")
    return token_hash(token)


def check_link(invitation: Invitation, attempt: Attempt | None, now: datetime) -> None:
    """Raise ``InvitationUnusable`` unless the candidate may use this link now (``attempt``: the started one).

    A running attempt stays reachable after the invitation itself expires: the
    candidate is mid-test, and only the attempt's deadline governs them.
    """
    if attempt is not None and attempt.finalized_at is not None:
        raise InvitationUnusable("finished")
    if invitation.revoked_at is not None:
        raise InvitationUnusable("revoked")
    if attempt is None and invitation.expires_at <= now:
        raise InvitationUnusable("expired")


def revoke_invitation(
    session: Session, invitation_id: int, now: datetime, actor: StaffUser | None = None
) -> Invitation:
    """Withdraw an invitation; revoking twice keeps the first time (and logs it once)."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is None:
        raise InvitationUnusable("unknown")
    if invitation.revoked_at is None:
        invitation.revoked_at = now
        record_audit(
            session, actor, "invitation.revoke", "invitation", invitation.id, {"email": invitation.email}, now
        )
    session.commit()
    forget_link_status(session, invitation.token_hash)
    return invitation


def _invitation_and_attempt(session: Session, invitation_id: int) -> tuple[Invitation, Attempt | None]:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None:
        raise LookupError(f"no invitation {invitation_id}")
    attempt = session.scalars(
        select(Attempt).where(Attempt.invitation_id == invitation.id, STARTED)
    ).one_or_none()
    return invitation, attempt


def resend_invitation(
    session: Session,
    invitation_id: int,
    public_url: str,
    time_limit: int | None,
    actor: StaffUser | None,
    now: datetime,
) -> OutboxMessage:
    """Email the candidate a new link; the old link stops working at once.

    Only the token's hash is stored, so the old link cannot be sent again; a new
    token also means a forwarded or leaked old email is worthless.
    """
    invitation, attempt = _invitation_and_attempt(session, invitation_id)
    if invitation.revoked_at is not None:
        raise InvitationConflict("this invitation was revoked; invite the candidate again instead")
    if attempt is not None:
        # The token is the running attempt's key: replacing it would lock the candidate out.
        raise InvitationConflict("the candidate has started the test, so their link cannot be replaced")
    if invitation.expires_at <= now:
        raise InvitationConflict("this invitation has expired; extend it first")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invitation.token_hash = token_hash(token)
    message = queue_invitation(session, invitation, token, public_url, time_limit, now)
    record_audit(
        session,
        actor,
        "invitation.resend",
        "invitation",
        invitation.id,
        {"email": invitation.email, "message_id": message.id},
        now,
    )
    session.commit()
    return message


def extend_invitation(
    session: Session, invitation_id: int, valid_for: timedelta, actor: StaffUser | None, now: datetime
) -> Invitation:
    """Give an unstarted invitation a new expiry, ``valid_for`` from now (within the campaign's window)."""
    invitation, attempt = _invitation_and_attempt(session, invitation_id)
    if invitation.revoked_at is not None:
        raise InvitationConflict("this invitation was revoked and cannot be extended")
    if attempt is not None:
        raise InvitationConflict(
            "the candidate has started the test; its deadline, not the link, governs now"
        )
    before = invitation.expires_at
    invitation.expires_at = expiry(invitation.campaign, valid_for, now)
    record_audit(
        session,
        actor,
        "invitation.extend",
        "invitation",
        invitation.id,
        {"email": invitation.email, "expires_at": [before.isoformat(), invitation.expires_at.isoformat()]},
        now,
    )
    session.commit()
    return invitation
