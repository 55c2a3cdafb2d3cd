"""A campaign: one role, one assessment form, one interview kit, many invitations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from assess.models.base import Base, UTCDateTime


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200))
    form_id: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The interview kit's id (kits/); empty until one is chosen.
    kit_id: Mapped[str] = mapped_column(String(100), server_default="")
    # Seed 003: assessment 40 %, interview 60 %; the two always sum to 100.
    assessment_weight: Mapped[int] = mapped_column(Integer, server_default="40")
    interview_weight: Mapped[int] = mapped_column(Integer, server_default="60")
    #: ``[{"competency": id, "minimum": 1-4}, ...]``: below a minimum, a candidate is flagged.
    must_haves: Mapped[list[dict[str, Any]]] = mapped_column(JSON, server_default="[]")
    #: Invitations can be sent from the start and used until the end; None = open-ended.
    window_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    window_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
