"""Candidate routes: parse the request, call a service, render or redirect.

The token in the URL is the candidate's only credential; every route opens it
afresh, so nothing about an attempt lives in the process (any worker can answer).
No template here is given a key, a rationale or a score (Invariant 2).
"""

from __future__ import annotations

import random
from datetime import datetime

from flask import jsonify, redirect, render_template, request, url_for

from assess.answer_fields import TamperedRequest, answer_fields, posted_fields
from assess.candidate import bp
from assess.candidate.forms import (
    destination,
    normalise_answer,
    parse_autosave,
    parse_riding_observations,
    parse_signal_report,
    posted_order,
)
from assess.candidate.pages import CONFLICT_NOTICE, render_instructions, render_item, render_review
from assess.db import app_state, db_session
from assess.errors import error_response, json_refusal, wants_json
from assess.services.answer_saves import AttemptBusy, save_answer
from assess.services.attempt_phase import AttemptClosed, phase_of
from assess.services.attempt_reads import NoSuchSlot, open_slot, page_slots, slot_summaries
from assess.services.attempt_start import create_attempt
from assess.services.attempt_status import NotStarted, read_status
from assess.services.authoring import live_catalogue
from assess.services.finalization import submit_attempt
from assess.services.integrity_recording import ObservationRefused, observation_events, record_observations
from assess.services.invitations import InvitationUnusable, OpenedAttempt, open_attempt
from assess.services.request_origin import RequestOrigin
from assess.services.save_order import Outcome
from assess.web import Page, current_time
from items.bank import FormUnavailable
from items.base import ResponseError

UNUSABLE_HEADINGS = {
    "unknown": "This link does not work",
    "expired": "This link has expired",
    "revoked": "This link is no longer active",
    "closed": "The time for this test is up",
}


def _open(token: str, now: datetime) -> OpenedAttempt:
    return open_attempt(db_session(), token, now, app_state().settings.grace_seconds)


def _origin() -> RequestOrigin:
    # remote_addr is the client's behind a proxy only with ``assess serve --forwarded-hops``.
    return RequestOrigin.of(request.user_agent.string, request.remote_addr or "")


@bp.errorhandler(InvitationUnusable)
def invitation_unusable(exc: InvitationUnusable) -> Page:
    token = (request.view_args or {}).get("token", "")
    if exc.reason == "finished":
        if request.endpoint == "candidate.status":
            return jsonify(seconds_left=0, finished=True)
        if request.endpoint in {"candidate.autosave", "candidate.item_save", "candidate.signals"}:
            return attempt_closed(
                AttemptClosed("This test has been submitted, so answers can no longer be changed.")
            )
        return redirect(url_for("candidate.done", token=token))
    status = 404 if exc.reason == "unknown" else 410
    if wants_json():
        return jsonify(error=UNUSABLE_HEADINGS.get(exc.reason, "This link does not work")), status
    heading = UNUSABLE_HEADINGS.get(exc.reason, UNUSABLE_HEADINGS["unknown"])
    return render_template("candidate/unusable.html", reason=exc.reason, heading=heading, token=token), status


@bp.errorhandler(AttemptClosed)
def attempt_closed(exc: AttemptClosed) -> Page:
    token = (request.view_args or {}).get("token", "")
    if request.endpoint == "candidate.submit":
        return redirect(url_for("candidate.done", token=token))
    if wants_json():
        return jsonify(closed=True, message=str(exc)), 410
    return (
        render_template(
            "candidate/unusable.html",
            reason="closed",
            heading=UNUSABLE_HEADINGS["closed"],
            message=str(exc),
            token=token,
        ),
        410,
    )


@bp.errorhandler(FormUnavailable)
def form_unavailable(exc: FormUnavailable) -> Page:
    # What is wrong (a retired item) is for the authors' pages; the candidate learns the link still works.
    heading = "This test cannot start right now"
    return render_template("candidate/unusable.html", reason="unavailable", heading=heading), 503


@bp.errorhandler(NoSuchSlot)
def no_such_slot(exc: NoSuchSlot) -> Page:
    return error_response(404)


