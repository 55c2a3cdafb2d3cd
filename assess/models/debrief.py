"""Interviewer assignments to a candidate's stages, and the hiring decision the debrief records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assess.models.base import Base, UTCDateTime

DECISIONS = {"hire": "Hire", "no_hire": "No hire", "hold": "Hold"}


class InterviewAssignment(Base):
    """A recruiter asked this interviewer to interview the candidate at this stage of the campaign's kit."""

    __tablename__ = "interview_assignments"
    __table_args__ = (UniqueConstraint("invitation_id", "stage_id", "interviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"), index=True)
    stage_id: Mapped[str] = mapped_column(String(100))
    interviewer_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    assigned_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())


class HiringDecision(Base):
    """A decision taken at the debrief; a newer one supersedes it, and every one is kept."""

    __tablename__ = "hiring_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"), index=True)
    #: One of ``DECISIONS``: hire, no_hire, hold.
    decision: Mapped[str] = mapped_column(String(16))
    rationale: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
