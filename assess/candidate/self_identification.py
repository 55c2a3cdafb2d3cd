"""The optional self-identification form, offered after the test (``assess.services.self_identification``)."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from assess.candidate import bp
from assess.db import app_state, db_session
from assess.errors import error_response
from assess.services.self_identification import (
    QUESTIONS,
    SelfIdentificationInvalid,
    checked_answers,
    invitation_after_test,
    own_answers,
    record_self_identification,
)
from assess.web import Page

CONFIRMATIONS = {
    "saved": "Thank you. Your answers are saved. You can change or remove them here.",
    "removed": "Your answers have been removed.",
}


@bp.route("/<token>/about-you", methods=["GET", "POST"])
def self_identification(token: str) -> Page:
    invitation = invitation_after_test(db_session(), token, app_state().clock())
    if invitation is None:
        # Offered only once the test is over: before, it could seem part of the test.
        return error_response(404)
    if request.method == "POST":
        answers: dict[str, str] = {}
        if "remove" not in request.form:
            try:
                answers = checked_answers(
                    {question.id: request.form.get(question.id, "") for question in QUESTIONS}
                )
            except SelfIdentificationInvalid:
                return error_response(400)
        record_self_identification(db_session(), invitation, answers)
        outcome = "saved" if answers else "removed"
        return redirect(url_for("candidate.self_identification", token=token, done=outcome))
    return render_template(
        "candidate/self_identification.html",
        token=token,
        questions=QUESTIONS,
        answers=own_answers(db_session(), invitation),
        confirmation=CONFIRMATIONS.get(request.args.get("done", ""), ""),
    )
