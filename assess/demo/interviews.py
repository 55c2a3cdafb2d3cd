"""A demo candidate's interview: two interviewers' scorecards, each on their own, and the debrief's decision.

Interview performance follows the test ability only in part (r about 0.6), each competency
has its own level, and each interviewer their own leniency and noise: so the two mostly
agree, sometimes split, and a strong test score does not guarantee a strong interview.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import mean

from sqlalchemy.orm import Session

from assess.models import Invitation, StaffUser
from assess.services.debrief import assign_interviewer, record_decision
from assess.services.scorecards import ScorecardAnswers, save_scorecard
from kits.model import InterviewKit

#: Seed 000's anchors in a sentence each: the evidence an interviewer might write at each level.
EVIDENCE = {
    1: "Could not give a concrete example; answers stayed general.",
    2: "Gave a relevant example, but their own part and the outcome were unclear.",
    3: "Clear example with the steps they took and a measurable outcome.",
    4: "Several strong examples, specific on follow-up questions, with results the client valued.",
}
RED_FLAG_NOTE = "Said they told a client a feature was coming to save a renewal, knowing it was not planned."
#: Each interviewer's leniency: the first rates a little higher than the second.
LENIENCY = (0.2, -0.2)
#: How the special cases are called where the demo picks them.
RED_FLAG, MUST_HAVE, SPLIT = "red_flag", "must_have", "split"


@dataclass(frozen=True)
class Interview:
    recommendations: tuple[int, ...]
    at: datetime


def _clipped(value: float, low: int, high: int) -> int:
    return min(high, max(low, round(value)))


def _scorecards(
    kit: InterviewKit, stage_id: str, theta: float, special: str, rng: random.Random
) -> list[ScorecardAnswers]:
    stage = kit.stage(stage_id)
    performance = 0.6 * theta + 0.8 * rng.gauss(0, 1)
    rated = [r.competency for r in stage.scorecard.competencies]
    levels = {c: performance + rng.gauss(0, 0.45) for c in rated}
    cards: list[tuple[dict[str, int], dict[str, str]]] = []
    for leniency in LENIENCY:
        ratings = {c: _clipped(2.9 + 0.9 * levels[c] + leniency + rng.gauss(0, 0.4), 1, 4) for c in rated}
        for competency in rated:
            if rng.random() < 0.03:
                ratings[competency] = 0  # not enough information gathered: never averaged
        noted = rng.sample(rated, min(3, len(rated)))
        evidence = {c: EVIDENCE[ratings[c]] for c in noted if ratings[c]}
        cards.append((ratings, evidence))
    if special == MUST_HAVE and kit.must_haves:
        rule = kit.must_haves[0]
        for ratings, _ in cards:
            if rule.competency in ratings:
                ratings[rule.competency] = max(1, rule.minimum - 1)
    if special == SPLIT and rated:
        # Two points apart on one competency: the debrief shows it as a disagreement.
        competency = rng.choice(rated)
        first = cards[0][0]
        first[competency] = max(first[competency], 1)
        cards[1][0][competency] = first[competency] + 2 if first[competency] <= 2 else first[competency] - 2
    answers = []
    for number, (ratings, evidence) in enumerate(cards):
        given = [r for r in ratings.values() if r]
        recommendation = _clipped(mean(given) + rng.gauss(0, 0.35), 1, 4) if given else 2
        if special == SPLIT:
            recommendation = 3 if number == 0 else 2
        flagged = special == RED_FLAG and number == 0
        answers.append(
            ScorecardAnswers(
                ratings=ratings,
                evidence=evidence,
                goals={
                    rated_goal.goal: _clipped(2.5 + performance + rng.gauss(0, 0.6), 1, 4)
                    for rated_goal in stage.scorecard.goals
                },
                recommendation=recommendation if stage.has_recommendation else None,
                red_flags=[kit.red_flags[-1]] if flagged and kit.red_flags else [],
                red_flag_notes=RED_FLAG_NOTE if flagged else "",
                notes="Structured interview; every question asked, notes taken during the call.",
            )
        )
    return answers


def assign_panel(
    session: Session,
    kit: InterviewKit,
    invitation: Invitation,
    interviewers: tuple[StaffUser, StaffUser],
    recruiter: StaffUser,
    at: datetime,
) -> None:
    """The recruiter assigns both interviewers to the kit's first stage."""
    for person in interviewers:
        assign_interviewer(session, kit, invitation, kit.stages[0].id, person.id, recruiter, at)


def interview(
    session: Session,
    kit: InterviewKit,
    invitation: Invitation,
    interviewers: tuple[StaffUser, StaffUser],
    recruiter: StaffUser,
    theta: float,
    special: str,
    second_submits: bool,
    at: datetime,
    rng: random.Random,
) -> Interview:
    """Both interviewers of the kit's first stage submit scorecards (the second may still be drafting)."""
    stage = kit.stages[0]
    cards = _scorecards(kit, stage.id, theta, special, rng)
    assign_panel(session, kit, invitation, interviewers, recruiter, at - timedelta(days=2))
    recommendations = []
    for number, (person, answers) in enumerate(zip(interviewers, cards, strict=True)):
        submits = number == 0 or second_submits
        moment = at + timedelta(hours=number * rng.uniform(1, 4))
        save_scorecard(session, kit, stage, invitation, person, answers, moment, submit=submits)
        if submits and answers.recommendation is not None:
            recommendations.append(answers.recommendation)
    return Interview(tuple(recommendations), at)


def decide(
    session: Session,
    kit: InterviewKit,
    invitation: Invitation,
    result: Interview,
    special: str,
    recruiter: StaffUser,
    at: datetime,
) -> str:
    """The debrief's decision: overrides first, then the interviewers' recommendations."""
    average = mean(result.recommendations) if result.recommendations else 2
    shown = " and ".join(str(r) for r in result.recommendations)
    if special == RED_FLAG:
        decision, why = "no_hire", f"Red flag raised at interview ({kit.red_flags[-1].lower()})."
    elif special == MUST_HAVE and kit.must_haves:
        rule = kit.must_haves[0]
        name = kit.competency(rule.competency).name
        decision, why = "no_hire", f"{name} rated below the must-have minimum of {rule.minimum}."
    elif special == SPLIT or average == 2.5:
        decision, why = "hold", f"Interviewers split (recommendations {shown}); hold for a reference check."
    elif average >= 3:
        decision, why = "hire", f"Both interviewers recommend hiring (recommendations {shown})."
    else:
        decision, why = "no_hire", f"Interview evidence below the bar (recommendations {shown})."
    record_decision(session, invitation, decision, why, recruiter, at)
    return decision
