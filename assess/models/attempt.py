"""An attempt and what it freezes, collects and earns: items, answers, scores, time grants."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from assess.models.base import Base, UTCDateTime

POINTS = Numeric(10, 3)


class Attempt(Base):
    """One candidate's timed sitting; at most one per invitation, ever.

    Prepared with the invitation, frozen (slots, variants, empty answers) but not started:
    ``started_at`` and ``deadline`` stay empty until the candidate presses Start, and only
    ``services/attempt_phase.py`` decides what that means (``STARTED``, ``phase_of``).
    """

    __tablename__ = "attempts"
    __table_args__ = (
        # The deadline sweep looks for running attempts past their deadline.
        Index("ix_attempts_finalized_at_deadline", "finalized_at", "deadline"),
        # A Start stamps both at once; one without the other would be a half-started attempt.
        CheckConstraint("(started_at IS NULL) = (deadline IS NULL)", name="started_with_deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique: the database itself refuses a second attempt, even from racing requests.
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    form_id: Mapped[str] = mapped_column(String(100))
    #: None while the attempt is only prepared (see ``attempt_phase.STARTED``).
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The content version of the form and its items the slots were drawn from
    #: (``attempt_preparation.form_version``): a Start whose form has changed since draws again.
    form_version: Mapped[str | None] = mapped_column(String(16))
    finalized_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: "candidate" (submitted) or "deadline" (finalized by the server).
    finalized_by: Mapped[str | None] = mapped_column(String(16))
    total_points: Mapped[Decimal | None] = mapped_column(POINTS)
    max_points: Mapped[Decimal | None] = mapped_column(POINTS)


class AttemptItem(Base):
    """One slot as frozen when prepared: which version, where, and its variant (option order ...)."""

    __tablename__ = "attempt_items"
    __table_args__ = (
        ForeignKeyConstraint(["item_id", "version"], ["item_versions.item_id", "item_versions.version"]),
        Index("ix_attempt_items_item_id_version", "item_id", "version"),
    )

    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), primary_key=True)
    #: 0-based, in the order the candidate sees the items.
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    section_id: Mapped[str] = mapped_column(String(100))
    section_title: Mapped[str] = mapped_column(String(200))
    item_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(64))
    variant: Mapped[dict[str, Any]] = mapped_column(JSON)


class Answer(Base):
    """The latest acknowledged response of one slot.

    Created empty with the attempt, so a save is one conditional UPDATE
    (``WHERE seq < :seq``): no insert races, and a late older save loses.
    """

    __tablename__ = "answers"
    __table_args__ = (
        ForeignKeyConstraint(
            ["attempt_id", "position"], ["attempt_items.attempt_id", "attempt_items.position"]
        ),
    )

    attempt_id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: The saving device's own edit counter (not a clock): within a device, a later edit wins.
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Assigned by the server, +1 per stored save; a save names the revision it was based on.
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: The random id of the browser tab whose save is stored (None for a plain post without script).
    device: Mapped[str | None] = mapped_column(String(40))
    #: The newest edit of each device that saved or confirmed this answer: its older edits lose.
    edits: Mapped[dict[str, int] | None] = mapped_column(JSON)
    #: +1 on every write of the row (content or ``edits``): what a save's compare-and-set checks.
    stamp: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ItemScore(Base):
    """The automatic grade of one slot, written once when the attempt is finalized."""

    __tablename__ = "item_scores"
    __table_args__ = (
        ForeignKeyConstraint(
            ["attempt_id", "position"], ["attempt_items.attempt_id", "attempt_items.position"]
        ),
    )

    attempt_id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    points: Mapped[Decimal] = mapped_column(POINTS)
    max_points: Mapped[Decimal] = mapped_column(POINTS)
    #: ``Score.as_json()["parts"]``: label, points, max_points, explanation.
    parts: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    #: Written answers wait for a reviewer; ``points`` then holds the automatic checks only.
    pending_review: Mapped[bool]


class TimeGrant(Base):
    """Extra time given by staff to a running attempt: who, how much and why."""

    __tablename__ = "time_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), index=True)
    minutes: Mapped[int]
    granted_by: Mapped[str] = mapped_column(String(320))
    reason: Mapped[str] = mapped_column(Text)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())
