"""What the REST API reads: pages of campaigns, forms and invitations, attempts, scores and outcomes.

Pages are keyset pages: the rows after a sort key, one more than asked for, so the caller knows
whether another page follows. Scores and outcomes come from the services the staff pages use
(``pipeline.assessment_result``, ``report_data.load_campaign``), never computed again here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from assess.models import Attempt, Campaign, Invitation
from assess.services.attempt_phase import STARTED, Phase, phase_of
from assess.services.pipeline import RecordedDecision
from assess.services.report_data import campaign_report_of, load_campaign
from assess.services.review import TimelineEntry, attempt_events, attempt_timeline
from items.forms import AssessmentForm
from kits.model import KitCatalogue
from reports.campaign_report import CampaignReport


class NotFound(LookupError):
    """No such row (or none the API shows)."""


def campaigns_page(session: Session, after: int | None, limit: int) -> tuple[list[Campaign], bool]:
    query = select(Campaign).order_by(Campaign.id).limit(limit + 1)
    if after is not None:
        query = query.where(Campaign.id > after)
    rows = list(session.scalars(query))
    return rows[:limit], len(rows) > limit


def campaign(session: Session, campaign_id: int) -> Campaign:
    found = session.get(Campaign, campaign_id)
    if found is None:
        raise NotFound(f"no campaign {campaign_id}")
    return found


def forms_page(
    forms: dict[str, AssessmentForm], after: str | None, limit: int
) -> tuple[list[AssessmentForm], bool]:
    ids = sorted(form_id for form_id in forms if after is None or form_id > after)
    return [forms[form_id] for form_id in ids[:limit]], len(ids) > limit


@dataclass(frozen=True)
class InvitationState:
    invitation: Invitation
    #: The started attempt, if any.
    attempt: Attempt | None

    def status(self, now: datetime) -> str:
        if self.attempt is not None:
            return "finished" if self.attempt.finalized_at is not None else "started"
        if self.invitation.revoked_at is not None:
            return "revoked"
        return "expired" if self.invitation.expires_at <= now else "invited"


def invitations_page(
    session: Session, campaign_id: int, after: int | None, limit: int
) -> tuple[list[InvitationState], bool]:
    campaign(session, campaign_id)
    query = (
        select(Invitation, Attempt)
        .outerjoin(Attempt, and_(Attempt.invitation_id == Invitation.id, STARTED))
        .where(Invitation.campaign_id == campaign_id)
        .order_by(Invitation.id)
        .limit(limit + 1)
    )
    if after is not None:
        query = query.where(Invitation.id > after)
    rows = [InvitationState(invitation, attempt) for invitation, attempt in session.execute(query)]
    return rows[:limit], len(rows) > limit


def invitation_states(session: Session, invitation_ids: list[int]) -> list[InvitationState]:
    """The invitations with these ids, in this order; ``NotFound`` if one is missing."""
    query = (
        select(Invitation, Attempt)
        .outerjoin(Attempt, and_(Attempt.invitation_id == Invitation.id, STARTED))
        .where(Invitation.id.in_(invitation_ids))
    )
    found = {
        invitation.id: InvitationState(invitation, attempt) for invitation, attempt in session.execute(query)
    }
    missing = [invitation_id for invitation_id in invitation_ids if invitation_id not in found]
    if missing:
        raise NotFound(f"no invitation {missing[0]}")
    return [found[invitation_id] for invitation_id in invitation_ids]


def started_attempt(
    session: Session, attempt_id: int, now: datetime, grace_seconds: int
) -> tuple[Attempt, Phase]:
    """A started attempt and its phase now; a prepared one is not shown (it has no time yet)."""
    found = session.scalars(select(Attempt).where(Attempt.id == attempt_id, STARTED)).one_or_none()
    if found is None:
        raise NotFound(f"no started attempt {attempt_id}")
    return found, phase_of(found, now, grace_seconds)


def started_attempt_timeline(session: Session, attempt_id: int, now: datetime) -> list[TimelineEntry]:
    """The timeline the staff review page shows: events and gaps, no answer and no score."""
    found = session.scalars(select(Attempt).where(Attempt.id == attempt_id, STARTED)).one_or_none()
    if found is None:
        raise NotFound(f"no started attempt {attempt_id}")
    return attempt_timeline(found, attempt_events(session, attempt_id), now)


def campaign_report(session: Session, campaign_id: int, kits: KitCatalogue, now: datetime) -> CampaignReport:
    """The campaign report the staff pages download, with every scorecard (a key sees no stage)."""
    return campaign_report_of(load_campaign(session, campaign(session, campaign_id), kits), now)


@dataclass(frozen=True)
class SectionResult:
    section_id: str
    title: str
    percent: Decimal | None
    pending: int


@dataclass(frozen=True)
class CompetencyResult:
    competency_id: str
    name: str
    #: Mean of the 1-4 ratings over stages and interviewers; None when every rating was 0.
    mean: Decimal | None
    ratings: int


@dataclass(frozen=True)
class CandidateResults:
    """One candidate's row of the campaign report (``reports.candidate_report.score_campaign``)."""

    status: str
    test_percent: Decimal | None
    percentile: Decimal | None
    sections: tuple[SectionResult, ...]
    competencies: tuple[CompetencyResult, ...]
    interview_mean: Decimal | None
    interview_percent: Decimal | None
    combined_score: Decimal | None
    overrides: tuple[str, ...]
    override_decision: str | None
    missing: tuple[str, ...]
    decision: RecordedDecision | None


def _figure(value: Any) -> Decimal | None:
    # The report holds its Decimals (two places at most) as floats; their shortest repr is exact.
    return None if value is None or pd.isna(value) else Decimal(repr(float(value)))


def candidate_results(session: Session, invitation_id: int, kits: KitCatalogue) -> CandidateResults:
    """The candidate's outcome as the campaign report has it: the whole campaign is scored, once."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is None:
        raise NotFound(f"no invitation {invitation_id}")
    loaded = load_campaign(session, invitation.campaign, kits)
    outcomes = loaded.scores.outcomes
    if invitation_id not in outcomes.index:
        # Revoked before the test started: withdrawn, it is in no report.
        raise NotFound(f"invitation {invitation_id} was withdrawn before the test")
    row = outcomes.loc[invitation_id]
    scores, labels = loaded.scores, loaded.names
    sections = scores.sections[scores.sections["candidate_id"] == invitation_id]
    competencies = scores.competencies[scores.competencies["candidate_id"] == invitation_id]
    return CandidateResults(
        status=str(row["status"]),
        test_percent=_figure(row["test_percent"]),
        percentile=_figure(row["percentile"]),
        sections=tuple(
            SectionResult(
                str(section["section_id"]),
                labels.section(section["section_id"]),
                _figure(section["percent"]),
                int(section["pending"]),
            )
            for section in sections.to_dict(orient="records")
        ),
        competencies=tuple(
            CompetencyResult(
                str(competency["competency_id"]),
                labels.competency(competency["competency_id"]),
                _figure(competency["mean"]),
                int(competency["ratings"]),
            )
            for competency in competencies.to_dict(orient="records")
        ),
        interview_mean=_figure(row["interview_mean"]),
        interview_percent=_figure(row["interview_percent"]),
        combined_score=_figure(row["combined_score"]),
        overrides=tuple(row["overrides"]),
        override_decision=row["decision"] if isinstance(row["decision"], str) else None,
        missing=tuple(row["missing"]),
        decision=loaded.decisions.get(invitation_id),
    )
