"""Connections to applicant tracking systems (Greenhouse, Ashby) and the assessments they order."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assess.models.base import Base, UTCDateTime


class AtsConnection(Base):
    """One customer's ATS account, calling us with its key: ``ats_<prefix>_<secret>``.

    The prefix finds the row and the secret's SHA-256 authenticates, as for API keys.
    ``outbound_key`` is what we present when we call the ATS, encrypted with a key derived
    from SECRET_KEY (``assess.services.ats_secrets``): for Greenhouse our own key again (its
    completion PATCH carries the same Basic header as its calls to us), for Ashby the
    customer's Ashby API key. ``campaign_ids`` are the campaigns it may offer as tests.
    """

    __tablename__ = "ats_connections"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "greenhouse" or "ashby" (``assess.services.ats_connections.PROVIDERS``).
    provider: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    outbound_key: Mapped[str] = mapped_column(Text)
    campaign_ids: Mapped[list[int]] = mapped_column(JSON)
    #: Empty for a connection made on the command line.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AtsAssessment(Base):
    """A test the ATS ordered for one candidate, and the invitation that carries it.

    ``public_id`` is what the ATS knows it by (Greenhouse's ``partner_interview_id``, Ashby's
    ``assessment_id``): random, so it says nothing about how many there are. ``order_ref`` is
    what makes a repeated order the same one (Greenhouse: the trailing id of its callback URL;
    Ashby: candidate and application), unique per connection, so a retried or double-clicked
    order never invites twice.
    """

    __tablename__ = "ats_assessments"
    __table_args__ = (UniqueConstraint("connection_id", "order_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("ats_connections.id"))
    order_ref: Mapped[str] = mapped_column(String(400))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    #: Set in the commit after the invitation's; until then found by campaign, email and time.
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id"), unique=True)
    email: Mapped[str] = mapped_column(String(320))
    #: The ATS's own candidate id (Ashby), so a second order for someone being assessed is refused.
    candidate_ref: Mapped[str] = mapped_column(String(200), default="", index=True)
    #: Where we report to: Greenhouse's URL to PATCH on completion, Ashby's assessment.update.
    #: Checked against the allowed hosts when the order came; its host is the only one allowed later.
    callback_url: Mapped[str] = mapped_column(String(2000), default="")
    #: The candidate's staff report page, which the ATS links to.
    profile_url: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AtsResponseError(Base):
    """What Greenhouse reported malformed in one of our answers (``response_error``)."""

    __tablename__ = "ats_response_errors"

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("ats_connections.id"), index=True)
    api_call: Mapped[str] = mapped_column(String(200))
    errors: Mapped[list[str]] = mapped_column(JSON)
    partner_test_id: Mapped[str] = mapped_column(String(200), default="")
    partner_interview_id: Mapped[str] = mapped_column(String(200), default="")
    candidate_email: Mapped[str] = mapped_column(String(320), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
