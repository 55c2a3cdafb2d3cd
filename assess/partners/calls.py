"""What every call from an ATS goes through: its key, its rate limit, its JSON body, its errors.

Both ATSs authenticate with HTTP Basic, the key as the user name and an empty password. Every
refusal is JSON ``{"message": ..., "errors": [...]}``: Ashby shows a 422's ``message`` to its user,
and Greenhouse's support reads them.
"""

from __future__ import annotations

import base64
import binascii
import logging
import math
import time
from typing import Any, TypeVar

from flask import Response, current_app, jsonify, request
from flask_limiter import Limiter
from limits import parse
from pydantic import BaseModel, ValidationError

from assess.db import db_session
from assess.models.ats import AtsConnection
from assess.ratelimit import LIMITER_KEY
from assess.services.ats_connections import PROVIDERS, authenticate

#: Requests one connection may make per minute: Greenhouse's and Ashby's bursts are one user's clicks.
CONNECTION_REQUESTS = "600 per minute"
CONNECTION_LIMIT = parse(CONNECTION_REQUESTS)
M = TypeVar("M", bound=BaseModel)
logger = logging.getLogger(__name__)


class PartnerError(Exception):
    """A refusal sent to the ATS as JSON with this status."""

    def __init__(
        self,
        status: int,
        message: str,
        errors: list[str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors or [message]
        self.headers = headers or {}


def refusal(error: PartnerError) -> Response:
    response = jsonify({"message": error.message, "errors": error.errors})
    response.status_code = error.status
    response.headers.update(error.headers)
    return response


def _basic_user() -> str:
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return ""
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return ""
    return decoded.partition(":")[0]


def connection_for(provider: str) -> AtsConnection:
    """The working connection whose key the request carries, counted against its rate limit."""
    connection = authenticate(db_session(), provider, _basic_user())
    if connection is None:
        raise PartnerError(
            401,
            f"Send this connection's key as the HTTP Basic user name (empty password); an admin makes "
            f"one on the staff page 'Connect your ATS' for {PROVIDERS[provider]}.",
            headers={"WWW-Authenticate": 'Basic realm="assess"'},
        )
    _count(connection)
    return connection


def _count(connection: AtsConnection) -> None:
    limiter: Limiter = current_app.extensions[LIMITER_KEY]
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "")
    identifiers = (*((prefix,) if prefix else ()), "ats-connection", str(connection.id))
    try:
        allowed = limiter.limiter.hit(CONNECTION_LIMIT, *identifiers)
        reset_at = (
            0.0
            if allowed
            else float(limiter.limiter.get_window_stats(CONNECTION_LIMIT, *identifiers).reset_time)
        )
    except Exception:
        # As every other count: a storage outage must not stop hiring; it fails open, loudly.
        logger.exception("rate limit storage unavailable; ATS connection %s not counted", connection.id)
        return
    if not allowed:
        raise PartnerError(
            429,
            f"This connection has made more than {CONNECTION_REQUESTS} requests; wait before sending more.",
            headers={"Retry-After": str(max(1, math.ceil(reset_at - time.time())))},
        )


def _where(location: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in location) or "body"


def json_body(model: type[M]) -> M:
    """The request's JSON body as ``model``; a 400 if it is not JSON, a 422 naming each bad field."""
    data: Any = request.get_json(silent=True) if request.is_json else None
    if data is None:
        raise PartnerError(400, "Send the body as JSON (Content-Type: application/json).")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [f"{_where(error['loc'])}: {error['msg']}" for error in exc.errors()]
        raise PartnerError(422, "; ".join(errors), errors) from None
