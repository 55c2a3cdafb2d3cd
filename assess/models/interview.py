"""Interview scorecards: one interviewer's ratings of one candidate at one stage of a kit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assess.models.base import Base, UTCDateTime

SCORECARD_STATUSES = ("draft", "submitted")


class Scorecard(Base):
    """One revision of an interviewer's scorecard; a submitted revision never changes.

    A correction is a new revision (``revision`` + 1, with ``correction_reason``);
    the newest submitted revision is the one in force. Ratings are 0-4 (0 = not
    enough information gathered), keyed by the kit's competency and goal ids.
    """

    __tablename__ = "scorecards"
    __table_args__ = (
        # Two racing "start" or "correct" clicks cannot make two rows of one revision.
        UniqueConstraint(
            "invitation_id", "kit_id", "stage_id", "interviewer_id", "revision", name="uq_scorecards_revision"
        ),
        Index("ix_scorecards_invitation_id_kit_id_stage_id", "invitation_id", "kit_id", "stage_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"))
    kit_id: Mapped[str] = mapped_column(String(100))
    stage_id: Mapped[str] = mapped_column(String(100))
    interviewer_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    revision: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))
    ratings: Mapped[dict[str, int]] = mapped_column(JSON)
    #: competency id -> what the candidate said or did that supports the rating.
    evidence: Mapped[dict[str, str]] = mapped_column(JSON)
    goals: Mapped[dict[str, int]] = mapped_column(JSON)
    #: 1 Strong No Hire ... 4 Strong Hire; None for a reference check or an unfinished draft.
    recommendation: Mapped[int | None]
    #: The kit's red flags the interviewer saw, in the kit's words.
    red_flags: Mapped[list[str]] = mapped_column(JSON)
    red_flag_notes: Mapped[str] = mapped_column(Text)
    notes: Mapped[str] = mapped_column(Text)
    correction_reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_submitted(self) -> bool:
        return self.status == "submitted"

    def answers(self) -> dict[str, Any]:
        """What a correction starts from: everything the interviewer entered."""
        return {
            "ratings": dict(self.ratings),
            "evidence": dict(self.evidence),
            "goals": dict(self.goals),
            "recommendation": self.recommendation,
            "red_flags": list(self.red_flags),
            "red_flag_notes": self.red_flag_notes,
            "notes": self.notes,
        }
