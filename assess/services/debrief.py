"""Interviewer assignments, the debrief (every scorecard side by side), and the hiring decision.

Independence holds here too (``assess.services.scorecards.Independence``): a viewer opens a
candidate's debrief only after submitting their scorecard for every stage they score (are
assigned to or have started), and it shows them only the stages whose scorecards they may
read. An interviewer scoring nothing yet must first submit one. A recruiter or admin scoring
nothing opens it at once and sees every stage: they run the debrief.
A decision is a new row each time (the newest is in force, all are kept), written in
the same transaction as its audit entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from assess.models import Campaign, HiringDecision, InterviewAssignment, Invitation, Scorecard, StaffUser
from assess.models.debrief import DECISIONS
from assess.services.hiring_events import decision_recorded
from assess.services.report_data import campaign_rules
from assess.services.scorecards import OVERSEEING_ROLES, independence
from assess.services.staff import record_audit
from kits.model import InterviewKit, Stage
from reports.campaign_frames import Labels
from scoring.outcome import MustHaveFailure, must_have_failures
from scoring.scorecards import summarise_ratings

#: Roles that may be assigned to interview (and that fill scorecards).
INTERVIEWING_ROLES = ("interviewer", "recruiter", "admin")
#: Roles that run the debrief and record the decision: the roles that read the stages they do not score.
DEBRIEF_ROLES = OVERSEEING_ROLES
#: Raters this far apart (highest minus lowest 1-4 rating) on a competency disagree.
DISAGREEMENT_SPREAD = 2
MAX_RATIONALE_CHARS = 20_000


class AssignmentInvalid(ValueError):
    """The stage or the person cannot be assigned."""


class DecisionInvalid(ValueError):
    """A decision needs one of ``DECISIONS`` and a rationale."""


# Assignments ---------------------------------------------------------------------------------


def assignable_staff(session: Session) -> list[StaffUser]:
    """Active staff who may interview, by name."""
    return list(
        session.scalars(
            select(StaffUser)
            .where(StaffUser.active.is_(True), StaffUser.role.in_(INTERVIEWING_ROLES))
            .order_by(StaffUser.name, StaffUser.email)
        )
    )


def assign_interviewer(
    session: Session,
    kit: InterviewKit,
    invitation: Invitation,
    stage_id: str,
    interviewer_id: int,
    by: StaffUser,
    now: datetime,
) -> InterviewAssignment:
    """Assign (once; assigning again returns the existing assignment) and audit it."""
    try:
        stage = kit.stage(stage_id)
    except KeyError:
        raise AssignmentInvalid(f"the kit has no stage {stage_id!r}") from None
    person = session.get(StaffUser, interviewer_id)
    if person is None or not person.active or person.role not in INTERVIEWING_ROLES:
        raise AssignmentInvalid("choose an active interviewer, recruiter or admin")
    if _may_have_read(session, person, invitation, stage.id):
        raise AssignmentInvalid(
            f"{person.name or person.email} could already read this stage's submitted scorecards "
            "(recruiters and admins read the stages they do not score), so they cannot score it "
            "on their own; assign someone else"
        )
    existing = session.scalars(
        select(InterviewAssignment).where(
            InterviewAssignment.invitation_id == invitation.id,
            InterviewAssignment.stage_id == stage.id,
            InterviewAssignment.interviewer_id == person.id,
        )
    ).first()
    if existing is not None:
        return existing
    assignment = InterviewAssignment(
        invitation_id=invitation.id,
        stage_id=stage.id,
        interviewer_id=person.id,
        assigned_by=by.id,
        assigned_at=now,
    )
    session.add(assignment)
    record_audit(
        session,
        by,
        "interview.assign",
        "invitation",
        invitation.id,
        {"kit": kit.id, "stage": stage.id, "interviewer": person.email},
        now,
    )
    session.commit()
    return assignment


def _may_have_read(session: Session, person: StaffUser, invitation: Invitation, stage_id: str) -> bool:
    """Whether the person could read others' submitted scorecards of the stage before scoring it."""
    rule = independence(session, person, [invitation.id])
    if not rule.may_read(invitation.id, stage_id) or (invitation.id, stage_id) in rule.submitted:
        return False
    others = select(Scorecard.id).where(
        Scorecard.invitation_id == invitation.id,
        Scorecard.stage_id == stage_id,
        Scorecard.interviewer_id != person.id,
        Scorecard.status == "submitted",
    )
    return session.scalar(select(exists(others))) or False


