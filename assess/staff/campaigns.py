"""Campaign pages: the list, creating and editing a campaign, and its pipeline."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from assess import app_state, db_session
from assess.models import Campaign
from assess.services.authoring import live_catalogue
from assess.services.campaigns import (
    CampaignInvalid,
    CampaignSettings,
    campaigns_with_counts,
    create_campaign,
    format_must_haves,
    parse_must_haves,
    update_campaign,
)
from assess.services.pipeline import SORT_KEYS, STATUS_TEXT, STATUSES, campaign_pipeline, filter_and_sort
from assess.services.scorecards import PACKAGED_KITS, kit_catalogue
from assess.staff import bp
from assess.staff.auth import current_staff, roles_required
from assess.staff.forms import CampaignForm, NewCampaignForm

Page = str | BaseResponse | tuple[str, int]


def kit_competencies() -> dict[str, tuple[str, tuple[str, ...]]]:
    """kit id -> (title, competency ids) of the interview kits (the interview pages' catalogue)."""
    catalogue = kit_catalogue(current_app.config.get("KIT_PATHS") or (PACKAGED_KITS,))
    return {
        kit_id: (kit.title, tuple(c.id for c in kit.competencies)) for kit_id, kit in catalogue.kits.items()
    }


def _kits() -> dict[str, Collection[str]]:
    return {kit_id: competencies for kit_id, (_, competencies) in kit_competencies().items()}


def _offer_choices(form: CampaignForm) -> None:
    forms = live_catalogue(db_session(), app_state().catalogue).forms
    form.form_id.choices = [(form_id, f"{f.title} ({form_id})") for form_id, f in sorted(forms.items())]
    form.kit_id.choices = [("", "No interview kit yet")] + [
        (kit_id, f"{title} ({kit_id})") for kit_id, (title, _) in sorted(kit_competencies().items())
    ]


def _utc(moment: datetime | None) -> datetime | None:
    # The form's datetime-local fields are labelled UTC and carry no zone of their own.
    return moment.replace(tzinfo=UTC) if moment is not None else None


def _settings(form: CampaignForm) -> CampaignSettings:
    return CampaignSettings(
        title=form.title.data or "",
        role=form.role.data or "",
        form_id=form.form_id.data or "",
        kit_id=form.kit_id.data or "",
        assessment_weight=form.assessment_weight.data or 0,
        interview_weight=form.interview_weight.data or 0,
        must_haves=parse_must_haves(form.must_haves.data or ""),
        window_start=_utc(form.window_start.data),
        window_end=_utc(form.window_end.data),
    )


def _campaign(campaign_id: int) -> Campaign:
    campaign = db_session().get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    return campaign


@bp.get("/campaigns")
@roles_required("recruiter")
def campaigns() -> Page:
    return render_template("staff/campaigns.html", rows=campaigns_with_counts(db_session()))


@bp.route("/campaigns/new", methods=["GET", "POST"])
@roles_required("recruiter")
def campaign_new() -> Page:
    form = NewCampaignForm()
    _offer_choices(form)
    if form.validate_on_submit():
        try:
            settings = _settings(form)
            campaign = create_campaign(
                db_session(),
                form.slug.data or "",
                settings.title,
                settings.role,
                settings.form_id,
                live_catalogue(db_session(), app_state().catalogue),
                app_state().clock(),
                settings=settings,
                kits=_kits(),
                actor=current_staff(),
            )
        except CampaignInvalid as exc:
            form[exc.field].errors = [*form[exc.field].errors, str(exc)]
        else:
            flash(f"Campaign \u201c{campaign.title}\u201d created.")
            return redirect(url_for("staff.pipeline", campaign_id=campaign.id))
    status = 422 if request.method == "POST" else 200
    return render_template("staff/campaign_form.html", form=form, campaign=None), status


@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@roles_required("recruiter")
def campaign_edit(campaign_id: int) -> Page:
    campaign = _campaign(campaign_id)
    form = CampaignForm(obj=campaign if request.method == "GET" else None)
    _offer_choices(form)
    if request.method == "GET":
        form.must_haves.data = format_must_haves(campaign)
        form.window_start.data = campaign.window_start
        form.window_end.data = campaign.window_end
    if form.validate_on_submit():
        try:
            update_campaign(
                db_session(),
                campaign.id,
                _settings(form),
                live_catalogue(db_session(), app_state().catalogue),
                _kits(),
                current_staff(),
                app_state().clock(),
            )
        except CampaignInvalid as exc:
            db_session().rollback()
            form[exc.field].errors = [*form[exc.field].errors, str(exc)]
        else:
            flash("Campaign settings saved.")
            return redirect(url_for("staff.pipeline", campaign_id=campaign.id))
    status = 422 if request.method == "POST" else 200
    return render_template("staff/campaign_form.html", form=form, campaign=campaign), status


@bp.get("/campaigns/<int:campaign_id>")
@roles_required("recruiter")
def pipeline(campaign_id: int) -> Page:
    campaign = _campaign(campaign_id)
    status = request.args.get("status", "")
    sort = request.args.get("sort", "invited")
    order = request.args.get("order", "asc")
    if status not in ("", *STATUSES) or sort not in SORT_KEYS or order not in ("asc", "desc"):
        abort(400)
    query = request.args.get("q", "")[:200]
    all_rows = campaign_pipeline(db_session(), campaign.id, app_state().clock())
    counts = {name: sum(1 for row in all_rows if row.status == name) for name in STATUSES}
    rows = filter_and_sort(all_rows, status, query, sort, order == "desc")
    return render_template(
        "staff/pipeline.html",
        campaign=campaign,
        rows=rows,
        total=len(all_rows),
        counts=counts,
        statuses=STATUSES,
        status_text=STATUS_TEXT,
        chosen={"status": status, "q": query, "sort": sort, "order": order},
        kit_title=kit_competencies().get(campaign.kit_id, (campaign.kit_id, ()))[0],
        form_title=getattr(
            live_catalogue(db_session(), app_state().catalogue).forms.get(campaign.form_id),
            "title",
            campaign.form_id,
        ),
    )
