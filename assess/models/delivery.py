"""The outbox: HTTP requests to other systems, written in the transaction of the change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assess.models.base import Base, UTCDateTime


class Delivery(Base):
    """One outbound request (a webhook, an ATS status update) and how sending it went.

    A row is committed with the change it reports, so a process that dies after the commit
    loses nothing: any worker's ``deliver_due`` sends it later. ``headers`` hold nothing
    secret; ``auth`` names how to authenticate (``webhook:<endpoint id>``, ...) and the
    provider registered for its prefix adds the secret headers at send time.
    ``status`` is one of ``assess.services.outbox.STATUSES``.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        # What deliver_due asks on every pass: the due rows still to send, oldest first.
        Index("ix_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Sent as ``webhook-id``: the receiver's idempotency key, the same on every retry.
    message_id: Mapped[str] = mapped_column(String(64), unique=True)
    event: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(String(2000))
    method: Mapped[str] = mapped_column(String(10))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    headers: Mapped[dict[str, str]] = mapped_column(JSON)
    auth: Mapped[str] = mapped_column(String(200))
    #: When set, the only host names the URL may have (checked again at send time).
    allowed_hosts: Mapped[list[str] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: When the next try is due; also the lease of a try in flight. Empty once settled.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    endpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="SET NULL"), index=True
    )
