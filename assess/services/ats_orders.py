"""A test an ATS orders for a candidate: invited once per order, and where it stands since.

An order is invited through ``invite_candidates``, as the staff page and the REST API invite:
checked the same way, its attempt prepared in the same transaction, its email in the outbox.
The order's row is added to that transaction before the invitation, so of two identical orders
racing, the second fails on the row's unique ``(connection, order_ref)`` and is answered with
the first one's id. The row learns its invitation's id in the next commit; should the process
die between the two, the invitation is found again by campaign, email and creation time.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assess.models import Attempt, Campaign, Invitation
from assess.models.ats import AtsAssessment, AtsConnection
from assess.services.ats_connections import connection_owner
from assess.services.attempt_phase import STARTED
from assess.services.authoring import live_catalogue
from assess.services.invitation_import import InviteRefused, InviteRow, invite_candidates
from assess.services.invitations import revoke_invitation
from assess.services.pipeline import assessment_result
from assess.services.staff import record_audit
from items.bank import Catalogue

#: How long an ATS's link stays open: Greenhouse stops asking after 8 weeks, recruiters chase sooner.
VALID_FOR = timedelta(days=14)


class OrderRefused(ValueError):
    """An order we cannot take; ``conflict`` when the candidate is already being assessed."""

    def __init__(self, message: str, conflict: bool = False) -> None:
        super().__init__(message)
        self.conflict = conflict


class UnknownAssessment(LookupError):
    """No assessment with this id for this connection."""


@dataclass(frozen=True)
class Order:
    connection: AtsConnection
    campaign: Campaign
    #: What makes a repeated order the same one (see ``AtsAssessment.order_ref``).
    order_ref: str
    email: str
    name: str
    candidate_ref: str = ""
    callback_url: str = ""


def offered_campaign(session: Session, connection: AtsConnection, slug: str) -> Campaign:
    """The campaign a test id names, if the connection offers it; ``UnknownAssessment`` else."""
    campaign = session.scalars(select(Campaign).where(Campaign.slug == slug)).one_or_none()
    if campaign is None or campaign.id not in connection.campaign_ids:
        raise UnknownAssessment(f"no test {slug!r} is offered to this connection")
    return campaign


def _by_ref(session: Session, connection_id: int, order_ref: str) -> AtsAssessment | None:
    return session.scalars(
        select(AtsAssessment).where(
            AtsAssessment.connection_id == connection_id, AtsAssessment.order_ref == order_ref
        )
    ).one_or_none()


def linked(session: Session, row: AtsAssessment, public_url: str) -> AtsAssessment:
    """The row with its invitation's id, finding the invitation if the process died before linking."""
    if row.invitation_id is None:
        row.invitation_id = session.scalars(
            select(Invitation.id).where(
                Invitation.campaign_id == row.campaign_id,
                func.lower(Invitation.email) == row.email.lower(),
                Invitation.created_at == row.created_at,
            )
        ).first()
        row.profile_url = report_url(public_url, row.campaign_id, row.invitation_id)
        session.commit()
    return row


def place_order(
    session: Session, order: Order, public_url: str, file_catalogue: Catalogue, now: datetime
) -> AtsAssessment:
    """The assessment for ``order``: the one made before for the same order, else a new invitation.

    ``OrderRefused`` says why an order cannot be taken (the invitation's checks, or, when the
    order names the ATS's candidate, that candidate already being assessed: ``conflict``).
    """
    earlier = _by_ref(session, order.connection.id, order.order_ref)
    if earlier is not None:
        return linked(session, earlier, public_url)
    if order.candidate_ref and _is_being_assessed(session, order.connection.id, order.candidate_ref, now):
        raise OrderRefused("this candidate is already being assessed", conflict=True)
    campaign = order.campaign
    live = live_catalogue(session, file_catalogue, campaign.form_id)
    form = live.forms.get(campaign.form_id)
    row = AtsAssessment(
        public_id=secrets.token_urlsafe(24),
        connection_id=order.connection.id,
        order_ref=order.order_ref,
        campaign_id=campaign.id,
        email=order.email.strip(),
        candidate_ref=order.candidate_ref,
        callback_url=order.callback_url,
        created_at=now,
    )
    session.add(row)
    detail = {"provider": order.connection.provider, "order_ref": order.order_ref, "campaign": campaign.slug}
    record_audit(session, None, "ats_connection.order", "ats_connection", order.connection.id, detail, now)
    try:
        messages = invite_candidates(
            session,
            campaign.id,
            [InviteRow(email=order.email, name=order.name)],
            VALID_FOR,
            public_url,
            form.time_limit_minutes if form is not None else None,
            connection_owner(session, order.connection),
            now,
            catalogue=live,
        )
    except (IntegrityError, InviteRefused) as exc:
        session.rollback()
        # A twin of this order may have won the race: answer with its assessment.
        earlier = _by_ref(session, order.connection.id, order.order_ref)
        if earlier is not None:
            return linked(session, earlier, public_url)
        if isinstance(exc, InviteRefused):
            conflict = any("open invitation" in problem.message for problem in exc.problems)
            raise OrderRefused(str(exc), conflict=conflict) from None
        raise
    row.invitation_id = messages[0].invitation_id
    row.profile_url = report_url(public_url, campaign.id, row.invitation_id)
    session.commit()
    return row


