"""Webhook endpoints an admin registers, and the invitations whose expiry was announced."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assess.models.base import Base, UTCDateTime


class WebhookEndpoint(Base):
    """A URL that receives the events it subscribes to, signed the Standard Webhooks way.

    ``secret`` (``whsec_`` + base64) must be read back to sign each delivery, so it is stored
    sealed with a key derived from SECRET_KEY (``assess.services.webhook_secrets``); it is shown
    to the admin once, when made or rotated, and never on a page again. ``events`` are names
    from ``assess.services.domain_events.EVENTS``.
    """

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(JSON)
    secret: Mapped[str] = mapped_column(String(100))
    #: The secret before the last rotation, still signing beside the new one until it expires.
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(default=True)
    #: Why the endpoint stopped receiving (a 410 from the receiver, an admin); empty if active.
    disabled_reason: Mapped[str] = mapped_column(Text, default="")
    #: Empty for an endpoint made on the command line.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InvitationExpiryNotice(Base):
    """Marks an invitation whose ``invitation.expired`` event was published.

    The primary key makes the announcement once per invitation even when several sweeps
    find the same expired link at the same moment.
    """

    __tablename__ = "invitation_expiry_notices"

    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"), primary_key=True)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
