"""The fairness report of a campaign: selection rates per self-identified group. Admin only."""

from __future__ import annotations

from flask import render_template

from assess.auth import roles_required
from assess.db import db_session
from assess.reports import bp
from assess.reports.campaign_pages import loaded_campaign
from assess.services.fairness import FAIRNESS_STAGES, STAGE_TEXT, campaign_fairness
from assess.web import Page
from reports.fairness import FOUR_FIFTHS, MIN_CELL_COUNT, MIN_GROUP_SIZE


@bp.get("/<int:campaign_id>/fairness")
@roles_required("admin")
def fairness(campaign_id: int) -> Page:
    loaded = loaded_campaign(campaign_id)
    return render_template(
        "reports/fairness.html",
        campaign=loaded.campaign,
        candidates=len(loaded.scores.outcomes),
        questions=campaign_fairness(db_session(), loaded),
        stages=FAIRNESS_STAGES,
        stage_text=STAGE_TEXT,
        four_fifths=FOUR_FIFTHS,
        min_cell=MIN_CELL_COUNT,
        min_group=MIN_GROUP_SIZE,
    )
