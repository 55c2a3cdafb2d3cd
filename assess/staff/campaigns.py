"""Campaign pages: the list, creating and editing a campaign, and its pipeline."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

from flask import abort, flash, redirect, render_template, request, url_for
from wtforms.fields.choices import SelectChoice

from assess.auth import current_staff, roles_required
from assess.db import app_state, db_session
from assess.models import Campaign
from assess.services.authoring import live_catalogue
from assess.services.campaigns import (
    CampaignInvalid,
    CampaignSettings,
    campaigns_with_counts,
    create_campaign,
    update_campaign,
)
from assess.services.pipeline import (
    SORT_KEYS,
    STATUS_TEXT,
    STATUSES,
    campaign_pipeline,
    expiring_invitation_ids,
    filter_and_sort,
)
from assess.services.report_data import campaign_kit, campaign_rules
from assess.services.scorecards import kit_catalogue
from assess.staff import bp
from assess.staff.forms import CampaignForm, NewCampaignForm
from assess.web import Page, app_kits, row_or_404


def kit_competencies() -> dict[str, tuple[str, dict[str, str]]]:
    """kit id -> (title, {competency id: name}) of the interview kits (the interview pages' catalogue)."""
    catalogue = app_kits()
    return {
        kit_id: (kit.title, {c.id: c.name for c in kit.competencies})
        for kit_id, kit in catalogue.kits.items()
    }


def _kits() -> dict[str, Collection[str]]:
    return {kit_id: competencies for kit_id, (_, competencies) in kit_competencies().items()}


def _offer_choices(form: CampaignForm) -> None:
    forms = live_catalogue(db_session(), app_state().catalogue).forms
    kits = kit_competencies()
    form.form_id.choices = [(form_id, f"{f.title} ({form_id})") for form_id, f in sorted(forms.items())]
    form.kit_id.choices = [("", "No interview kit yet")] + [
        (kit_id, f"{title} ({kit_id})") for kit_id, (title, _) in sorted(kits.items())
    ]
    # The chosen kit's competencies; before a kit is chosen, every kit's, grouped by kit.
    chosen = kits.get(form.kit_id.data or "")
    offered = [chosen] if chosen else [kits[kit_id] for kit_id in sorted(kits)]
    competencies = [
        SelectChoice(competency, name, optgroup=None if chosen else title)
        for title, names in offered
        for competency, name in sorted(names.items(), key=lambda pair: pair[1])
    ]
    message = (
        f"Choose one of the competencies of {chosen[0]}." if chosen else "Choose a competency from the list."
    )
    for competency, _ in form.must_have_fields():
        competency.choices = [SelectChoice("", "No must-have"), *competencies]
        competency.invalid_choice_message = message


def _must_haves(form: CampaignForm) -> tuple[tuple[str, int], ...]:
    """The rows with a competency chosen; ``CampaignInvalid`` names the row's field when one is wrong."""
    kit = kit_competencies().get(form.kit_id.data or "")
    rules: list[tuple[str, int]] = []
    for competency, minimum in form.must_have_fields():
        if not competency.data:
            continue
        if kit is None:
            raise CampaignInvalid(
                competency.name, "choose an interview kit first: must-haves are its competencies"
            )
        if competency.data in dict(rules):
            raise CampaignInvalid(competency.name, f"{kit[1][competency.data]} has a must-have already")
        rules.append((competency.data, int(minimum.data or 0)))
    return tuple(rules)


def _show_error(form: CampaignForm, exc: CampaignInvalid) -> None:
    # The service names its "must_haves" setting; on this form that is the first must-have row.
    field = form[exc.field] if exc.field in form else form.must_have_fields()[0][0]
    field.errors = [*field.errors, str(exc)]


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
        must_haves=_must_haves(form),
        window_start=_utc(form.window_start.data),
        window_end=_utc(form.window_end.data),
    )


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
            _show_error(form, exc)
        else:
            flash(f"Campaign \u201c{campaign.title}\u201d created.")
            return redirect(url_for("staff.pipeline", campaign_id=campaign.id))
    status = 422 if request.method == "POST" else 200
    return render_template("staff/campaign_form.html", form=form, campaign=None), status


@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@roles_required("recruiter")
def campaign_edit(campaign_id: int) -> Page:
    campaign = row_or_404(Campaign, campaign_id)
    form = CampaignForm(obj=campaign if request.method == "GET" else None)
    _offer_choices(form)
    if request.method == "GET":
        for (competency, minimum), rule in zip(form.must_have_fields(), campaign.must_haves, strict=False):
            competency.data, minimum.data = rule["competency"], int(rule["minimum"])
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
            _show_error(form, exc)
        else:
            flash("Campaign settings saved.")
            return redirect(url_for("staff.pipeline", campaign_id=campaign.id))
    status = 422 if request.method == "POST" else 200
    return render_template("staff/campaign_form.html", form=form, campaign=campaign), status


@bp.get("/campaigns/<int:campaign_id>")
@roles_required("recruiter")
def pipeline(campaign_id: int) -> Page:
    campaign = row_or_404(Campaign, campaign_id)
    status = request.args.get("status", "")
    sort = request.args.get("sort", "invited")
    order = request.args.get("order", "asc")
    if status not in ("", *STATUSES) or sort not in SORT_KEYS or order not in ("asc", "desc"):
        abort(400)
    expiring = request.args.get("expiring", "")
    if expiring not in ("", "1"):
        abort(400)
    query = request.args.get("q", "")[:200]
    now = app_state().clock()
    all_rows = campaign_pipeline(db_session(), campaign.id, now)
    counts = {name: sum(1 for row in all_rows if row.status == name) for name in STATUSES}
    only = None
    if expiring:
        only = expiring_invitation_ids(db_session(), campaign.id, now)
    rows = filter_and_sort(all_rows, status, query, sort, order == "desc", only)
    kit_title, competencies = kit_competencies().get(campaign.kit_id, (campaign.kit_id, {}))
    return render_template(
        "staff/pipeline.html",
        # The rules the report applies: the kit's must-haves as well as the campaign's own.
        must_haves=campaign_rules(campaign, campaign_kit(campaign, kit_catalogue())).must_haves,
        campaign=campaign,
        rows=rows,
        total=len(all_rows),
        counts=counts,
        statuses=STATUSES,
        status_text=STATUS_TEXT,
        chosen={"status": status, "q": query, "sort": sort, "order": order, "expiring": expiring},
        kit_title=kit_title,
        competency_names=competencies,
        form_title=getattr(
            live_catalogue(db_session(), app_state().catalogue).forms.get(campaign.form_id),
            "title",
            campaign.form_id,
        ),
    )
