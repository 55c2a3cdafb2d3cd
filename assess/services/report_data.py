"""The campaign reports' database adapter: the tidy frames of ``reports.campaign_frames`` from the tables.

- Candidates are the campaign's invitations (candidate_id = invitation id, name = the name the
  team gave, else the email; and the email), except one revoked before its test started: withdrawn, it never
  entered the funnel. Other frames name only these.
- Assessment: the item scores of finalized attempts. The rubric and regrade services rewrite
  ``ItemScore`` in the transaction that adds their ``RubricReview`` / ``RegradedScore`` row, so
  it holds the newest of them; a regrade that sends an answer back to review leaves it pending.
- Interviews: per stage and interviewer, the newest submitted revision of a scorecard of the
  campaign's kit; drafts never. A scorecard raises a red flag when the interviewer ticked one
  of the kit's red flags or wrote in "Red flags: what you saw" (two kits list none, so the
  note is their only way). A stage without a recommendation (reference checks) has none.
- Interviewers are shown by name, or by email where they have none or two share one.
- Decisions: the one in force per candidate (``assess.services.pipeline.decisions_in_force``).
- Integrity tiers: as stored (``assess.services.integrity_findings``, kept fresh by the sweep),
  never computed here; a candidate not assessed yet has none.
- Sections, stages, competencies and goals are named by their titles (``reports.campaign_frames.Labels``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import Float, and_, cast, or_, select
from sqlalchemy.orm import Session

from assess.models import (
    Attempt,
    AttemptItem,
    Campaign,
    HiringDecision,
    Invitation,
    ItemScore,
    Scorecard,
    StaffUser,
)
from assess.services.attempt_phase import STARTED
from assess.services.integrity_findings import candidate_tier_labels
from assess.services.pipeline import RecordedDecision, decisions_in_force
from assess.services.scorecards import independence
from kits.model import InterviewKit, KitCatalogue
from reports.campaign_frames import COLUMNS, CampaignData, Labels
from reports.campaign_report import DECISION_COLUMNS, FUNNEL_STAGES, CampaignReport, campaign_report
from reports.candidate_report import CampaignScores, score_campaign
from scoring.outcome import CampaignRules


@dataclass(frozen=True)
class LoadedCampaign:
    """A campaign's frames, rules and scores, the funnel statuses (``reports.campaign_report``)
    and the decision in force per candidate id."""

    campaign: Campaign
    kit: InterviewKit | None
    data: CampaignData
    scores: CampaignScores
    statuses: pd.DataFrame
    decisions: dict[int, RecordedDecision]
    #: candidate id -> the integrity tier's label, for the candidates assessed so far.
    tiers: dict[int, str]

    @property
    def names(self) -> Labels:
        return self.data.labels


def _frame(name: str, rows: Iterable[tuple[Any, ...]]) -> pd.DataFrame:
    return pd.DataFrame.from_records(list(rows), columns=list(COLUMNS[name]))


def _candidates(session: Session, campaign_id: int) -> pd.DataFrame:
    rows = session.execute(
        select(Invitation.id, Invitation.name, Invitation.email)
        .outerjoin(Attempt, and_(Attempt.invitation_id == Invitation.id, STARTED))
        .where(
            Invitation.campaign_id == campaign_id,
            or_(Invitation.revoked_at.is_(None), Attempt.id.is_not(None)),
        )
        .order_by(Invitation.created_at, Invitation.id)
    ).all()
    return pd.DataFrame.from_records(
        [(id_, name.strip() or email, email) for id_, name, email in rows],
        columns=[*COLUMNS["candidates"], "email"],
    )


def _assessment(session: Session, campaign_id: int) -> pd.DataFrame:
    query = (
        select(
            Attempt.invitation_id.label("candidate_id"),
            AttemptItem.section_id,
            # Cast in SQL: 400,000 Decimals made floats in Python would cost more than the query.
            cast(ItemScore.points, Float).label("points"),
            cast(ItemScore.max_points, Float).label("max_points"),
            ItemScore.pending_review,
        )
        .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
        .join(
            ItemScore,
            and_(ItemScore.attempt_id == AttemptItem.attempt_id, ItemScore.position == AttemptItem.position),
        )
        .where(Attempt.campaign_id == campaign_id, Attempt.finalized_at.is_not(None))
    )
    # read_sql builds the frame from the rows in bulk: several times faster than from_records on them.
    frame = pd.read_sql(query, session.connection())
    return frame.astype({"pending_review": bool})


def _scorecards_in_force(session: Session, campaign: Campaign, candidates: set[int]) -> list[Any]:
    rows = session.execute(
        select(
            Scorecard.invitation_id,
            Scorecard.stage_id,
            Scorecard.interviewer_id,
            Scorecard.ratings,
            Scorecard.goals,
            Scorecard.recommendation,
            Scorecard.red_flags,
            Scorecard.red_flag_notes,
        )
        .join(Invitation, Invitation.id == Scorecard.invitation_id)
        .where(
            Invitation.campaign_id == campaign.id,
            Scorecard.kit_id == campaign.kit_id,
            Scorecard.status == "submitted",
        )
        # A correction is a later row: the newest revision overwrites the older in the dict below.
        .order_by(Scorecard.id)
    ).all()
    in_force = {(row.invitation_id, row.stage_id, row.interviewer_id): row for row in rows}
    return [row for row in in_force.values() if row.invitation_id in candidates]


def _interviewer_labels(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    users = session.execute(
        select(StaffUser.id, StaffUser.name, StaffUser.email).where(StaffUser.id.in_(ids))
    ).all()
    names = [name.strip() for _, name, _ in users]
    return {
        user_id: name.strip() if name.strip() and names.count(name.strip()) == 1 else email
        for user_id, name, email in users
    }


def _red_flag_note(flags: list[str], note: str) -> str:
    return "; ".join([*flags, *([note.strip()] if note.strip() else [])])


def campaign_data(
    session: Session, campaign: Campaign, labels: Labels | None = None, viewer: StaffUser | None = None
) -> CampaignData:
    """The campaign's input frames for ``reports.candidate_report.score_campaign``.

    With a ``viewer``, only the scorecards they may read (``Independence``): a stage they score
    shows nobody's scorecard until theirs is submitted.
    """
    candidates = _candidates(session, campaign.id)
    cards = _scorecards_in_force(session, campaign, set(candidates["candidate_id"].tolist()))
    if viewer is not None:
        rule = independence(
            session, viewer, select(Invitation.id).where(Invitation.campaign_id == campaign.id)
        )
        cards = [card for card in cards if rule.may_read(card.invitation_id, card.stage_id)]
    interviewers = _interviewer_labels(session, {card.interviewer_id for card in cards})
    ratings, recommendations, goals = [], [], []
    for card in cards:
        who = (card.invitation_id, card.stage_id, interviewers[card.interviewer_id])
        ratings += [(*who, competency, rating) for competency, rating in card.ratings.items()]
        goals += [(*who, goal, likelihood) for goal, likelihood in card.goals.items()]
        note = _red_flag_note(card.red_flags, card.red_flag_notes)
        recommendations.append((*who, card.recommendation, bool(note), note))
    return CampaignData(
        candidates=candidates,
        assessment=_assessment(session, campaign.id),
        scorecards=_frame("scorecards", ratings),
        recommendations=_frame("recommendations", recommendations),
        goals=_frame("goals", goals),
        labels=labels or Labels(),
    )


def campaign_kit(campaign: Campaign, kits: KitCatalogue) -> InterviewKit | None:
    return kits.kits.get(campaign.kit_id) if campaign.kit_id else None


def campaign_rules(campaign: Campaign, kit: InterviewKit | None) -> CampaignRules:
    """The campaign's weights and own must-haves, with its kit's must-haves and required stages."""
    weights = Decimal(campaign.assessment_weight), Decimal(campaign.interview_weight)
    own = {rule["competency"]: int(rule["minimum"]) for rule in campaign.must_haves}
    if kit is None:
        return CampaignRules(*weights, must_haves=own)
    return CampaignRules.from_kit(kit, *weights, must_haves=own)


def funnel_statuses(session: Session, campaign: Campaign, scores: CampaignScores) -> pd.DataFrame:
    """candidate_id and one boolean per stage of ``reports.campaign_report.FUNNEL_STAGES``.

    "decided": the team recorded a decision at the debrief.
    """
    decided = session.scalars(
        select(HiringDecision.invitation_id)
        .join(Invitation, Invitation.id == HiringDecision.invitation_id)
        .where(Invitation.campaign_id == campaign.id)
        .distinct()
    ).all()
    outcomes = scores.outcomes
    attempts = dict(
        session.execute(
            select(Attempt.invitation_id, Attempt.finalized_at).where(
                Attempt.campaign_id == campaign.id, STARTED
            )
        ).all()
    )
    index = outcomes.index
    assessment = scores.data.assessment
    graded = index.isin(assessment["candidate_id"].unique())
    pending = index.isin(assessment.loc[assessment["pending_review"], "candidate_id"].unique())
    interviewed = index.isin(scores.data.recommendations["candidate_id"].unique())
    return pd.DataFrame(
        {
            "candidate_id": index,
            "invited": True,
            "started": index.isin(list(attempts)),
            "finished": index.isin([key for key, finalized in attempts.items() if finalized is not None]),
            "graded": graded,
            "reviewed": graded & ~pending,
            "interviewed": interviewed,
            "decided": index.isin(list(decided)),
        },
        columns=["candidate_id", *FUNNEL_STAGES],
    )


def _labels(session: Session, campaign: Campaign, kit: InterviewKit | None) -> Labels:
    sections = session.execute(
        select(AttemptItem.section_id, AttemptItem.section_title)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .where(Attempt.campaign_id == campaign.id, STARTED)
        .distinct()
    ).all()
    return Labels.from_kit(kit, sections=dict(sections))


def load_campaign(
    session: Session, campaign: Campaign, kits: KitCatalogue, viewer: StaffUser | None = None
) -> LoadedCampaign:
    """Everything the campaign's reports show (to ``viewer``, or all of it), loaded and scored once."""
    kit = campaign_kit(campaign, kits)
    data = campaign_data(session, campaign, _labels(session, campaign, kit), viewer)
    scores = score_campaign(data, campaign_rules(campaign, kit))
    decisions = {
        candidate: decision
        for candidate, decision in decisions_in_force(session, campaign.id).items()
        if candidate in scores.outcomes.index
    }
    statuses = funnel_statuses(session, campaign, scores)
    tiers = candidate_tier_labels(session, campaign.id)
    return LoadedCampaign(campaign, kit, data, scores, statuses, decisions, tiers)


def decisions_frame(decisions: dict[int, RecordedDecision]) -> pd.DataFrame:
    """The decisions as ``reports.campaign_report.DECISION_COLUMNS``: the decision in words, who, when."""
    return pd.DataFrame.from_records(
        [
            (candidate, decision.label, decision.decided_by, decision.decided_at)
            for candidate, decision in decisions.items()
        ],
        columns=list(DECISION_COLUMNS),
    )


def campaign_report_of(loaded: LoadedCampaign, now: datetime) -> CampaignReport:
    return campaign_report(
        loaded.campaign.title,
        loaded.scores,
        loaded.statuses,
        now,
        decisions_frame(loaded.decisions),
        loaded.tiers,
    )
