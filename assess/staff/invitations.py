"""Invitation pages: invite one candidate or a CSV of them; revoke, resend and extend."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from assess.auth import current_staff, roles_required
from assess.db import app_state, db_session
from assess.models import Campaign, Invitation, OutboxMessage
from assess.services.authoring import live_catalogue
from assess.services.invitation_import import (
    InviteRefused,
    InviteRow,
    invite_candidates,
    parse_invitation_csv,
)
from assess.services.invitations import (
    InvitationConflict,
    InvitationUnusable,
    extend_invitation,
    resend_invitation,
    revoke_invitation,
)
from assess.services.mail import deliver
from assess.services.pipeline import invitation_record
from assess.staff import bp
from assess.staff.campaigns import kit_competencies
from assess.staff.forms import BulkInvitationForm, ExtendForm, InvitationForm
from assess.web import Page, row_or_404


def _time_limit(campaign: Campaign) -> int | None:
    form = live_catalogue(db_session(), app_state().catalogue).forms.get(campaign.form_id)
    return form.time_limit_minutes if form is not None else None


def _invite(campaign: Campaign, rows: list[InviteRow], valid_days: int) -> list[OutboxMessage]:
    return invite_candidates(
        db_session(),
        campaign.id,
        rows,
        timedelta(days=valid_days),
        app_state().settings.public_url,
        _time_limit(campaign),
        current_staff(),
        app_state().clock(),
        # Prepared now, from the catalogue a Start reads, so the candidate's Start only stamps the time.
        catalogue=live_catalogue(db_session(), app_state().catalogue, campaign.form_id),
    )


def _send(messages: Iterable[OutboxMessage]) -> str:
    """Deliver by SMTP when configured; says where the emails went."""
    messages = list(messages)
    smtp = app_state().settings.smtp
    if smtp is None:
        return (
            f"{len(messages)} email(s) are in the outbox: SMTP is not configured, so pass them on from there."
        )
    sent = deliver(db_session(), smtp, [m.id for m in messages], app_state().clock())
    if sent < len(messages):
        return f"{sent} of {len(messages)} email(s) sent; the outbox shows why the others failed."
    return f"{sent} email(s) sent."


@bp.route("/campaigns/<int:campaign_id>/invite", methods=["GET", "POST"])
@roles_required("recruiter")
def invite(campaign_id: int) -> Page:
    campaign = row_or_404(Campaign, campaign_id)
    form = InvitationForm()
    if form.validate_on_submit():
        row = InviteRow(
            email=form.email.data or "",
            name=form.name.data or "",
            extra_time=str(form.extra_time.data),
            assistive_technology=bool(form.assistive_technology.data),
        )
        try:
            messages = _invite(campaign, [row], form.valid_days.data or 0)
        except InviteRefused as exc:
            for problem in exc.problems:
                field = form[problem.field or "email"]
                field.errors = [*field.errors, problem.message]
        else:
            flash(f"{row.email.strip()} invited. {_send(messages)}")
            return redirect(url_for("staff.pipeline", campaign_id=campaign.id))
    status = 422 if request.method == "POST" else 200
    return render_template("staff/invite.html", form=form, campaign=campaign), status


@bp.route("/campaigns/<int:campaign_id>/invite/bulk", methods=["GET", "POST"])
@roles_required("recruiter")
def invite_bulk(campaign_id: int) -> Page:
    campaign = row_or_404(Campaign, campaign_id)
    form = BulkInvitationForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            rows = parse_invitation_csv(form.csv_file.data.read())
            messages = _invite(campaign, rows, form.valid_days.data or 0)
        except InviteRefused as exc:
            problems = [str(problem) for problem in exc.problems]
        else:
            flash(f"{len(messages)} candidate(s) invited. {_send(messages)}")
            return redirect(url_for("staff.pipeline", campaign_id=campaign.id))
    status = 422 if request.method == "POST" else 200
    return render_template("staff/invite_bulk.html", form=form, campaign=campaign, problems=problems), status


@bp.get("/invitations/<int:invitation_id>")
@roles_required("recruiter")
def invitation(invitation_id: int) -> Page:
    return _invitation_page(row_or_404(Invitation, invitation_id), ExtendForm())


def _invitation_page(found: Invitation, extend_form: ExtendForm, status: int = 200) -> Page:
    """The candidate's invitation, its emails and everything staff did to it (the audit log)."""
    record = invitation_record(db_session(), found.id)
    page = render_template(
        "staff/invitation.html",
        invitation=found,
        attempt=record.attempt,
        messages=record.messages,
        history=record.history,
        now=app_state().clock(),
        extend_form=extend_form,
        # The interview pages answer 404 without a known kit: link to them only when they exist.
        has_interviews=found.campaign.kit_id in kit_competencies(),
    )
    return page, status


def _back(invitation: Invitation) -> BaseResponse:
    return redirect(url_for("staff.invitation", invitation_id=invitation.id))


@bp.post("/invitations/<int:invitation_id>/revoke")
@roles_required("recruiter")
def invitation_revoke(invitation_id: int) -> Page:
    found = row_or_404(Invitation, invitation_id)
    try:
        revoke_invitation(db_session(), found.id, app_state().clock(), current_staff())
    except InvitationUnusable:
        abort(404)
    flash(f"The invitation for {found.email} is revoked: its link no longer works.")
    return _back(found)


@bp.post("/invitations/<int:invitation_id>/resend")
@roles_required("recruiter")
def invitation_resend(invitation_id: int) -> Page:
    found = row_or_404(Invitation, invitation_id)
    try:
        message = resend_invitation(
            db_session(),
            found.id,
            app_state().settings.public_url,
            _time_limit(found.campaign),
            current_staff(),
            app_state().clock(),
        )
    except InvitationConflict as exc:
        db_session().rollback()
        flash(f"Not resent: {exc}.")
        return _back(found)
    flash(f"A new link was made for {found.email}; the old one no longer works. {_send([message])}")
    return _back(found)


@bp.post("/invitations/<int:invitation_id>/extend")
@roles_required("recruiter")
def invitation_extend(invitation_id: int) -> Page:
    found = row_or_404(Invitation, invitation_id)
    form = ExtendForm()
    if not form.validate():
        return _invitation_page(found, form, 422)
    try:
        extended = extend_invitation(
            db_session(),
            found.id,
            timedelta(days=form.valid_days.data or 0),
            current_staff(),
            app_state().clock(),
        )
    except InvitationConflict as exc:
        db_session().rollback()
        flash(f"Not extended: {exc}.")
        return _back(found)
    flash(f"The link for {found.email} now works until {extended.expires_at:%Y-%m-%d %H:%M} UTC.")
    return _back(found)
