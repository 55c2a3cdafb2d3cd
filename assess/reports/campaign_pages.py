"""Campaign and candidate report pages and the report's downloads: parse, call a service, render."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from typing import Any

import pandas as pd
from flask import Response, abort, current_app, render_template

from assess.auth import current_staff, has_role, roles_required
from assess.db import app_state, db_session
from assess.models import Campaign
from assess.reports import bp
from assess.services.campaigns import campaigns_with_counts
from assess.services.report_data import LoadedCampaign, campaign_report_of, load_campaign
from assess.web import Page, app_kits, row_or_404
from kits.model import RECOMMENDATIONS
from reports.campaign_report import LABELS, CampaignReport, campaign_charts
from reports.candidate_report import candidate_report
from reports.exports import campaign_html, campaign_xlsx, ranking_csv

DOWNLOADS = {
    "csv": ("text/csv; charset=utf-8", "ranking.csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "report.xlsx"),
    "html": ("text/html; charset=utf-8", "report.html"),
}
EXPORTS: dict[str, Callable[[CampaignReport], bytes | str]] = {
    "csv": ranking_csv,
    "xlsx": campaign_xlsx,
    "html": campaign_html,
}
STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def loaded_campaign(campaign_id: int) -> LoadedCampaign:
    kits = app_kits()
    # The viewer's own independence applies: a stage they score shows no scorecard until theirs is in.
    return load_campaign(db_session(), row_or_404(Campaign, campaign_id), kits, current_staff())


@bp.app_template_filter("report_number")
def report_number(value: Any, places: int = 1, missing: str = "—") -> str:
    """A number as the report shows it; a missing one (None, NaN, NA) as ``missing``, never 0."""
    if value is None or pd.isna(value):
        return missing
    return f"{float(value):.{places}f}"


@bp.context_processor
def report_context() -> dict[str, object]:
    return {"LABELS": LABELS, "RECOMMENDATIONS": RECOMMENDATIONS}


@bp.get("/")
@roles_required("recruiter")
def index() -> Page:
    return render_template("reports/index.html", rows=campaigns_with_counts(db_session()))


@bp.get("/<int:campaign_id>")
@roles_required("recruiter")
def campaign(campaign_id: int) -> Page:
    loaded = loaded_campaign(campaign_id)
    report = campaign_report_of(loaded, app_state().clock())
    return render_template(
        "reports/campaign.html",
        loaded=loaded,
        report=report,
        charts=campaign_charts(report),
        is_admin=has_role(current_staff()),
        # The authors' item statistics (authoring.statistics), linked when that blueprint is there.
        has_item_statistics="authoring.statistics" in current_app.view_functions,
    )


@bp.get("/<int:campaign_id>/candidates/<int:candidate_id>")
@roles_required("recruiter")
def candidate(campaign_id: int, candidate_id: int) -> Page:
    loaded = loaded_campaign(campaign_id)
    if candidate_id not in loaded.scores.outcomes.index:
        abort(404)
    return render_template(
        "reports/candidate.html",
        loaded=loaded,
        report=candidate_report(loaded.scores, candidate_id),
        rules=loaded.scores.rules,
        decision=loaded.decisions.get(candidate_id),
        # The debrief is a page of the campaign's interview kit.
        may_open_debrief=loaded.kit is not None,
    )


@bp.get("/<int:campaign_id>/download/<kind>")
@roles_required("recruiter")
def download(campaign_id: int, kind: str) -> Page | Response:
    if kind not in DOWNLOADS:
        abort(404)
    loaded = loaded_campaign(campaign_id)
    report = campaign_report_of(loaded, app_state().clock())
    content = EXPORTS[kind](report)
    mimetype, suffix = DOWNLOADS[kind]
    filename = f"{loaded.campaign.slug}-{suffix}"  # a slug is [a-z0-9-]: safe in a header
    return Response(
        content, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@bp.get("/<int:campaign_id>/print")
@roles_required("recruiter")
def print_view(campaign_id: int) -> Response:
    """The print-ready page in the browser: its own inline styles, allowed by hash, and no script."""
    report = campaign_report_of(loaded_campaign(campaign_id), app_state().clock())
    html = campaign_html(report)
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(style.encode()).digest()).decode() + "'"
        for style in STYLE.findall(html)
    )
    response = Response(html, mimetype="text/html")
    # The app's policy allows styles from /static only; this page carries its own, so that it
    # also works saved to disk. Only those exact styles are allowed, and still no script at all.
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src {hashes}; img-src data:; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    )
    return response
