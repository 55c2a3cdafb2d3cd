"""Each API key's rate limit: one moving window per key, counted in the app's rate-limit storage.

Counted per key, not per address: an ATS calls from a few shared addresses, and two customers'
integrations must not use up each other's allowance (Invariant 8).
"""

from __future__ import annotations

import logging
import math
import time

from flask import current_app
from flask_limiter import Limiter
from limits import parse

from assess.api.problems import ApiProblem
from assess.models.api_key import ApiKey
from assess.ratelimit import LIMITER_KEY

#: Requests one key may make per minute, across every operation.
KEY_REQUESTS = "600 per minute"
KEY_LIMIT = parse(KEY_REQUESTS)
logger = logging.getLogger(__name__)


def count_request(key: ApiKey) -> None:
    """Count this request against its key; past ``KEY_REQUESTS`` a 429 problem with Retry-After."""
    limiter: Limiter = current_app.extensions[LIMITER_KEY]
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "")
    identifiers = (*((prefix,) if prefix else ()), "api-key", str(key.id))
    try:
        allowed = limiter.limiter.hit(KEY_LIMIT, *identifiers)
        reset_at = (
            0.0 if allowed else float(limiter.limiter.get_window_stats(KEY_LIMIT, *identifiers).reset_time)
        )
    except Exception:
        # As every other count: a storage outage must not stop integrations; it fails open, loudly.
        logger.exception("rate limit storage unavailable; API key %s not counted", key.id)
        return
    if not allowed:
        raise ApiProblem(
            429,
            "Too Many Requests",
            f"This key has made more than {KEY_REQUESTS} requests; wait before sending more.",
            headers={"Retry-After": str(max(1, math.ceil(reset_at - time.time())))},
        )