def report_url(public_url: str, campaign_id: int, invitation_id: int | None) -> str:
    """The candidate's report page for staff (sign-in required): where the ATS links to.

    Written out, not built by the router: it is stored with the order and sent from the outbox,
    where there is no request; a test opens it as a recruiter.
    """
    return f"{public_url.rstrip('/')}/staff/reports/{campaign_id}/candidates/{invitation_id}"


def _is_being_assessed(session: Session, connection_id: int, candidate_ref: str, now: datetime) -> bool:
    """Whether the candidate has an order not cancelled whose link still works or whose test is running."""
    found = session.execute(
        select(AtsAssessment.id)
        .join(Invitation, Invitation.id == AtsAssessment.invitation_id)
        .outerjoin(Attempt, and_(Attempt.invitation_id == Invitation.id, STARTED))
        .where(
            AtsAssessment.connection_id == connection_id,
            AtsAssessment.candidate_ref == candidate_ref,
            AtsAssessment.cancelled_at.is_(None),
            Invitation.revoked_at.is_(None),
            Attempt.finalized_at.is_(None),
            (Attempt.id.is_not(None)) | (Invitation.expires_at > now),
        )
        .limit(1)
    ).first()
    return found is not None


def assessment_of(
    session: Session, connection: AtsConnection, public_id: str, public_url: str
) -> AtsAssessment:
    row = session.scalars(
        select(AtsAssessment).where(
            AtsAssessment.public_id == public_id, AtsAssessment.connection_id == connection.id
        )
    ).one_or_none()
    if row is None:
        raise UnknownAssessment(f"no assessment {public_id!r} for this connection")
    return linked(session, row, public_url)


def cancel_order(
    session: Session, connection: AtsConnection, public_id: str, public_url: str, now: datetime
) -> AtsAssessment:
    """Withdraw the assessment's invitation (a running test is left to finish); twice is once."""
    row = assessment_of(session, connection, public_id, public_url)
    if row.cancelled_at is None:
        row.cancelled_at = now
        if row.invitation_id is not None:
            # Commits the cancellation with the revocation and its audit entry.
            revoke_invitation(session, row.invitation_id, now, connection_owner(session, connection))
    session.commit()
    return row


@dataclass(frozen=True)
class AssessmentState:
    """Where an ordered test stands, as both ATSs are told."""

    #: not_started, in_progress, awaiting_review, complete, expired or cancelled.
    status: str
    started_at: datetime | None
    completed_at: datetime | None
    #: The test's percent once complete (``pipeline.assessment_result``, as the report shows it).
    percent: Decimal | None
    minutes_used: int | None
    profile_url: str


def assessment_state(session: Session, row: AtsAssessment, now: datetime) -> AssessmentState:
    """The state of ``row``: "complete" once its attempt is finalized and fully graded.

    Fully graded is what ``attempt.graded`` announces: every written answer marked too, so the
    score an ATS reads is the one the report shows, and it is read only when told it is ready.
    """
    invitation = session.get(Invitation, row.invitation_id) if row.invitation_id is not None else None
    result = assessment_result(session, invitation.id) if invitation is not None else None
    attempt = result.attempt if result is not None else None
    finished = attempt.finalized_at if attempt is not None else None
    complete = result is not None and finished is not None and result.pending == 0
    if complete:
        status = "complete"
    elif finished is not None:
        status = "awaiting_review"
    elif attempt is not None:
        status = "in_progress"
    elif row.cancelled_at is not None or invitation is None or invitation.revoked_at is not None:
        status = "cancelled"
    elif invitation.expires_at <= now:
        status = "expired"
    else:
        status = "not_started"
    started = attempt.started_at if attempt is not None else None
    minutes = math.ceil((finished - started).total_seconds() / 60) if started and finished else None
    return AssessmentState(
        status=status,
        started_at=started,
        completed_at=finished,
        percent=result.percent if complete and result is not None else None,
        minutes_used=minutes,
        profile_url=row.profile_url,
    )
