"""Rate limits: no client can lock another out of a running test, and guessing is throttled.

Candidate links. Every candidate route takes the token from the URL, and an unknown
token answers 404, so any of them could serve as a guessing oracle. Two counts:

- a link that works (its token matches an invitation) is counted on its own, per token,
  and generously (``LINK_REQUESTS``): hundreds of candidates behind one address (a test
  centre) are each counted apart, and a client that floods one link (asking for items
  that do not exist, say) uses up that link's allowance and no one else's;
- a token that matches no invitation counts against the client's address
  (``LINK_GUESSES``): past the limit the address gets 429 for unknown links, while its
  requests with working links are still served. Whether a 404 was an unknown link is
  looked up only for 404s, so honest traffic never pays for it.

With 192-bit tokens guessing cannot succeed anyway; the limit keeps it cheap and visible.

Staff sign-in. Failures are counted per account (the email typed, whether or not an
account has it, so a refusal says nothing about which exist) and per address; windows
that grow (``LOGIN_FAILURES``) make the lock-out longer the longer the guessing goes on.
While locked, no password is checked at all.

Counts live in ASSESS_RATELIMIT_STORAGE (e.g. ``redis://127.0.0.1:6379``) when it is set,
else in each process's memory: then each gunicorn worker, and each host, counts on its
own, and a guesser gets up to workers x hosts x the limit. Several workers or hosts need
the shared storage for the limits to mean what they say.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass

from flask import Blueprint, Flask, Response, current_app, g, jsonify, render_template, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse_many
from sqlalchemy import select

from assess.config import shared_storage
from assess.db import db_session
from assess.errors import wants_json
from assess.models import Invitation
from assess.ratelimit_memory import SCHEME as MEMORY_SCHEME
from assess.services.invitations import InvitationUnusable, link_hash, token_hash
from assess.services.staff import normalised_email

#: Unknown-link answers one address may get per minute, across all candidate routes.
LINK_GUESSES = "30 per minute"

#: Requests one working link may make per minute, across all candidate routes and tabs.
#: attempt.js polls the status every 10 s per open tab (6 a minute) and saves an answer
#: 400 ms after the last edit, so even edits every half second all minute long are 120
#: saves; with page changes and a few tabs an honest attempt stays under about 250.
LINK_REQUESTS = "600 per minute"
(LINK_LIMIT,) = parse_many(LINK_REQUESTS)

#: Failed sign-ins before a lock-out, per account and per address. Each window is a step
#: of the back-off: 5 failures lock an account for the rest of 5 minutes, the next 5
#: (within the hour) for the rest of the hour, the next 10 for the rest of the day.
LOGIN_FAILURES = {
    "account": "5 per 5 minutes; 10 per hour; 20 per day",
    "address": "20 per 5 minutes; 50 per hour; 200 per day",
}

LIMITER_KEY = "assess.limiter"
#: Each process's memory, its housekeeping paced (``ratelimit_memory``).
IN_PROCESS = f"{MEMORY_SCHEME}://"
logger = logging.getLogger(__name__)


def storage_uri(app: Flask, environ: Mapping[str, str] = os.environ) -> str:
    """RATELIMIT_STORAGE_URI from the app's config, else ASSESS_RATELIMIT_STORAGE, else ``IN_PROCESS``."""
    return str(app.config.get("RATELIMIT_STORAGE_URI") or shared_storage(environ) or IN_PROCESS)


def _limiter() -> Limiter:
    limiter: Limiter = current_app.extensions[LIMITER_KEY]
    return limiter


def _token() -> str:
    return str((request.view_args or {}).get("token", ""))


def link_key() -> str:
    """A working link's count is kept under its token's hash: the storage never holds a link."""
    return token_hash(_token())


def is_unknown_link(response: Response) -> bool:
    """Whether this 404 answered a token that matches no invitation (a missing item on a real link is not)."""
    if response.status_code != 404:
        return False
    if "assess_unknown_link" not in g:
        try:
            digest = link_hash(_token())
        except InvitationUnusable:
            g.assess_unknown_link = True
        else:
            found = db_session().scalar(select(Invitation.id).where(Invitation.token_hash == digest).limit(1))
            g.assess_unknown_link = found is None
    return bool(g.assess_unknown_link)


def is_counted_for_link(response: Response) -> bool:
    # A refusal is not counted, or a flooding client would keep its own window full forever.
    return response.status_code != 429 and not is_unknown_link(response)


def _retry_after(reset_at: float) -> str:
    return str(max(1, math.ceil(reset_at - time.time())))


def _keys(identifiers: tuple[str, ...]) -> tuple[str, ...]:
    # The prefix Flask-Limiter puts on its own counts, so deployments sharing a Redis stay apart.
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "")
    return (prefix, *identifiers) if prefix else identifiers


def _hit(item: RateLimitItem, *identifiers: str) -> bool:
    try:
        return _limiter().limiter.hit(item, *_keys(identifiers))
    except Exception:
        # A storage outage must not lock candidates out of a running test, nor staff out:
        # every count fails open, loudly.
        logger.exception("rate limit storage unavailable; %s not counted", item)
        return True


