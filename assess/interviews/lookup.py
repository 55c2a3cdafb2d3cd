"""Finding what an interview page is about: the candidate, their campaign and its kit."""

from __future__ import annotations

from flask import abort

from assess.db import db_session
from assess.models import Campaign, Invitation
from assess.web import app_kits
from kits.model import InterviewKit


def candidate_and_kit(invitation_id: int) -> tuple[Invitation, Campaign, InterviewKit]:
    """The candidate's invitation, its campaign and the campaign's kit; 404 when any is missing."""
    invitation = db_session().get(Invitation, invitation_id)
    if invitation is None:
        abort(404)
    campaign = invitation.campaign
    kits = app_kits()
    if not campaign.kit_id or campaign.kit_id not in kits.kits:
        abort(404)
    return invitation, campaign, kits.kit(campaign.kit_id)
