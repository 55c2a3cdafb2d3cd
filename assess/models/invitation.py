"""An invitation: a candidate's single-use link to one campaign's assessment."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assess.models.base import Base, UTCDateTime
from assess.models.campaign import Campaign


class Invitation(Base):
    """Only the SHA-256 of the link's token is stored: a database leak reveals no working link."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    #: The candidate's name as the hiring team gave it; may be empty.
    name: Mapped[str] = mapped_column(String(200), server_default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Accommodation: the time limit is multiplied by this (1.25 = 25 % extra time).
    extra_time: Mapped[Decimal] = mapped_column(Numeric(4, 2))
    #: Accommodation: the candidate uses a screen reader, dictation or other assistive software,
    #: so focus, timing and paste signals are shown but never counted (``integrity.tiers``).
    assistive_technology: Mapped[bool] = mapped_column(default=False, server_default=false())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    # Joined: every page that opens an invitation needs its campaign's form.
    campaign: Mapped[Campaign] = relationship(lazy="joined")