def _test(item: RateLimitItem, *identifiers: str) -> bool:
    try:
        return _limiter().limiter.test(item, *_keys(identifiers))
    except Exception:
        logger.exception("rate limit storage unavailable; %s not checked", item)
        return True


def _reset_at(item: RateLimitItem, *identifiers: str) -> float:
    try:
        return float(_limiter().limiter.get_window_stats(item, *_keys(identifiers)).reset_time)
    except Exception:
        logger.exception("rate limit storage unavailable; window of %s unknown", item)
        return time.time() + item.get_expiry()


def _refusal(heading: str, message: str, retry_after: str) -> Response:
    if wants_json():
        response = jsonify(error=heading, message=message)
    else:
        response = current_app.make_response(
            render_template("error.html", heading=heading, message=message, hint="")
        )
    response.status_code = 429
    response.headers["Retry-After"] = retry_after
    return response


def refuse_guessing(candidate_routes: str, response: Response) -> Response:
    """Count an unknown-link answer against the address; past ``LINK_GUESSES`` it becomes a 429."""
    if request.blueprint != candidate_routes or not is_unknown_link(response):
        return response
    (item,) = parse_many(LINK_GUESSES)
    address = get_remote_address()
    if _hit(item, "link-guesses", address):
        return response
    return _refusal(
        "Too many links that do not work",
        "This address has opened too many links that do not exist. Please wait a minute, "
        "then open the link from your invitation again, copying the whole link.",
        _retry_after(_reset_at(item, "link-guesses", address)),
    )


def refuse_flooding_link(candidate_routes: str) -> Response | None:
    """Before a candidate view: a working link past ``LINK_REQUESTS`` gets a 429; only this link waits."""
    if request.blueprint != candidate_routes:
        return None
    key = link_key()
    if _test(LINK_LIMIT, "candidate-link", key):
        return None
    return _refusal(
        "Too many requests from this link",
        "This test link has sent more requests in the last minute than a test needs. "
        "Please wait a moment: your saved answers are kept, and the page will carry on.",
        _retry_after(_reset_at(LINK_LIMIT, "candidate-link", key)),
    )


def count_link_request(candidate_routes: str, response: Response) -> Response:
    """After a candidate view: count the request against its link, unless ``is_counted_for_link`` says not."""
    if request.blueprint == candidate_routes and is_counted_for_link(response):
        _hit(LINK_LIMIT, "candidate-link", link_key())
    return response


@dataclass(frozen=True)
class LoginLock:
    """A sign-in refused before its password is checked: whose failures, and for how long."""

    whose: str
    retry_after: str


def _login_counts(email: str) -> list[tuple[str, RateLimitItem, str, str]]:
    account = hashlib.sha256(normalised_email(email).encode()).hexdigest()
    keys = {"account": account, "address": get_remote_address()}
    return [
        (whose, item, f"login-{whose}", keys[whose])
        for whose, limits in LOGIN_FAILURES.items()
        for item in parse_many(limits)
    ]


def login_lock(email: str) -> LoginLock | None:
    """The lock-out this sign-in falls under (the longest, if several), else None."""
    locks = [
        (whose, _reset_at(item, scope, key))
        for whose, item, scope, key in _login_counts(email)
        if not _test(item, scope, key)
    ]
    if not locks:
        return None
    whose, reset_at = max(locks, key=lambda lock: lock[1])
    return LoginLock(whose, _retry_after(reset_at))


def count_login_failure(email: str) -> list[str]:
    """Count a failed sign-in; returns whose lock-out it started ("account", "address")."""
    counts = _login_counts(email)
    for _, item, scope, key in counts:
        _hit(item, scope, key)
    return sorted({whose for whose, item, scope, key in counts if not _test(item, scope, key)})


def clear_account_failures(email: str) -> None:
    """A successful sign-in forgives the account's earlier typos; its address's count stays.

    Whoever signs in knows the password, so the account's count has nothing left to protect;
    the address's count would let one valid account reset guessing at the others.
    """
    for whose, item, scope, key in _login_counts(email):
        if whose == "account":
            try:
                _limiter().limiter.clear(item, *_keys((scope, key)))
            except Exception:
                logger.exception("rate limit storage unavailable; %s not cleared", item)


def init_ratelimit(app: Flask, candidate_routes: Blueprint) -> Limiter:
    """Count working links per token and unknown links per address on ``candidate_routes``."""
    app.config["RATELIMIT_STORAGE_URI"] = storage_uri(app)
    limiter = Limiter(
        get_remote_address,
        app=app,
        default_limits=[],
        # Exact windows: "30 a minute" means any 60 seconds, not a calendar minute that
        # a burst across its boundary could count twice.
        strategy="moving-window",
        headers_enabled=False,
    )
    app.extensions[LIMITER_KEY] = limiter
    # The link's count is one storage read before the view and one write after it. Through
    # Flask-Limiter's shared_limit the same count cost every candidate request about a fifth of
    # its CPU (resolving the limit, its deduction hook, bench/request_costs.py).
    app.before_request(functools.partial(refuse_flooding_link, candidate_routes.name))
    app.after_request(functools.partial(refuse_guessing, candidate_routes.name))
    # After-request functions run newest first: the count sees the view's own response.
    app.after_request(functools.partial(count_link_request, candidate_routes.name))
    return limiter
