"""Voluntary self-identification, kept apart from everything a grader or interviewer reads.

A candidate's answers sit in ``self_identifications`` under a random id, with no candidate,
invitation, campaign or time in the row. The only way from a candidate to their answers is
``self_identification_links``, which only ``assess.services.self_identification`` (the
candidate's own form) and ``assess.services.fairness`` (the admins' aggregate report) query;
tests/integration/test_fairness_isolation.py holds every other module to that.
"""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from assess.models.base import Base


class SelfIdentification(Base):
    """One candidate's answers: question id -> option id (``SELF_IDENTIFICATION_QUESTIONS``)."""

    __tablename__ = "self_identifications"

    #: ``secrets.token_hex(16)``: neither a sequence nor a time, so it says nothing of whose it is.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    answers: Mapped[dict[str, str]] = mapped_column(JSON)


class SelfIdentificationLink(Base):
    """Which invitation gave which answers; read only for the candidate's own form and the fairness report."""

    __tablename__ = "self_identification_links"

    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"), primary_key=True)
    answers_id: Mapped[str] = mapped_column(ForeignKey("self_identifications.id"), unique=True)
