"""Review routes: parse the request, call one service, render or redirect.

Who may do what (admin may do everything):
- recruiters and interviewers read attempts and mark written answers; hiring managers
  interview and often review, and the queue can hide candidates' names from them;
- only recruiters grant extra time and regrade: both change every reviewer's view of a
  candidate, and regrading needs someone who owns the campaign's results;
- only recruiters see and mark integrity signals: interviewers never see them, so their
  scorecards stay independent of them (docs/integrity.md, privacy notice).
"""

from __future__ import annotations

from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from wtforms import RadioField

from assess.auth import current_staff, has_role, roles_required
from assess.db import app_state, db_session
from assess.errors import error_response
from assess.review import bp
from assess.review.forms import (
    GrantTimeForm,
    RegradeForm,
    SignalReviewForm,
    ToggleForm,
    criterion_field_name,
    rubric_awards,
    rubric_form,
)
from assess.services.attempt_phase import AttemptClosed, NoSuchAttempt, seconds_left
from assess.services.catalogue import load_catalogue
from assess.services.integrity_findings import (
    UnknownSignal,
    attempt_integrity,
    mark_signal_reviewed,
    refresh_campaign_tiers,
)
from assess.services.regrade import (
    NothingToRegrade,
    RegradeStale,
    apply_regrade,
    outdated_items,
    plan_regrade,
)
from assess.services.review import (
    GAP_AFTER,
    ReviewedSlot,
    anonymous_code,
    attempt_review,
    attempt_summaries,
    candidate_label,
    evidence_anchor,
    reviewed_slot,
)
from assess.services.rubric import (
    NotReviewable,
    ReviewConflict,
    latest_review_id,
    pending_answers,
    score_rubric,
)
from assess.services.time_grants import grant_extra_time
from assess.web import Page, current_time
from items.bank import BankInvalid
from items.base import ResponseError

#: The session key of the reviewer's "hide candidate names" choice.
HIDE_NAMES = "review_hide_names"


def names_hidden() -> bool:
    return bool(session.get(HIDE_NAMES, False))


@bp.app_template_global()
def candidate_shown(invitation: object) -> str:
    """The candidate as this reviewer sees them: a code when names are hidden."""
    return anonymous_code(invitation) if names_hidden() else candidate_label(invitation)  # type: ignore[arg-type]


# The Attempts list names candidates whatever the marking pages hide: finding a candidate is its job.
bp.add_app_template_global(candidate_label)


