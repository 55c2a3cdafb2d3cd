"""Selection rates per self-identified group, for the admins' fairness report (``reports.fairness``).

With the candidate's own form, the only reader of the self-identification answers. It joins
them to stage outcomes in memory and hands back counts per group, never a candidate.

Stages, each counted among the candidates who passed the one before:

- finished: completed the test (the attempt is finalized);
- interviewed: has a submitted interview scorecard;
- recommended: no override (red flag, failed must-have) and the mean recommendation of the
  submitted scorecards is Hire (3) or better.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from assess.models import Invitation
from assess.models.self_identification import SelfIdentification, SelfIdentificationLink
from assess.services.report_data import LoadedCampaign
from assess.services.self_identification import PREFER_NOT_TO_SAY, QUESTIONS, Question
from reports.fairness import FairnessReport, fairness_report

FAIRNESS_STAGES = ("finished", "interviewed", "recommended")
STAGE_TEXT = {
    "finished": "Finished the test",
    "interviewed": "Interviewed",
    "recommended": "Recommended (Hire or better, no override)",
    "overall": "Overall: invited to recommended",
}
#: Seed 000's scale: 3 = Hire.
HIRE = 3


@dataclass(frozen=True)
class QuestionFairness:
    question: Question
    report: FairnessReport
    #: Candidates who chose an answer other than "Prefer not to say".
    disclosed: int


def selection_stages(loaded: LoadedCampaign) -> pd.DataFrame:
    """candidate_id and one boolean column per ``FAIRNESS_STAGES``; each implies the one before."""
    statuses = loaded.statuses.set_index("candidate_id")
    recommendations = loaded.data.recommendations
    mean_recommendation = (
        pd.to_numeric(recommendations["recommendation"], errors="coerce")
        .groupby(recommendations["candidate_id"])
        .mean()
        .reindex(statuses.index)
    )
    finished = statuses["finished"].astype(bool)
    interviewed = finished & statuses["interviewed"].astype(bool)
    no_override = loaded.scores.outcomes["decision"].isna().reindex(statuses.index)
    recommended = interviewed & no_override & (mean_recommendation >= HIRE).fillna(False)
    return pd.DataFrame(
        {"finished": finished, "interviewed": interviewed, "recommended": recommended.astype(bool)}
    ).reset_index()


def _answers(session: Session, campaign_id: int) -> dict[int, dict[str, str]]:
    rows = session.execute(
        select(SelfIdentificationLink.invitation_id, SelfIdentification.answers)
        .join(SelfIdentification, SelfIdentification.id == SelfIdentificationLink.answers_id)
        .join(Invitation, Invitation.id == SelfIdentificationLink.invitation_id)
        .where(Invitation.campaign_id == campaign_id)
    ).all()
    return {invitation_id: dict(answers) for invitation_id, answers in rows}


def campaign_fairness(session: Session, loaded: LoadedCampaign) -> list[QuestionFairness]:
    """One fairness report per self-identification question."""
    stages = selection_stages(loaded)
    answers = _answers(session, loaded.campaign.id)
    reports = []
    for question in QUESTIONS:
        chosen = [answers.get(candidate, {}).get(question.id) for candidate in stages["candidate_id"]]
        groups = [question.label(option) if option else None for option in chosen]
        grouped = stages.assign(group=pd.Series(groups, index=stages.index, dtype=object))
        report = fairness_report(grouped, FAIRNESS_STAGES)
        disclosed = sum(1 for option in chosen if option and option != PREFER_NOT_TO_SAY[0])
        reports.append(QuestionFairness(question, report, disclosed))
    return reports
