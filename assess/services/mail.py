"""Invitation emails: rendered once, kept in the outbox, delivered by SMTP when configured.

Without SMTP the outbox is the delivery: staff read the message there and pass it on.
A message delivered by SMTP keeps its text but loses the candidate's link, so the
database holds a working link only while staff may still need to copy it.
"""

from __future__ import annotations

import math
import re
import smtplib
import ssl
from collections.abc import Iterable
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assess.config import SmtpSettings
from assess.models import Campaign, Invitation, OutboxMessage

#: A candidate's link inside a message body.
LINK_PATTERN = re.compile(r"\bhttps?://\S+/t/[A-Za-z0-9_-]{16,128}")
#: Replaces the link in a message once SMTP has taken it.
LINK_REMOVED = "[link removed after sending: resend the invitation for a new one]"


def candidate_link(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/t/{token}"


def invitation_text(
    campaign: Campaign, invitation: Invitation, link: str, minutes: int | None
) -> tuple[str, str]:
    """Subject and body of an invitation email."""
    greeting = f"Dear {invitation.name}," if invitation.name else "Hello,"
    duration = f"You will have {minutes} minutes" if minutes else "The test is timed"
    if invitation.extra_time != 1:
        duration += " (this includes the extra time agreed with you)"
    subject = f"Your assessment for the {campaign.role} role"
    body = "\n".join(
        [
            greeting,
            "",
            f"Thank you for applying for the {campaign.role} role. The next step is an online assessment.",
            f"{duration}, from the moment you press Start; you can do it whenever suits you before",
            f"{invitation.expires_at:%d %B %Y, %H:%M} UTC.",
            "",
            "Open this personal link to read the instructions and start:",
            link,
            "",
            "The link is for you only. You take the test once, but until you submit it or the time runs",
            "out, the same link reopens it where you left off. If you need an accommodation, or the link",
            "does not work, reply to this email.",
            "",
            "The hiring team",
        ]
    )
    return subject, body


def queue_message(
    session: Session, to: str, subject: str, body: str, now: datetime, invitation_id: int | None = None
) -> OutboxMessage:
    """Add a message to the outbox in the caller's transaction."""
    message = OutboxMessage(
        invitation_id=invitation_id, to=to, subject=subject, body=body, created_at=now, error=""
    )
    session.add(message)
    return message


def outbox_page(session: Session, number: int, size: int) -> tuple[list[OutboxMessage], int]:
    """Page ``number`` (from 1) of the outbox, newest first, and how many messages it holds in all."""
    total = session.scalar(select(func.count()).select_from(OutboxMessage)) or 0
    messages = session.scalars(
        select(OutboxMessage)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(size)
        .offset((number - 1) * size)
    ).all()
    return list(messages), total


def invitation_messages(session: Session, invitation_id: int) -> list[OutboxMessage]:
    """The emails of one invitation, newest first."""
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.invitation_id == invitation_id)
            .order_by(OutboxMessage.id.desc())
        )
    )


def deliver(session: Session, smtp: SmtpSettings, message_ids: Iterable[int], now: datetime) -> int:
    """Send these outbox messages by SMTP; returns how many went.

    A failure is recorded on its message (the outbox page shows it) and the rest still go.
    """
    sent = 0
    for message_id in message_ids:
        message = session.get(OutboxMessage, message_id)
        if message is None or message.sent_at is not None:
            continue
        try:
            _send(smtp, message)
        except (OSError, smtplib.SMTPException) as exc:
            message.error = f"{now:%Y-%m-%d %H:%M} UTC: {type(exc).__name__}: {exc}"[:2000]
        else:
            message.sent_at = now
            message.error = ""
            message.body = LINK_PATTERN.sub(LINK_REMOVED, message.body)
            sent += 1
        # One commit per message: a failure later on never resends what already went out.
        session.commit()
    return sent


def _send(smtp: SmtpSettings, message: OutboxMessage) -> None:
    email = EmailMessage()
    email["From"] = smtp.sender
    email["To"] = message.to
    email["Subject"] = message.subject
    email.set_content(message.body)
    if smtp.security == "ssl":
        context = ssl.create_default_context()
        with smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout_seconds, context=context) as client:
            _login_and_send(client, smtp, email)
        return
    with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds) as client:
        if smtp.security == "starttls":
            client.starttls(context=ssl.create_default_context())
        _login_and_send(client, smtp, email)


def _login_and_send(client: smtplib.SMTP, smtp: SmtpSettings, email: EmailMessage) -> None:
    if smtp.user:
        client.login(smtp.user, smtp.password)
    client.send_message(email)


def queue_invitation(
    session: Session,
    invitation: Invitation,
    token: str,
    public_url: str,
    time_limit: int | None,
    now: datetime,
) -> OutboxMessage:
    """Render an invitation's email into the outbox (the caller's transaction).

    ``time_limit`` is the form's standard minutes; the email states the candidate's own.
    """
    minutes = math.ceil(time_limit * invitation.extra_time) if time_limit else None
    subject, body = invitation_text(
        invitation.campaign, invitation, candidate_link(public_url, token), minutes
    )
    message = queue_message(session, invitation.email, subject, body, now, invitation.id)
    session.flush()
    return message