@bp.errorhandler(TamperedRequest)
def tampered_request(exc: TamperedRequest) -> Page:
    if wants_json():
        # A reason tells attempt.js that sending the same save again cannot succeed.
        return json_refusal(400, str(exc))
    return error_response(400)


@bp.errorhandler(ObservationRefused)
def observation_refused(exc: ObservationRefused) -> Page:
    return jsonify(field=exc.field, reason=exc.reason), 422


@bp.errorhandler(AttemptBusy)
def attempt_busy(exc: AttemptBusy) -> Page:
    # Nothing was stored; attempt.js keeps the answer queued and sends it again.
    if wants_json():
        return jsonify(error="Too many saves of this item at once; it will be sent again."), 503
    return error_response(503)


@bp.get("/<token>")
def instructions(token: str) -> Page:
    opened = _open(token, current_time())
    if opened.attempt is not None:
        if opened.phase.is_time_up:
            return redirect(url_for("candidate.done", token=token))
        unanswered = [s for s in slot_summaries(db_session(), opened.attempt) if not s.answered]
        if not unanswered:
            return redirect(url_for("candidate.review", token=token))
        return redirect(url_for("candidate.item", token=token, n=unanswered[0].position + 1))
    return render_instructions(token, opened.invitation)


@bp.post("/<token>/start")
def start(token: str) -> Page:
    now = current_time()
    opened = _open(token, now)
    # Idempotent: a second Start (another tab, a double click) goes to the same attempt,
    # and two racing Starts get one attempt (create_attempt).
    if opened.attempt is None:
        # The live catalogue of the campaign's form only (authored heads, no retired items, read
        # per request): the prepared attempt is stamped while it matches, else drawn from it now.
        form_id = opened.invitation.campaign.form_id
        catalogue = live_catalogue(db_session(), app_state().catalogue, form_id)
        create_attempt(db_session(), opened.invitation, catalogue, now, random.Random(), _origin())
    return redirect(url_for("candidate.item", token=token, n=1))


@bp.get("/<token>/items/<int:n>")
def item(token: str, n: int) -> Page:
    now = current_time()
    opened = _open(token, now)
    if opened.attempt is None:
        return redirect(url_for("candidate.instructions", token=token))
    if opened.phase.is_time_up:
        return redirect(url_for("candidate.done", token=token))
    if n < 1:
        raise NoSuchSlot(f"no item {n}")
    view, summaries = page_slots(db_session(), opened.attempt, n - 1)
    return render_item(token, opened.attempt, view, summaries, now)


@bp.post("/<token>/items/<int:n>")
def item_save(token: str, n: int) -> Page:
    """The plain post that saves an answer without JavaScript, then moves on."""
    opened = open_slot(db_session(), token, n - 1, current_time())
    if opened is None:
        return error_response(409)
    attempt, view = opened
    target = destination(request.form.get("go", ""), n, view.count)
    fields = posted_fields(request.form)
    order = posted_order(request.form)
    now = current_time()
    try:
        response = normalise_answer(view, fields)
    except ResponseError as exc:
        summaries = slot_summaries(db_session(), attempt)
        return render_item(token, attempt, view, summaries, now, error=exc), 422
    result = save_answer(
        db_session(),
        attempt.id,
        view.position,
        response,
        order,
        now,
        app_state().settings.grace_seconds,
        view,
        _origin(),
    )
    if result.outcome is Outcome.CONFLICT:
        # The candidate stays on the item and sees what is stored, with the reason in words.
        view, summaries = page_slots(db_session(), attempt, view.position)
        return render_item(token, attempt, view, summaries, now, notice=CONFLICT_NOTICE), 409
    if phase_of(attempt, now, app_state().settings.grace_seconds).is_time_up:
        return redirect(url_for("candidate.done", token=token))
    if target == "review":
        return redirect(url_for("candidate.review", token=token))
    return redirect(url_for("candidate.item", token=token, n=target))


