"""Debrief routes: assign interviewers to stages, the side-by-side debrief, and the decision."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from assess.auth import current_staff, roles_required
from assess.db import db_session
from assess.errors import error_response
from assess.interviews import bp
from assess.interviews.debrief_forms import DecisionForm, assignment_form
from assess.interviews.lookup import candidate_and_kit
from assess.models import Invitation
from assess.models.debrief import DECISIONS
from assess.request_guard import is_ascii_number
from assess.services.debrief import (
    AssignmentInvalid,
    DecisionInvalid,
    assign_interviewer,
    candidate_debrief,
    debrief_blocker,
    record_decision,
)
from assess.services.pipeline import assessment_result
from assess.web import Page, current_time


@bp.post("/candidates/<int:invitation_id>/assignments")
@roles_required("recruiter")
def assign(invitation_id: int) -> Page:
    invitation, _, kit = candidate_and_kit(invitation_id)
    form = assignment_form(kit)
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return error_response(422, "Choose a stage and an interviewer.")
    raw = form.interviewer.data or ""
    if not is_ascii_number(raw):
        return error_response(422, "Choose an interviewer from the list.")
    try:
        assign_interviewer(
            db_session(), kit, invitation, form.stage.data or "", int(raw), current_staff(), current_time()
        )
    except AssignmentInvalid as exc:
        db_session().rollback()
        return error_response(422, str(exc).capitalize() + ".")
    flash("Interviewer assigned.")
    return redirect(url_for("interviews.candidate", invitation_id=invitation_id) + "#assignments")


def _debrief_page(invitation: Invitation, form: DecisionForm, status: int = 200) -> Page:
    invitation, campaign, kit = candidate_and_kit(invitation.id)
    viewer = current_staff()
    blocker = debrief_blocker(db_session(), viewer, invitation, kit)
    if blocker:
        return error_response(403, blocker)
    debrief = candidate_debrief(db_session(), kit, invitation, viewer)
    return (
        render_template(
            "interviews/debrief.html",
            invitation=invitation,
            campaign=campaign,
            kit=kit,
            debrief=debrief,
            form=form,
            may_decide=viewer.role in ("recruiter", "admin"),
            result=assessment_result(db_session(), invitation.id),
            decision_names=DECISIONS,
        ),
        status,
    )


@bp.get("/candidates/<int:invitation_id>/debrief")
@roles_required("recruiter", "interviewer")
def debrief(invitation_id: int) -> Page:
    invitation, _, _ = candidate_and_kit(invitation_id)
    return _debrief_page(invitation, DecisionForm(formdata=None))


@bp.post("/candidates/<int:invitation_id>/debrief/decision")
@roles_required("recruiter")
def decide(invitation_id: int) -> Page:
    invitation, _, _ = candidate_and_kit(invitation_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _debrief_page(invitation, form, 400 if "csrf_token" in form.errors else 422)
    try:
        record_decision(
            db_session(),
            invitation,
            form.decision.data or "",
            form.rationale.data or "",
            current_staff(),
            current_time(),
        )
    except DecisionInvalid as exc:
        db_session().rollback()
        form.rationale.errors = [*form.rationale.errors, str(exc).capitalize() + "."]
        return _debrief_page(invitation, form, 422)
    flash(f"Decision recorded: {DECISIONS[form.decision.data or '']}.")
    return redirect(url_for("interviews.debrief", invitation_id=invitation_id) + "#decision-heading")
