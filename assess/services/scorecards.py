"""Interview scorecards: drafts, submission, corrections, and who may see whose.

Seeds 000, 002 and 004 insist that interviewers score on their own before they hear
anyone else: another interviewer's scorecard for a candidate's stage stays hidden from
whoever scores that stage until they have submitted their own (``Independence``, which
the scorecard page, the debrief, the reports and their exports all apply).
A submitted revision never changes; a correction is a new revision with its reason.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import Field
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import kits
from assess.models import Campaign, InterviewAssignment, Invitation, Scorecard, StaffUser
from assess.services.staff import record_audit
from items.base import Schema
from items.located_yaml import yaml_files
from kits.model import (
    LEVELS,
    NOT_ENOUGH_INFORMATION,
    RECOMMENDATIONS,
    InterviewKit,
    KitCatalogue,
    Stage,
    load_kits,
)

#: The kits shipped with the code, used unless the app's KIT_PATHS config names others.
PACKAGED_KITS = Path(kits.__file__).resolve().parent
RATINGS = (NOT_ENOUGH_INFORMATION, *LEVELS)
#: Roles that oversee hiring (the debrief, the reports): they may read a stage they do not score.
OVERSEEING_ROLES = ("recruiter", "admin")
MAX_NOTE_CHARS = 20_000


class ScorecardInvalid(ValueError):
    """What stops a scorecard being saved or submitted, each problem named by its field."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{name}: {reason}" for name, reason in problems))
        self.problems = list(problems)


class ScorecardLocked(Exception):
    """A submitted scorecard cannot change; a correction makes a new revision."""


class NotScoringStage(PermissionError):
    """A recruiter or admin who is not this stage's interviewer may read its scorecards, not write one."""


class ScorecardAnswers(Schema):
    """What an interviewer enters; keys are the kit's competency and goal ids."""

    ratings: dict[str, int] = Field(default_factory=dict)
    evidence: dict[str, str] = Field(default_factory=dict)
    goals: dict[str, int] = Field(default_factory=dict)
    recommendation: int | None = None
    red_flags: list[str] = Field(default_factory=list)
    red_flag_notes: str = Field(default="", max_length=MAX_NOTE_CHARS)
    notes: str = Field(default="", max_length=MAX_NOTE_CHARS)


@dataclass(frozen=True)
class Independence:
    """Which stages' scorecards one viewer may read or write: the one rule every view applies.

    Whoever scores a stage of a candidate (assigned to it, or holding a scorecard of it, in any
    role) reads the others' scorecards of it only after submitting their own; so does an
    interviewer who is not scoring it. A recruiter or admin who is neither assigned to the stage
    nor holding a scorecard of it is not scoring it: they read every submitted scorecard of it
    (they run the debrief and the reports) and so may not write one.
    """

    oversees: bool
    #: (invitation id, stage id) the viewer is assigned to or has a scorecard of.
    scoring: frozenset[tuple[int, str]]
    #: (invitation id, stage id) the viewer has submitted a scorecard of.
    submitted: frozenset[tuple[int, str]]

    def may_read(self, invitation_id: int, stage_id: str) -> bool:
        key = (invitation_id, stage_id)
        return key in self.submitted or (self.oversees and key not in self.scoring)

    def may_score(self, invitation_id: int, stage_id: str) -> bool:
        return not self.oversees or (invitation_id, stage_id) in self.scoring

    def is_scoring(self, invitation_id: int, stage_id: str) -> bool:
        return (invitation_id, stage_id) in self.scoring


def independence(
    session: Session, viewer: StaffUser, invitations: Sequence[int] | Select[Any]
) -> Independence:
    """The rule for ``viewer`` over these invitations (their ids, or a query of ids)."""
    assigned = session.execute(
        select(InterviewAssignment.invitation_id, InterviewAssignment.stage_id).where(
            InterviewAssignment.interviewer_id == viewer.id,
            InterviewAssignment.invitation_id.in_(invitations),
        )
    ).all()
    cards = session.execute(
        select(Scorecard.invitation_id, Scorecard.stage_id, Scorecard.status)
        .where(Scorecard.interviewer_id == viewer.id, Scorecard.invitation_id.in_(invitations))
        .distinct()
    ).all()
    return Independence(
        oversees=viewer.role in OVERSEEING_ROLES,
        scoring=frozenset({(i, s) for i, s in assigned} | {(i, s) for i, s, _ in cards}),
        submitted=frozenset((i, s) for i, s, status in cards if status == "submitted"),
    )


@dataclass(frozen=True)
class StageScorecards:
    """The scorecards of one candidate's stage as one viewer may see them."""

    own: Scorecard | None
    #: The viewer's newest submitted revision (the one in force), if any.
    own_submitted: Scorecard | None
    #: Others' scorecards in force, with their interviewer; empty while ``hidden``.
    others: list[tuple[Scorecard, StaffUser]] = field(default_factory=list)
    hidden: bool = True
    #: How many other interviewers have submitted: shown even while their scorecards are hidden.
    others_submitted: int = 0
    #: False for a recruiter or admin who reads this stage's scorecards without scoring it.
    may_score: bool = True