def candidate_assignments(
    session: Session, invitation_id: int
) -> list[tuple[InterviewAssignment, StaffUser]]:
    rows = session.execute(
        select(InterviewAssignment, StaffUser)
        .join(StaffUser, StaffUser.id == InterviewAssignment.interviewer_id)
        .where(InterviewAssignment.invitation_id == invitation_id)
        .order_by(InterviewAssignment.assigned_at, InterviewAssignment.id)
    ).all()
    return [(assignment, person) for assignment, person in rows]


@dataclass(frozen=True)
class MyInterview:
    assignment: InterviewAssignment
    invitation: Invitation
    campaign: Campaign
    #: Whether the viewer has submitted a scorecard for the assigned stage.
    submitted: bool


def my_interviews(session: Session, viewer: StaffUser) -> list[MyInterview]:
    """The viewer's assignments on live invitations, oldest assignment first."""
    rows = session.execute(
        select(InterviewAssignment, Invitation, Campaign)
        .join(Invitation, Invitation.id == InterviewAssignment.invitation_id)
        .join(Campaign, Campaign.id == Invitation.campaign_id)
        .where(InterviewAssignment.interviewer_id == viewer.id, Invitation.revoked_at.is_(None))
        .order_by(InterviewAssignment.assigned_at, InterviewAssignment.id)
    ).all()
    done = _submitted_stages_by_invitation(session, viewer.id, [inv.id for _, inv, _ in rows])
    return [
        MyInterview(assignment, invitation, campaign, assignment.stage_id in done.get(invitation.id, set()))
        for assignment, invitation, campaign in rows
    ]


def _submitted_stages_by_invitation(
    session: Session, interviewer_id: int, invitation_ids: Sequence[int]
) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    if not invitation_ids:
        return found
    for invitation_id, stage_id in session.execute(
        select(Scorecard.invitation_id, Scorecard.stage_id).where(
            Scorecard.interviewer_id == interviewer_id,
            Scorecard.status == "submitted",
            Scorecard.invitation_id.in_(list(invitation_ids)),
        )
    ):
        found.setdefault(invitation_id, set()).add(stage_id)
    return found


# Who may see the debrief ---------------------------------------------------------------------


def debrief_blocker(session: Session, viewer: StaffUser, invitation: Invitation, kit: InterviewKit) -> str:
    """Why the viewer may not open this debrief yet; empty when they may."""
    rule = independence(session, viewer, [invitation.id])
    scoring = [stage for stage in kit.stages if rule.is_scoring(invitation.id, stage.id)]
    missing = [stage.title for stage in scoring if (invitation.id, stage.id) not in rule.submitted]
    if missing:
        return (
            "The debrief opens once you have submitted your scorecard for every stage you are "
            f"assigned to or have started. Still to submit: {', '.join(missing)}."
        )
    if not scoring and not rule.oversees:
        return "The debrief opens once you have submitted your own scorecard for this candidate."
    return ""


# The debrief ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingRow:
    """One competency or goal of a stage: each interviewer's rating, the mean without 0s, the spread."""

    id: str
    name: str
    ratings: list[int | None]
    average: Decimal | None
    spread: int | None

    @property
    def disagreement(self) -> bool:
        return self.spread is not None and self.spread >= DISAGREEMENT_SPREAD


@dataclass(frozen=True)
class StageDebrief:
    stage: Stage
    #: The scorecards in force (newest submitted revision per interviewer), with their interviewer.
    cards: list[tuple[Scorecard, StaffUser]]
    competencies: list[RatingRow]
    goals: list[RatingRow]

    @property
    def split_recommendations(self) -> bool:
        return _split([card.recommendation for card, _ in self.cards])

    @property
    def disagreements(self) -> list[RatingRow]:
        return [row for row in self.competencies if row.disagreement]


@dataclass(frozen=True)
class CandidateDebrief:
    stages: list[StageDebrief]
    must_have_failures: list[MustHaveFailure]
    #: Recommendations across every stage fall on both sides of hire / no hire.
    split_recommendations: bool
    decisions: list[tuple[HiringDecision, StaffUser | None]] = field(default_factory=list)

    @property
    def card_count(self) -> int:
        return sum(len(stage.cards) for stage in self.stages)

    @property
    def current_decision(self) -> tuple[HiringDecision, StaffUser | None] | None:
        return self.decisions[0] if self.decisions else None


def _split(recommendations: Sequence[int | None]) -> bool:
    given = [r for r in recommendations if r is not None]
    return any(r <= 2 for r in given) and any(r >= 3 for r in given)


