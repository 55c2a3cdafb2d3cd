"""Keys for the REST API, and the answers to idempotent API requests kept for replay."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assess.models.base import Base, UTCDateTime


class ApiKey(Base):
    """A key a program presents as ``Authorization: Bearer assess_<prefix>_<secret>``.

    The prefix finds the row and is safe to show; only the secret's SHA-256 is stored, so the
    key is shown once, when made. ``scopes`` are names from ``assess.services.api_keys.SCOPES``.
    """

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    #: Empty for a key made on the command line.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class IdempotentRequest(Base):
    """The first answer to a write sent with an ``Idempotency-Key``, replayed for its retries.

    ``fingerprint`` is the SHA-256 of the method, path and body: the same key with another
    request is refused rather than answered with the first one's result.
    """

    __tablename__ = "idempotent_requests"
    __table_args__ = (UniqueConstraint("api_key_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    #: Empty until the request's own change is committed with its answer.
    status: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
