"""What the staff home page counts: the work waiting for the signed-in member, by role.

Every count is one aggregate query (grouped by campaign where it is per campaign), never a
query per candidate, and uses the same rule as the page its link opens: the pipeline's
``ready_for_decision`` and ``expiring_links``, the written-answer queue, "My interviews".
Item flags need the item analysis itself, which reads the finalized scores once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session

from assess.models import (
    Attempt,
    AuthoredItem,
    Campaign,
    InterviewAssignment,
    Invitation,
    ItemScore,
    Scorecard,
    StaffUser,
)
from assess.services.attempt_phase import STARTED
from assess.services.debrief import DEBRIEF_ROLES, INTERVIEWING_ROLES
from assess.services.item_statistics import form_analyses
from assess.services.pipeline import expiring_links, ready_for_decision

#: The roles of the written-answer queue (assess.review.routes).
REVIEWING_ROLES = ("recruiter", "interviewer", "admin")
#: The roles of the campaign pipeline, where running attempts and expiring links are handled.
PIPELINE_ROLES = ("recruiter", "admin")
#: The roles of the item statistics page.
AUTHORING_ROLES = ("author", "admin")


@dataclass(frozen=True)
class CampaignWork:
    """One campaign's waiting work; each count opens the pipeline filtered to those rows."""

    campaign_id: int
    title: str
    ready_for_decision: int
    running: int
    expiring: int


@dataclass(frozen=True)
class StaffHome:
    """The counts for one staff member; None where the role does not act on that work."""

    written_answers: int | None
    scorecards_owed: int | None
    campaigns: list[CampaignWork] | None
    flagged_items: int | None

    @property
    def ready_for_decision(self) -> int:
        return sum(work.ready_for_decision for work in self.campaigns or ())


def _per_campaign(session: Session, query: Select[int, int]) -> dict[int, int]:
    return {campaign_id: int(count) for campaign_id, count in session.execute(query).all()}


def campaign_work(session: Session, now: datetime, with_decisions: bool) -> list[CampaignWork]:
    """Campaigns with anything waiting, in title order."""
    running = _per_campaign(
        session,
        select(Attempt.campaign_id, func.count())
        .where(STARTED, Attempt.finalized_at.is_(None))
        .group_by(Attempt.campaign_id),
    )
    expiring = _per_campaign(
        session,
        select(Invitation.campaign_id, func.count())
        .where(Invitation.id.in_(expiring_links(now)))
        .group_by(Invitation.campaign_id),
    )
    ready = (
        _per_campaign(
            session,
            select(Invitation.campaign_id, func.count())
            .where(Invitation.id.in_(ready_for_decision()))
            .group_by(Invitation.campaign_id),
        )
        if with_decisions
        else {}
    )
    ids = set(running) | set(expiring) | set(ready)
    if not ids:
        return []
    titles = session.execute(
        select(Campaign.id, Campaign.title).where(Campaign.id.in_(ids)).order_by(Campaign.title, Campaign.id)
    ).all()
    return [
        CampaignWork(
            campaign_id,
            title,
            ready.get(campaign_id, 0),
            running.get(campaign_id, 0),
            expiring.get(campaign_id, 0),
        )
        for campaign_id, title in titles
    ]


def written_answers_waiting(session: Session) -> int:
    """Answers in the written-answer queue: every score still waiting for a reviewer."""
    return int(session.scalar(select(func.count()).where(ItemScore.pending_review.is_(True))) or 0)


def scorecards_owed(session: Session, viewer: StaffUser) -> int:
    """The viewer's assigned stages on live invitations without their submitted scorecard."""
    submitted = exists().where(
        Scorecard.invitation_id == InterviewAssignment.invitation_id,
        Scorecard.stage_id == InterviewAssignment.stage_id,
        Scorecard.interviewer_id == viewer.id,
        Scorecard.status == "submitted",
    )
    count = session.scalar(
        select(func.count())
        .select_from(InterviewAssignment)
        .join(Invitation, Invitation.id == InterviewAssignment.invitation_id)
        .where(InterviewAssignment.interviewer_id == viewer.id, Invitation.revoked_at.is_(None), ~submitted)
    )
    return int(count or 0)


def flagged_items(session: Session) -> int:
    """Items the item analysis flags (on any form) that are not retired yet."""
    flagged = {
        statistics.item_id
        for analysis in form_analyses(session).values()
        if analysis.analysis is not None
        for statistics in analysis.analysis.items
        if statistics.flags
    }
    if not flagged:
        return 0
    retired = set(
        session.scalars(
            select(AuthoredItem.item_id).where(
                AuthoredItem.item_id.in_(flagged), AuthoredItem.retired_at.is_not(None)
            )
        )
    )
    return len(flagged - retired)


def staff_home(session: Session, viewer: StaffUser, now: datetime) -> StaffHome:
    """The work waiting for ``viewer``, counted only where their role may act on it."""
    role = viewer.role
    return StaffHome(
        written_answers=written_answers_waiting(session) if role in REVIEWING_ROLES else None,
        scorecards_owed=scorecards_owed(session, viewer) if role in INTERVIEWING_ROLES else None,
        campaigns=campaign_work(session, now, role in DEBRIEF_ROLES) if role in PIPELINE_ROLES else None,
        flagged_items=flagged_items(session) if role in AUTHORING_ROLES else None,
    )