def cards_in_force(session: Session, invitation_id: int, kit_id: str) -> list[tuple[Scorecard, StaffUser]]:
    """The newest submitted revision per interviewer and stage, oldest submission first."""
    newest: dict[tuple[str, int], Scorecard] = {}
    for card in session.scalars(
        select(Scorecard)
        .where(
            Scorecard.invitation_id == invitation_id,
            Scorecard.kit_id == kit_id,
            Scorecard.status == "submitted",
        )
        .order_by(Scorecard.revision.desc())
    ):
        newest.setdefault((card.stage_id, card.interviewer_id), card)
    ids = {interviewer_id for _, interviewer_id in newest}
    people = {u.id: u for u in session.scalars(select(StaffUser).where(StaffUser.id.in_(list(ids))))}
    pairs = [(card, people[card.interviewer_id]) for card in newest.values()]
    pairs.sort(key=lambda pair: (pair[0].submitted_at or pair[0].created_at, pair[0].id))
    return pairs


def _row(row_id: str, name: str, values: list[int | None]) -> RatingRow:
    summary = summarise_ratings(v for v in values if v is not None)
    return RatingRow(row_id, name, values, summary.mean, summary.spread)


def candidate_debrief(
    session: Session, kit: InterviewKit, invitation: Invitation, viewer: StaffUser | None = None
) -> CandidateDebrief:
    """The stages whose scorecards the viewer may read (all without one), side by side.

    The must-haves are the campaign's rules (the kit's and the campaign's own), judged on
    the scorecards shown, as the report judges them. A page calls ``debrief_blocker`` first.
    """
    cards = cards_in_force(session, invitation.id, kit.id)
    if viewer is not None:
        rule = independence(session, viewer, [invitation.id])
        cards = [(card, person) for card, person in cards if rule.may_read(invitation.id, card.stage_id)]
    stages = []
    all_ratings: dict[str, list[int]] = {}
    for stage in kit.stages:
        mine = [(card, person) for card, person in cards if card.stage_id == stage.id]
        if not mine:
            continue
        competencies = []
        for rated in stage.scorecard.competencies:
            values = [card.ratings.get(rated.competency) for card, _ in mine]
            all_ratings.setdefault(rated.competency, []).extend(v for v in values if v is not None)
            competencies.append(_row(rated.competency, kit.competency(rated.competency).name, values))
        goals = [
            _row(rated.goal, kit.goal(rated.goal).name, [card.goals.get(rated.goal) for card, _ in mine])
            for rated in stage.scorecard.goals
        ]
        stages.append(StageDebrief(stage, mine, competencies, goals))
    campaign = session.get(Campaign, invitation.campaign_id)
    assert campaign is not None  # an invitation's campaign is never deleted
    failures = must_have_failures(
        campaign_rules(campaign, kit),
        {competency: summarise_ratings(ratings) for competency, ratings in all_ratings.items()},
        Labels.from_kit(kit),
    )
    return CandidateDebrief(
        stages=stages,
        must_have_failures=failures,
        split_recommendations=_split([card.recommendation for card, _ in cards]),
        decisions=decision_history(session, invitation.id),
    )


# The decision --------------------------------------------------------------------------------


def decision_history(session: Session, invitation_id: int) -> list[tuple[HiringDecision, StaffUser | None]]:
    """Every decision for the candidate, newest (the one in force) first."""
    rows = session.execute(
        select(HiringDecision, StaffUser)
        .outerjoin(StaffUser, StaffUser.id == HiringDecision.decided_by)
        .where(HiringDecision.invitation_id == invitation_id)
        .order_by(HiringDecision.decided_at.desc(), HiringDecision.id.desc())
    ).all()
    return [(decision, person) for decision, person in rows]


def record_decision(
    session: Session,
    invitation: Invitation,
    decision: str,
    rationale: str,
    by: StaffUser,
    now: datetime,
) -> HiringDecision:
    """A new decision (superseding any earlier one), committed with its audit entry."""
    rationale = rationale.strip()
    if decision not in DECISIONS:
        raise DecisionInvalid(f"a decision is one of {', '.join(DECISIONS)}")
    if not rationale:
        raise DecisionInvalid("give the rationale for the decision")
    if len(rationale) > MAX_RATIONALE_CHARS:
        raise DecisionInvalid(f"the rationale is longer than {MAX_RATIONALE_CHARS} characters")
    previous = decision_history(session, invitation.id)
    row = HiringDecision(
        invitation_id=invitation.id, decision=decision, rationale=rationale, decided_by=by.id, decided_at=now
    )
    session.add(row)
    session.flush()
    record_audit(
        session,
        by,
        "decision.record",
        "invitation",
        invitation.id,
        {
            "decision": decision,
            "rationale": rationale,
            "decision_id": row.id,
            "supersedes": previous[0][0].id if previous else None,
            "previous_decision": previous[0][0].decision if previous else None,
        },
        now,
    )
    decision_recorded(session, row, now)
    session.commit()
    return row
