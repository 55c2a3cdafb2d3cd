"""Error pages: polite, in the site's layout, never a traceback; JSON for the page's scripts."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

PAGES: dict[int, tuple[str, str]] = {
    400: ("Something in that request was not right", "Please go back, reload the page and try again."),
    403: ("You cannot open this page", "This page is not available with the link you used."),
    404: ("Page not found", "There is nothing at this address. Please check the link you were given."),
    405: ("That action is not possible here", "Please go back and use the buttons on the page."),
    409: ("That cannot be done right now", "Please go back, reload the page and try again."),
    410: ("This page is no longer available", "It has closed and cannot be used any more."),
    413: ("That was too much to send", "Please shorten your answer and try again."),
    415: ("That kind of request is not accepted here", "Please use the form on the page."),
    422: ("That could not be accepted", "Please go back, check what you entered and try again."),
    500: (
        "Something went wrong on our side",
        "Your saved answers are safe. Please reload the page in a moment.",
    ),
}

#: Endpoints called by attempt.js, which reads JSON, not pages.
JSON_ENDPOINTS = frozenset({"candidate.autosave", "candidate.status", "candidate.signals"})
#: The only endpoints that take a JSON body; every other post is a form (see request_guard).
JSON_BODY_ENDPOINTS = frozenset({"candidate.autosave", "api.create_invitations", "api.extend_invitation"})
#: What Greenhouse and Ashby post to their partner endpoints (assess/partners).
JSON_BODY_ENDPOINTS |= {
    "partners.greenhouse_send_test",
    "partners.greenhouse_response_error",
    "partners.ashby_assessment_list",
    "partners.ashby_assessment_start",
    "partners.ashby_assessment_cancel",
}


def wants_json() -> bool:
    return request.endpoint in JSON_ENDPOINTS or request.is_json


def error_response(status: int, hint: str = "") -> tuple[Response | str, int]:
    heading, message = PAGES.get(status, PAGES[500] if status >= 500 else PAGES[400])
    if wants_json():
        return jsonify({"error": heading, "message": message, **({"hint": hint} if hint else {})}), status
    return render_template("error.html", heading=heading, message=message, hint=hint), status


def json_refusal(status: int, reason: str) -> tuple[Response, int]:
    """A JSON body refused as it stands; ``reason`` is what the page's script shows."""
    heading = PAGES.get(status, PAGES[400])[0]
    return jsonify({"error": heading, "message": reason, "reason": reason}), status


def handle_http_error(exc: HTTPException) -> tuple[Response | str, int]:
    status = exc.code or 500
    hint = ""
    if isinstance(exc, CSRFError):
        # The session that issued the page's token is gone (new browser, cleared cookies).
        hint = "The page belonged to a session that has ended. Reload it: your saved answers are still there."
    return error_response(status, hint)


def handle_server_error(exc: InternalServerError) -> tuple[Response | str, int]:
    log.error("unhandled error on %s %s", request.method, request.path, exc_info=exc.original_exception)
    return error_response(500)


def init_error_pages(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_server_error)