@bp.post("/<token>/answers/<int:n>")
def autosave(token: str, n: int) -> Page:
    """attempt.js's save; ``saved`` is true only when, after the commit, this answer is the stored one."""
    payload = parse_autosave(request.get_json(silent=True))
    opened = open_slot(db_session(), token, n - 1, current_time())
    if opened is None:
        return jsonify(error="The test has not been started."), 409
    attempt, view = opened
    try:
        response = normalise_answer(view, answer_fields(payload.fields))
    except ResponseError as exc:
        return jsonify(field=exc.field, reason=exc.reason), 422
    now = current_time()
    origin = _origin()
    # The page's integrity observations ride on its saves: one request and one commit, not two.
    # A refused report is said in the reply and stored not at all; the answer is saved regardless.
    refused: dict[str, str] = {}
    try:
        report = parse_riding_observations(payload.observations)
        events = observation_events(db_session(), attempt, report, origin, now, view.count)
    except ObservationRefused as exc:
        events, refused = [], {"field": exc.field, "reason": exc.reason}
    result = save_answer(
        db_session(),
        attempt.id,
        view.position,
        response,
        payload.order,
        now,
        app_state().settings.grace_seconds,
        view,
        origin,
        events,
    )
    reply: dict[str, object] = {
        "saved": result.outcome.is_saved,
        "revision": result.revision,
        "answered": result.answered,
        # How many observations this request stored, or why none were: either way the page drops them.
        "observations": len(events),
    }
    if refused:
        reply["observations_refused"] = refused
    if result.outcome is Outcome.CONFLICT:
        return jsonify({**reply, "conflict": True, "message": CONFLICT_NOTICE}), 409
    if result.outcome is Outcome.SUPERSEDED:
        reply["superseded"] = True
    return jsonify(reply)


@bp.post("/<token>/signals")
def signals(token: str) -> Page:
    """attempt.js's report of focus lapses, paste sizes and time on items; sent by sendBeacon too."""
    report = parse_signal_report(request.form.get("observations"))
    now = current_time()
    opened = _open(token, now)
    if opened.attempt is None:
        return jsonify(error="The test has not been started."), 409
    record_observations(
        db_session(), opened.attempt, report, _origin(), now, app_state().settings.grace_seconds
    )
    return "", 204


@bp.get("/<token>/status")
def status(token: str) -> Page:
    # Reads only: past the grace the sweep finalizes; the page learns at once that time is up.
    try:
        found = read_status(db_session(), token, current_time())
    except NotStarted:
        return jsonify(error="The test has not been started."), 409
    return jsonify(seconds_left=found.seconds_left, finished=found.finished)


@bp.get("/<token>/review")
def review(token: str) -> Page:
    now = current_time()
    opened = _open(token, now)
    if opened.attempt is None:
        return redirect(url_for("candidate.instructions", token=token))
    if opened.phase.is_time_up:
        return redirect(url_for("candidate.done", token=token))
    return render_review(token, opened.attempt, now)


@bp.post("/<token>/submit")
def submit(token: str) -> Page:
    now = current_time()
    opened = _open(token, now)
    if opened.attempt is None:
        return redirect(url_for("candidate.instructions", token=token))
    unanswered = [s for s in slot_summaries(db_session(), opened.attempt) if not s.answered]
    if unanswered and request.form.get("confirm") != "yes" and not opened.phase.is_time_up:
        message = "Tick the box to confirm that you want to submit with unanswered items."
        return render_review(token, opened.attempt, now, confirm_error=message), 422
    submit_attempt(db_session(), opened.attempt.id, now)
    return redirect(url_for("candidate.done", token=token))


@bp.get("/<token>/done")
def done(token: str) -> Page:
    try:
        opened = _open(token, current_time())
    except InvitationUnusable as exc:
        if exc.reason != "finished":
            raise
        return render_template("candidate/done.html", time_up=False)
    if opened.attempt is None:
        return redirect(url_for("candidate.instructions", token=token))
    if not opened.phase.is_time_up:
        # Not submitted and time remains: the way to the end is the review page's Submit.
        return redirect(url_for("candidate.review", token=token))
    # Reads only: the sweep finalizes and grades it once the grace is over.
    return render_template("candidate/done.html", time_up=True)
