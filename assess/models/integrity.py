"""What the integrity rules concluded about finished attempts, and what reviewers noted on it.

The raw observations are attempt events (``assess.models.review.EVENT_KINDS``: "focus",
"paste", "viewed", and the browser family and network prefix in the detail of the events a
candidate's requests write); the rules are the pure ``integrity`` package.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assess.models.base import Base, UTCDateTime


class IntegrityAssessment(Base):
    """An attempt's tier as last computed, with every signal and its evidence.

    Campaign-wide signals (similar answers, a shared network) change as other candidates
    finish, so a row is recomputed when ``basis`` (what the campaign held when it was
    computed) no longer matches.
    """

    __tablename__ = "integrity_assessments"

    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(Integer, index=True)
    #: ``integrity.tiers.Tier``: 0 no concerns, 1 some, 2 major.
    tier: Mapped[int] = mapped_column(Integer)
    weight: Mapped[int] = mapped_column(Integer)
    #: The tier result as JSON: counted and set-aside signals with evidence, the explanation.
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    basis: Mapped[str] = mapped_column(String(64))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: When the attempt's raw observations were deleted (``integrity_retention``): the row is then
    #: kept as computed, never recomputed from what is left.
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SignalReview(Base):
    """A reviewer looked at one signal of an attempt and noted what they found (audit-logged).

    ``signal_key`` names the signal across recomputations: its kind, and for a signal about
    two attempts the other one ("written_similarity:42").
    """

    __tablename__ = "signal_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), index=True)
    signal_key: Mapped[str] = mapped_column(String(120))
    note: Mapped[str] = mapped_column(Text)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime())