@bp.context_processor
def review_context() -> dict[str, object]:
    return {"hide_names": names_hidden(), "gap_minutes": int(GAP_AFTER.total_seconds() // 60)}


@bp.errorhandler(NoSuchAttempt)
def no_such_attempt(exc: Exception) -> Page:
    return error_response(404)


@bp.get("/")
@roles_required("recruiter", "interviewer")
def attempts() -> Page:
    return render_template("review/attempts.html", summaries=attempt_summaries(db_session()))


@bp.get("/attempts/<int:attempt_id>")
@roles_required("recruiter", "interviewer")
def attempt(attempt_id: int) -> Page:
    return _attempt_page(attempt_id, GrantTimeForm())


def _attempt_page(
    attempt_id: int,
    form: GrantTimeForm,
    error: str = "",
    status: int = 200,
    signal_form: SignalReviewForm | None = None,
    signal_error: str = "",
) -> Page:
    review = attempt_review(db_session(), attempt_id, current_time())
    is_recruiter = has_role(current_staff(), "recruiter")
    integrity = None
    if is_recruiter and not review.is_running:
        # A campaign changed since the sweep's last round is brought up to date before it is read.
        refresh_campaign_tiers(db_session(), review.campaign.id, current_time())
        integrity = attempt_integrity(db_session(), attempt_id)
    page = render_template(
        "review/attempt.html",
        review=review,
        form=form if is_recruiter and review.is_running else None,
        grant_error=error,
        seconds_left=seconds_left(review.attempt, current_time()),
        integrity=integrity,
        may_assess_integrity=is_recruiter and not review.is_running,
        evidence_anchor=evidence_anchor,
        signal_form=signal_form or SignalReviewForm(),
        signal_error=signal_error,
    )
    return page, status


@bp.post("/attempts/<int:attempt_id>/time")
@roles_required("recruiter")
def grant_time(attempt_id: int) -> Page:
    form = GrantTimeForm()
    if not form.validate_on_submit():
        return _attempt_page(attempt_id, form, status=422)
    staff = current_staff()
    try:
        grant_extra_time(
            db_session(),
            attempt_id,
            form.minutes.data or 0,
            staff.email,
            form.reason.data or "",
            current_time(),
            actor=staff,
        )
    except AttemptClosed:
        message = "The attempt has ended, so its time can no longer change."
        return _attempt_page(attempt_id, form, error=message, status=409)
    flash(f"{form.minutes.data} minutes of extra time granted; the candidate's page shows it within seconds.")
    return redirect(url_for("review.attempt", attempt_id=attempt_id))


@bp.post("/attempts/<int:attempt_id>/signals")
@roles_required("recruiter")
def review_signal(attempt_id: int) -> Page:
    form = SignalReviewForm()
    if not form.validate_on_submit():
        status = 400 if "signal" in form.errors or "csrf_token" in form.errors else 422
        return _attempt_page(attempt_id, GrantTimeForm(), status=status, signal_form=form)
    try:
        mark_signal_reviewed(
            db_session(),
            attempt_id,
            form.signal.data or "",
            form.note.data or "",
            current_staff(),
            current_time(),
        )
    except UnknownSignal:
        message = (
            "That signal is no longer among this attempt's signals; the page now shows the current ones."
        )
        return _attempt_page(attempt_id, GrantTimeForm(), status=409, signal_form=form, signal_error=message)
    flash("Signal marked reviewed, with your note.")
    return redirect(url_for("review.attempt", attempt_id=attempt_id, _anchor="integrity-heading"))


@bp.get("/written")
@roles_required("recruiter", "interviewer")
def written_queue() -> Page:
    return render_template("review/written_queue.html", pending=pending_answers(db_session()))


@bp.post("/written/names")
@roles_required("recruiter", "interviewer")
def toggle_names() -> Page:
    if not ToggleForm().validate_on_submit():
        abort(400)
    session[HIDE_NAMES] = not names_hidden()
    return redirect(_back_to(request.form.get("back", "")))


def _back_to(target: str) -> str:
    # Only the review pages themselves: a crafted value must not send the reviewer elsewhere.
    if target.startswith("/staff/review/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("review.written_queue")


@bp.route("/written/<int:attempt_id>/<int:n>", methods=["GET", "POST"])
@roles_required("recruiter", "interviewer")
def score_written(attempt_id: int, n: int) -> Page:
    if n < 1:
        return error_response(404)
    review, slot = reviewed_slot(db_session(), attempt_id, n - 1, current_time())
    if slot.rubric is None:
        return error_response(404, "This item has no rubric to mark.")
    if review.is_running:
        return error_response(409, "The attempt is still running; mark its answers once it has finished.")
    if slot.response is None:
        return error_response(404, "The candidate did not answer this item, so there is nothing to mark.")
    criteria = list(slot.rubric)
    form = rubric_form(criteria)
    based_on = latest_review_id(db_session(), attempt_id, n - 1)
    if request.method == "GET":
        form.based_on.data = str(based_on)
        _prefill(form, slot)
    problem, status = "", 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                score_rubric(
                    db_session(),
                    attempt_id,
                    n - 1,
                    rubric_awards(form, criteria),
                    current_staff(),
                    current_time(),
                    int(form.based_on.data or 0),
                )
            except ReviewConflict as exc:
                problem, status = str(exc).capitalize() + ".", 409
            except NotReviewable as exc:
                problem, status = str(exc).capitalize() + ".", 409
            except ResponseError:
                return error_response(400)
            else:
                flash(f"Marks saved for item {n}.")
                return redirect(url_for("review.written_queue"))
        else:
            status = 400 if "based_on" in form.errors or "csrf_token" in form.errors else 422
    return (
        render_template(
            "review/score_written.html",
            review=review,
            slot=slot,
            n=n,
            form=form,
            criteria=[(c, form[criterion_field_name(c)]) for c in criteria],
            rubric_labels={c.label for c in criteria},
            problem=problem,
        ),
        status,
    )


def _prefill(form: FlaskForm, slot: ReviewedSlot) -> None:
    """A marked answer's page starts from the marks in force, so a correction changes only what it must."""
    if not slot.reviews:
        return
    latest, _reviewer = slot.reviews[0]
    for criterion, points in latest.awards.items():
        name = f"criterion_{criterion}"  # criterion_field_name's rule, from a stored id
        if name in form:
            field = form[name]
            mark = Decimal(points)
            field.data = str(int(mark)) if isinstance(field, RadioField) and mark == int(mark) else mark


@bp.get("/regrade")
@roles_required("recruiter")
def regrades() -> Page:
    try:
        catalogue = load_catalogue(app_state().settings.bank_paths)
    except BankInvalid as exc:
        return render_template("review/regrades.html", bank_errors=exc.errors, outdated=[]), 409
    return render_template(
        "review/regrades.html", bank_errors=[], outdated=outdated_items(db_session(), catalogue)
    )


@bp.route("/regrade/<item_id>", methods=["GET", "POST"])
@roles_required("recruiter")
def regrade(item_id: str) -> Page:
    try:
        catalogue = load_catalogue(app_state().settings.bank_paths)
    except BankInvalid as exc:
        return render_template("review/regrades.html", bank_errors=exc.errors, outdated=[]), 409
    try:
        plan = plan_regrade(db_session(), catalogue, item_id)
    except NothingToRegrade:
        return error_response(404, "There is no such item in the banks.")
    form = RegradeForm()
    problem, status = "", 200
    if request.method == "GET":
        form.to_version.data = plan.item.version
    elif not form.validate_on_submit():
        status = 400 if "to_version" in form.errors or "csrf_token" in form.errors else 422
    else:
        try:
            regrade_row, applied = apply_regrade(
                db_session(),
                catalogue,
                item_id,
                form.to_version.data or "",
                current_staff(),
                form.reason.data or "",
                current_time(),
            )
        except RegradeStale as exc:
            problem, status = str(exc).capitalize() + ".", 409
            form.to_version.data = plan.item.version
        except NothingToRegrade as exc:
            problem, status = str(exc).capitalize() + ".", 409
        else:
            flash(
                f"Regraded {len(applied.rows)} attempt(s) of {item_id} to version {regrade_row.to_version}."
            )
            return redirect(url_for("review.regrades"))
    return render_template("review/regrade.html", plan=plan, form=form, problem=problem), status