def kit_catalogue(paths: Sequence[str | Path] = (PACKAGED_KITS,)) -> KitCatalogue:
    """The kits of these files, loaded again only when a file changed; ``FilesInvalid`` lists problems."""
    stamps = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in yaml_files(paths))
    return _load_stamped(tuple(str(p) for p in paths), stamps)


@functools.lru_cache(maxsize=4)
def _load_stamped(paths: tuple[str, ...], stamps: tuple[tuple[str, int, int], ...]) -> KitCatalogue:
    return load_kits(paths)


def check_answers(kit: InterviewKit, stage: Stage, answers: ScorecardAnswers, complete: bool) -> None:
    """Refuse ratings the stage does not ask for, or (``complete``) a scorecard with gaps.

    0 (not enough information gathered) is a rating the interviewer chooses, so a
    complete scorecard has a rating for every competency and goal of the stage.
    """
    problems: list[tuple[str, str]] = []
    competencies = [rated.competency for rated in stage.scorecard.competencies]
    goals = [rated.goal for rated in stage.scorecard.goals]
    for name, given, wanted in (("rating", answers.ratings, competencies), ("goal", answers.goals, goals)):
        for key, value in given.items():
            if key not in wanted:
                problems.append((f"{name}-{key}", f"this stage does not rate {key!r}"))
            elif value not in RATINGS:
                problems.append((f"{name}-{key}", "choose 0 (not enough information) or a level from 1 to 4"))
        if complete:
            problems += [
                (f"{name}-{key}", "choose a rating (0 if you gathered too little)")
                for key in wanted
                if key not in given
            ]
    problems += [
        (f"evidence-{key}", f"this stage does not rate {key!r}")
        for key in answers.evidence
        if key not in competencies
    ]
    if answers.recommendation is not None and (
        not stage.has_recommendation or answers.recommendation not in RECOMMENDATIONS
    ):
        problems.append(
            (
                "recommendation",
                "this stage takes a recommendation from 1 to 4"
                if stage.has_recommendation
                else "this stage takes no recommendation",
            )
        )
    if complete and stage.has_recommendation and answers.recommendation is None:
        problems.append(("recommendation", "choose a recommendation"))
    problems += [
        ("red_flags", f"{flag!r} is not one of the kit's red flags")
        for flag in answers.red_flags
        if flag not in kit.red_flags
    ]
    if problems:
        raise ScorecardInvalid(problems)


def _revisions(
    session: Session, invitation_id: int, kit_id: str, stage_id: str, interviewer_id: int | None = None
) -> list[Scorecard]:
    query = select(Scorecard).where(
        Scorecard.invitation_id == invitation_id, Scorecard.kit_id == kit_id, Scorecard.stage_id == stage_id
    )
    if interviewer_id is not None:
        query = query.where(Scorecard.interviewer_id == interviewer_id)
    return list(session.scalars(query.order_by(Scorecard.interviewer_id, Scorecard.revision.desc())))


def own_scorecard(
    session: Session, invitation_id: int, kit_id: str, stage_id: str, interviewer: StaffUser
) -> Scorecard | None:
    """The interviewer's newest revision for this stage, draft or submitted."""
    revisions = _revisions(session, invitation_id, kit_id, stage_id, interviewer.id)
    return revisions[0] if revisions else None


def visible_scorecards(
    session: Session, viewer: StaffUser, invitation_id: int, kit_id: str, stage_id: str
) -> StageScorecards:
    """The viewer's own scorecard, and the others' as ``Independence`` allows."""
    rule = independence(session, viewer, [invitation_id])
    may_score = rule.may_score(invitation_id, stage_id)
    in_force: dict[int, Scorecard] = {}
    own: Scorecard | None = None
    for card in _revisions(session, invitation_id, kit_id, stage_id):
        if card.interviewer_id == viewer.id and own is None:
            own = card
        if card.is_submitted and card.interviewer_id not in in_force:
            in_force[card.interviewer_id] = card
    own_submitted = in_force.pop(viewer.id, None)
    if not rule.may_read(invitation_id, stage_id):
        return StageScorecards(
            own, own_submitted, hidden=True, others_submitted=len(in_force), may_score=may_score
        )
    people = {u.id: u for u in session.scalars(select(StaffUser).where(StaffUser.id.in_(list(in_force))))}
    others = [(card, people[card.interviewer_id]) for card in in_force.values()]
    others.sort(key=lambda pair: pair[0].submitted_at or pair[0].created_at)
    return StageScorecards(
        own, own_submitted, others, hidden=False, others_submitted=len(others), may_score=may_score
    )


def submitted_count(session: Session, invitation_id: int, kit_id: str, stage_id: str) -> int:
    """How many interviewers have submitted a scorecard for this stage."""
    return (
        session.scalar(
            select(func.count(func.distinct(Scorecard.interviewer_id))).where(
                Scorecard.invitation_id == invitation_id,
                Scorecard.kit_id == kit_id,
                Scorecard.stage_id == stage_id,
                Scorecard.status == "submitted",
            )
        )
        or 0
    )


