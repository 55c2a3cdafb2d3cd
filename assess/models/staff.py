"""The hiring team: staff accounts, the audit log of what they did, and the mail outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assess.models.base import Base, UTCDateTime


class StaffUser(Base):
    """A member of the hiring team; ``role`` is one of ``assess.services.staff.ROLES``."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased, so a login never depends on how the address was typed.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16))
    #: werkzeug.security's salted hash (scrypt); the password itself is never stored.
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StaffSession(Base):
    """One signed-in browser of a staff member, ended on the server by signing out.

    The session cookie carries a random secret and only its SHA-256 is stored here: a
    cookie is valid while its row exists, so a copy of it stops working once the row is
    deleted (sign-out, a password change, the lifetime in ``assess.services.staff``).
    """

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditEntry(Base):
    """One staff action that changed a candidate's outcome: who, when, what, and the change.

    ``actor_id`` is empty for actions from the command line or the server itself.
    """

    __tablename__ = "audit_entries"
    __table_args__ = (
        # "Everything that happened to this invitation / attempt", newest first.
        Index("ix_audit_entries_subject_type_subject_id", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)


class OutboxMessage(Base):
    """An email as rendered for sending; ``sent_at`` is set once SMTP accepted it.

    Without SMTP configured the row is the delivery: the outbox page shows it to staff,
    who pass the link on themselves. The body holds the candidate's link, so the page
    is for the roles that may invite.
    """

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id"), index=True)
    to: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Why the last delivery attempt failed, shown on the outbox page; empty when none did.
    error: Mapped[str] = mapped_column(Text, default="")
