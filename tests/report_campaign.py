"""A campaign for the report tests (integration and browser), built through the services, worked out by hand.

Bank tests/fixtures/report_banks: warm-up (renewal: b = 1 of 1, a = 0.25; upsell: a = 2 of 2)
and writing (a written summary, rubric clarity 0-2 + facts 0-2). Items count equally within
a section, sections within the test. Kit account-manager-smb: one stage, nine competencies,
must-have communication >= 2. Weights 40 / 60.

| candidate | warm-up | writing | test % | interviews (Ivy, Ian) | outcome |
|---|---|---|---|---|---|
| Ada | 100 | 3/4 = 75 | 87.5 | Ivy 2s corrected to 3s; Ian 4s, communication 0 | complete, rank 1 |
| Ben | (25+0)/2 = 12.5 | 2/4 = 50 | 31.25 -> 31.3 | both 2s, communication 1 | unsuitable |
| Cat | 100 | 100 | 100 | all 4s, Ivy raises a red flag | do not hire |
| Dan | (100+0)/2 = 50 | awaiting review | - | both 3s; Una's draft: communication 1 | incomplete |
| Eve | - | - | no test | - | incomplete |
| Fay | test running | - | - | - | incomplete |
| Gus | revoked before starting: not a candidate | | | | |
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from saves import one_device, save_json
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assess.models import AttemptItem, Invitation, StaffUser
from assess.services.attempt_start import create_attempt
from assess.services.campaigns import CampaignSettings, create_campaign
from assess.services.finalization import submit_attempt
from assess.services.invitations import create_invitation, revoke_invitation
from assess.services.rubric import latest_review_id, score_rubric
from assess.services.scorecards import ScorecardAnswers, kit_catalogue, save_scorecard, start_correction
from assess.services.staff import create_user
from items.bank import Catalogue, load_banks
from kits.model import InterviewKit

REPORT_BANKS = Path(__file__).resolve().parent / "fixtures" / "report_banks"
GRACE = 30
KIT = "account-manager-smb"
STAGE = "structured-interview"
CAMPAIGN = "report-campaign"
TITLE = "Account Manager, reports"
RED_FLAG_NOTE = "Took credit for a colleague's deal"
NAMES = ("Ada", "Ben", "Cat", "Dan", "Eve", "Fay", "Gus")


@dataclass(frozen=True)
class ReportCampaign:
    campaign_id: int
    #: candidate name -> invitation id (the reports' candidate_id)
    ids: dict[str, int]
    tokens: dict[str, str]
    attempts: dict[str, int]
    kit: InterviewKit
    catalogue: Catalogue
    ivy: StaffUser
    ian: StaffUser
    rex: StaffUser

    def candidate_url(self, name: str) -> str:
        return f"/staff/reports/{self.campaign_id}/candidates/{self.ids[name]}"

    @property
    def url(self) -> str:
        return f"/staff/reports/{self.campaign_id}"


def report_catalogue(paths: tuple[Path, ...] = (REPORT_BANKS,)) -> Catalogue:
    return load_banks(list(paths))


def _take_test(
    session: Session,
    catalogue: Catalogue,
    invitation: Invitation,
    answers: dict[str, dict[str, str]],
    now: Any,
) -> int:
    attempt = create_attempt(session, invitation, catalogue, now, random.Random(1))
    positions = dict(
        session.execute(
            select(AttemptItem.item_id, AttemptItem.position).where(AttemptItem.attempt_id == attempt.id)
        ).all()
    )
    for seq, (item_id, response) in enumerate(answers.items(), start=1):
        save_json(session, attempt.id, positions[item_id], dict(response), one_device(seq), now, GRACE)
    return attempt.id


def review(
    session: Session, attempt_id: int, reviewer: StaffUser, clarity: int, facts: int, now: Any
) -> None:
    position = session.scalars(
        select(AttemptItem.position).where(
            AttemptItem.attempt_id == attempt_id, AttemptItem.item_id == "report-summary"
        )
    ).one()
    awards = {"clarity": Decimal(clarity), "facts": Decimal(facts)}
    based_on = latest_review_id(session, attempt_id, position)
    score_rubric(session, attempt_id, position, awards, reviewer, now, based_on)


def ratings(kit: InterviewKit, level: int, **exceptions: int) -> dict[str, int]:
    """Every competency of the stage at ``level``, except those named (dashes as underscores)."""
    stage = kit.stage(STAGE)
    chosen = {name.replace("_", "-"): value for name, value in exceptions.items()}
    return {rated.competency: chosen.get(rated.competency, level) for rated in stage.scorecard.competencies}


def scorecard(
    session: Session,
    kit: InterviewKit,
    invitation: Invitation,
    interviewer: StaffUser,
    answers: ScorecardAnswers,
    now: Any,
    submit: bool = True,
) -> None:
    save_scorecard(session, kit, kit.stage(STAGE), invitation, interviewer, answers, now, submit=submit)


def build_report_campaign(session_factory: sessionmaker[Session], now: Any, password: str) -> ReportCampaign:
    """The campaign of the table above; its staff sign in with ``password``."""
    catalogue = report_catalogue()
    kit = kit_catalogue().kit(KIT)
    with session_factory() as session:
        ivy, ian, una, rex = (
            create_user(session, f"{name.split()[0].lower()}@staff.example.com", role, password, name, now)
            for name, role in (
                ("Ivy Interviewer", "interviewer"),
                ("Ian Interviewer", "interviewer"),
                ("Una Drafter", "interviewer"),
                ("Rex Reviewer", "recruiter"),
            )
        )
        settings = CampaignSettings(
            title=TITLE, role="Account Manager (SMB)", form_id="report-form", kit_id=KIT
        )
        campaign = create_campaign(
            session,
            CAMPAIGN,
            TITLE,
            "Account Manager (SMB)",
            "report-form",
            catalogue,
            now,
            settings=settings,
        )
        invitations: dict[str, Invitation] = {}
        tokens: dict[str, str] = {}
        for name in NAMES:
            invitations[name], tokens[name] = create_invitation(
                session, CAMPAIGN, f"{name.lower()}@example.com", now, name=f"{name} Candidate"
            )
        answers = {
            "Ada": {"report-renewal": {"choice": "b"}, "report-upsell": {"choice": "a"}},
            "Ben": {"report-renewal": {"choice": "a"}, "report-upsell": {"choice": "b"}},
            "Cat": {"report-renewal": {"choice": "b"}, "report-upsell": {"choice": "a"}},
            "Dan": {"report-renewal": {"choice": "b"}, "report-upsell": {"choice": "b"}},
        }
        attempts = {}
        for name, given in answers.items():
            written = {"report-summary": {"text": f"Summary by {name}: the client wants a review."}}
            attempts[name] = _take_test(session, catalogue, invitations[name], {**given, **written}, now)
            submit_attempt(session, attempts[name], now)
        attempts["Fay"] = _take_test(session, catalogue, invitations["Fay"], {}, now)
        for name, clarity, facts in (("Ada", 2, 1), ("Ben", 1, 1), ("Cat", 2, 2)):
            review(session, attempts[name], rex, clarity, facts, now)

        def card(
            level: int, recommendation: int, exceptions: dict[str, int] | None = None, **extra: Any
        ) -> Any:
            given = ratings(kit, level, **(exceptions or {}))
            return ScorecardAnswers(ratings=given, recommendation=recommendation, **extra)

        ada, ben, cat, dan = (invitations[name] for name in ("Ada", "Ben", "Cat", "Dan"))
        scorecard(session, kit, ada, ivy, card(2, 2), now)
        start_correction(session, kit, kit.stage(STAGE), ada, ivy, "Mixed up two candidates' notes", now)
        scorecard(session, kit, ada, ivy, card(3, 3), now)
        scorecard(session, kit, ada, ian, card(4, 4, exceptions={"communication": 0}), now)
        for who in (ivy, ian):
            scorecard(session, kit, ben, who, card(2, 2, exceptions={"communication": 1}), now)
        flagged = card(4, 4, red_flags=[kit.red_flags[0]], red_flag_notes=RED_FLAG_NOTE)
        scorecard(session, kit, cat, ivy, flagged, now)
        scorecard(session, kit, cat, ian, card(4, 4), now)
        for who in (ivy, ian):
            scorecard(session, kit, dan, who, card(3, 3), now)
        scorecard(session, kit, dan, una, card(1, 1), now, submit=False)
        revoke_invitation(session, invitations["Gus"].id, now)
        ids = {name: invitation.id for name, invitation in invitations.items()}
        return ReportCampaign(campaign.id, ids, tokens, attempts, kit, catalogue, ivy, ian, rex)