def save_scorecard(
    session: Session,
    kit: InterviewKit,
    stage: Stage,
    invitation: Invitation,
    interviewer: StaffUser,
    answers: ScorecardAnswers,
    now: datetime,
    submit: bool,
) -> Scorecard:
    """Save the interviewer's draft, or submit it (``submit``): complete, then immutable.

    Raises ``NotScoringStage`` (see ``Independence``), ``ScorecardInvalid`` for ratings
    the stage does not ask for (and, on submit, for any gap) and ``ScorecardLocked`` when
    the newest revision is already submitted. Submitting is audited: it changes the candidate's outcome.
    """
    if not independence(session, interviewer, [invitation.id]).may_score(invitation.id, stage.id):
        session.rollback()
        raise NotScoringStage(
            "you are not assigned to this stage, and as a recruiter or admin you can read its scorecards, "
            "so you cannot score it on your own; a recruiter assigns its interviewers"
        )
    check_answers(kit, stage, answers, complete=submit)
    card = own_scorecard(session, invitation.id, kit.id, stage.id, interviewer)
    if card is not None and card.is_submitted:
        session.rollback()
        raise ScorecardLocked("this scorecard is submitted and cannot change; start a correction instead")
    if card is None:
        card = Scorecard(
            invitation_id=invitation.id,
            kit_id=kit.id,
            stage_id=stage.id,
            interviewer_id=interviewer.id,
            revision=1,
            correction_reason="",
            created_at=now,
        )
        session.add(card)
    _fill(card, answers, now)
    if submit:
        card.status = "submitted"
        card.submitted_at = now
        action = "scorecard.submit" if card.revision == 1 else "scorecard.correct"
        record_audit(
            session,
            interviewer,
            action,
            "invitation",
            invitation.id,
            {
                "kit": kit.id,
                "stage": stage.id,
                "revision": card.revision,
                "correction_reason": card.correction_reason,
                **answers.model_dump(mode="json", exclude={"notes", "red_flag_notes", "evidence"}),
            },
            now,
        )
    return _commit(session, card)


def _fill(card: Scorecard, answers: ScorecardAnswers, now: datetime) -> None:
    card.status = "draft"
    card.ratings = dict(answers.ratings)
    card.evidence = {k: v for k, v in answers.evidence.items() if v.strip()}
    card.goals = dict(answers.goals)
    card.recommendation = answers.recommendation
    card.red_flags = list(answers.red_flags)
    card.red_flag_notes = answers.red_flag_notes
    card.notes = answers.notes
    card.updated_at = now


def _commit(session: Session, card: Scorecard) -> Scorecard:
    try:
        session.commit()
    except IntegrityError:
        # Another request made this revision first (a double click, a second tab).
        session.rollback()
        raise ScorecardLocked("this scorecard changed in another window; reload it") from None
    return card


def start_correction(
    session: Session,
    kit: InterviewKit,
    stage: Stage,
    invitation: Invitation,
    interviewer: StaffUser,
    reason: str,
    now: datetime,
) -> Scorecard:
    """A new draft revision, starting from the submitted one, that says why it corrects it."""
    reason = reason.strip()
    if not reason:
        raise ScorecardInvalid([("reason", "say what the correction is for")])
    card = own_scorecard(session, invitation.id, kit.id, stage.id, interviewer)
    if card is None or not card.is_submitted:
        session.rollback()
        if card is not None:
            return card  # already a draft: keep editing it
        raise ScorecardLocked("there is no submitted scorecard to correct")
    answers = ScorecardAnswers.model_validate(card.answers())
    draft = Scorecard(
        invitation_id=invitation.id,
        kit_id=kit.id,
        stage_id=stage.id,
        interviewer_id=interviewer.id,
        revision=card.revision + 1,
        correction_reason=reason[:MAX_NOTE_CHARS],
        created_at=now,
    )
    _fill(draft, answers, now)
    session.add(draft)
    return _commit(session, draft)


@dataclass(frozen=True)
class InterviewCandidate:
    invitation: Invitation
    campaign: Campaign
    #: Stages for which the viewer has submitted a scorecard.
    submitted_by_viewer: int


def interview_candidates(session: Session, viewer: StaffUser) -> list[InterviewCandidate]:
    """Candidates of campaigns that have an interview kit, newest invitation first."""
    mine = (
        select(Scorecard.invitation_id, func.count(func.distinct(Scorecard.stage_id)).label("stages"))
        .where(Scorecard.interviewer_id == viewer.id, Scorecard.status == "submitted")
        .group_by(Scorecard.invitation_id)
        .subquery()
    )
    rows = session.execute(
        select(Invitation, Campaign, mine.c.stages)
        .join(Campaign, Campaign.id == Invitation.campaign_id)
        .outerjoin(mine, mine.c.invitation_id == Invitation.id)
        .where(Campaign.kit_id != "", Invitation.revoked_at.is_(None))
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    ).all()
    return [InterviewCandidate(invitation, campaign, stages or 0) for invitation, campaign, stages in rows]
