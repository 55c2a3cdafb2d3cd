"""Rate limits on candidate links: guessing tokens is throttled, a candidate with a real link never is.

Every candidate route takes the token from the URL, and an unknown token answers 404,
so any of them could serve as a guessing oracle. One limit is shared by all of them,
per client address, and only 404 answers count towards it: a test centre where hundreds
of candidates share one address opens its links and presses Start freely, while an
address that keeps guessing is refused (429) on every candidate route for the rest of
the window. With 192-bit tokens guessing cannot succeed anyway; this keeps it from
costing the database a lookup per guess.

Counts live in ASSESS_RATELIMIT_STORAGE (e.g. ``redis://127.0.0.1:6379``) when it is set,
else in each process's memory: then each gunicorn worker, and each host, counts on its
own, and a guesser gets up to workers x hosts x the limit. Several workers or hosts need
the shared storage for the limit to mean what it says.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from flask import Blueprint, Flask, Response, jsonify, render_template
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

from assess.errors import wants_json

#: Unknown-link answers one address may get per minute, across all candidate routes.
LINK_GUESSES = "30 per minute"


def is_unknown_link(response: Response) -> bool:
    return response.status_code == 404


def storage_uri(app: Flask, environ: Mapping[str, str] = os.environ) -> str:
    """RATELIMIT_STORAGE_URI from the app's config, else ASSESS_RATELIMIT_STORAGE, else memory."""
    return str(
        app.config.get("RATELIMIT_STORAGE_URI")
        or environ.get("ASSESS_RATELIMIT_STORAGE", "").strip()
        or "memory://"
    )


def too_many_guesses(exc: RateLimitExceeded) -> tuple[Response | str, int, dict[str, str]]:
    heading = "Too many links that do not work"
    message = (
        "This address has opened too many links that do not exist. Please wait a minute, "
        "then open the link from your invitation again, copying the whole link."
    )
    # The window is a minute; the candidate is told to wait that long, and so is a client.
    headers = {"Retry-After": "60"}
    if wants_json():
        return jsonify(error=heading, message=message), 429, headers
    return render_template("error.html", heading=heading, message=message, hint=""), 429, headers


def init_ratelimit(app: Flask, candidate_routes: Blueprint) -> Limiter:
    """Limit unknown-link answers on every route of ``candidate_routes``."""
    app.config["RATELIMIT_STORAGE_URI"] = storage_uri(app)
    limiter = Limiter(
        get_remote_address,
        app=app,
        default_limits=[],
        # A storage outage must not lock candidates out of a running test: fail open,
        # counting in memory until the storage is back.
        swallow_errors=True,
        in_memory_fallback_enabled=True,
        headers_enabled=False,
    )
    limiter.shared_limit(
        LINK_GUESSES,
        scope="candidate-links",
        deduct_when=is_unknown_link,
    )(candidate_routes)
    # More specific than the app's HTTPException handler, so the candidate reads why.
    app.register_error_handler(RateLimitExceeded, too_many_guesses)
    return limiter
