"""A campaign with an interview kit, a candidate, and complete scorecard forms for its stages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from assess.models import Invitation
from assess.services.campaigns import CampaignSettings, create_campaign
from assess.services.invitations import create_invitation
from assess.services.scorecards import kit_catalogue
from items.bank import Catalogue
from kits.model import InterviewKit, Stage

KIT = "partner-account-manager"
ROLE_PLAY = "partner-role-play"
REFERENCES = "reference-checks"
CAMPAIGN = "partner-am"


@dataclass(frozen=True)
class KitCandidate:
    invitation: Invitation
    token: str
    kit: InterviewKit

    def stage(self, stage_id: str) -> Stage:
        return self.kit.stage(stage_id)

    def scorecard_url(self, stage_id: str = ROLE_PLAY) -> str:
        return f"/staff/interviews/candidates/{self.invitation.id}/stages/{stage_id}/scorecard"

    def guide_url(self, stage_id: str = ROLE_PLAY) -> str:
        return f"/staff/interviews/candidates/{self.invitation.id}/stages/{stage_id}/guide"


def kit_candidate(
    session_factory: sessionmaker[Session], catalogue: Catalogue, form_id: str, now: Any
) -> KitCandidate:
    kit = kit_catalogue().kit(KIT)
    with session_factory() as session:
        settings = CampaignSettings(
            title="Partner AM", role="Partner Account Manager", form_id=form_id, kit_id=KIT
        )
        create_campaign(
            session, CAMPAIGN, "Partner AM", "Partner AM", form_id, catalogue, now, settings=settings
        )
        invitation, token = create_invitation(
            session, CAMPAIGN, "casey@example.com", now, name="Casey Candidate"
        )
    return KitCandidate(invitation, token, kit)


def complete_form(stage: Stage, rating: str = "3", notes: str = "") -> dict[str, str]:
    """Every rating given (``rating`` for competencies, 2 for goals), with a recommendation."""
    data = {f"rating_{i}": rating for i, _ in enumerate(stage.scorecard.competencies)}
    data |= {f"evidence_{i}": f"evidence {i}" for i, _ in enumerate(stage.scorecard.competencies)}
    data |= {f"goal_{i}": "2" for i, _ in enumerate(stage.scorecard.goals)}
    if stage.has_recommendation:
        data["recommendation"] = "3"
    data["notes"] = notes
    data["submit"] = "Submit scorecard"
    return data
