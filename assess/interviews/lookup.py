"""Finding what an interview page is about: the candidate, their campaign and its kit."""

from __future__ import annotations

from flask import abort

from assess.models import Campaign, Invitation
from assess.web import app_kits, row_or_404
from kits.model import InterviewKit


def candidate_and_kit(invitation_id: int) -> tuple[Invitation, Campaign, InterviewKit]:
    """The candidate's invitation, its campaign and the campaign's kit; 404 when any is missing."""
    invitation = row_or_404(Invitation, invitation_id)
    campaign = invitation.campaign
    kits = app_kits()
    if not campaign.kit_id or campaign.kit_id not in kits.kits:
        abort(404)
    return invitation, campaign, kits.kit(campaign.kit_id)
