"""What staff review adds to an attempt: its timeline, rubric marks and explicit regrades."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, ForeignKeyConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assess.models.attempt import POINTS
from assess.models.base import Base, UTCDateTime

EVENT_KINDS = ("started", "saved", "submitted", "finalized", "time_granted", "focus", "paste", "viewed")


class AttemptEvent(Base):
    """One thing that happened to an attempt, written in the transaction that did it.

    ``kind`` is one of ``EVENT_KINDS``: "submitted" is the candidate's Submit,
    "finalized" the server closing the attempt at its deadline. A save carries the
    slot's ``position`` and the ``seq`` the browser sent. "focus", "paste" and "viewed" are
    what the attempt page reported for the integrity rules (``assess.services.integrity_recording``);
    events a candidate's request writes carry its browser family and network prefix in
    ``detail`` ("agent", "network"), never the full address or user agent.
    """

    __tablename__ = "attempt_events"
    __table_args__ = (Index("ix_attempt_events_attempt_id_at", "attempt_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(16))
    position: Mapped[int | None] = mapped_column(Integer)
    seq: Mapped[int | None] = mapped_column(BigInteger)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)


class RubricReview(Base):
    """A reviewer's marks for one written answer; the newest row per slot is the one in force."""

    __tablename__ = "rubric_reviews"
    __table_args__ = (
        ForeignKeyConstraint(
            ["attempt_id", "position"], ["attempt_items.attempt_id", "attempt_items.position"]
        ),
        Index("ix_rubric_reviews_attempt_id_position", "attempt_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: criterion id -> points awarded, as decimal strings.
    awards: Mapped[dict[str, str]] = mapped_column(JSON)
    #: The item version whose rubric was applied (the pinned one, or a regrade's).
    key_version: Mapped[str] = mapped_column(String(64))
    points: Mapped[Decimal] = mapped_column(POINTS)
    max_points: Mapped[Decimal] = mapped_column(POINTS)


class Regrade(Base):
    """Staff re-scored an item's finished attempts against a newer version of its key (Invariant 3)."""

    __tablename__ = "regrades"
    __table_args__ = (
        ForeignKeyConstraint(["item_id", "to_version"], ["item_versions.item_id", "item_versions.version"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[str] = mapped_column(String(100), index=True)
    #: The versions the regraded attempts pinned, comma-separated (usually one).
    from_version: Mapped[str] = mapped_column(String(200))
    to_version: Mapped[str] = mapped_column(String(64))
    by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text)


class RegradedScore(Base):
    """One slot's score before and after a regrade; its newest row names the key version in force.

    The attempt still shows the version it pinned; only the key used for scoring moved.
    """

    __tablename__ = "regraded_scores"
    __table_args__ = (
        ForeignKeyConstraint(
            ["attempt_id", "position"], ["attempt_items.attempt_id", "attempt_items.position"]
        ),
        ForeignKeyConstraint(["item_id", "key_version"], ["item_versions.item_id", "item_versions.version"]),
        Index("ix_regraded_scores_attempt_id_position", "attempt_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    regrade_id: Mapped[int] = mapped_column(ForeignKey("regrades.id"), index=True)
    attempt_id: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[str] = mapped_column(String(100))
    key_version: Mapped[str] = mapped_column(String(64))
    points_before: Mapped[Decimal] = mapped_column(POINTS)
    max_points_before: Mapped[Decimal] = mapped_column(POINTS)
    points_after: Mapped[Decimal] = mapped_column(POINTS)
    max_points_after: Mapped[Decimal] = mapped_column(POINTS)
    pending_review_after: Mapped[bool]
    #: The breakdown that was replaced, so the change stays readable.
    parts_before: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
