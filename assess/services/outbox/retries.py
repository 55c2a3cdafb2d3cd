"""When a failed delivery is tried again: Standard Webhooks' schedule, jitter, and Retry-After."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

#: Standard Webhooks' schedule after the first, immediate try: about a day and a half in all.
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=24),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
#: Each wait is stretched by up to this fraction, so receivers that failed together are not
#: all retried in the same second.
JITTER = 0.1
#: A receiver's Retry-After is honoured up to the longest wait of the schedule.
MAX_RETRY_AFTER = RETRY_DELAYS[-1]


def retry_after(value: str, now: datetime | None = None) -> timedelta | None:
    """A Retry-After header (seconds or an HTTP date) as a wait, capped; None if absent or unreadable."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        wait = timedelta(seconds=int(value))
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None or now is None:
            return None
        wait = when - now
    return min(max(wait, timedelta(0)), MAX_RETRY_AFTER)


def next_try_at(
    attempt: int, now: datetime, rng: random.Random, at_least: timedelta | None = None
) -> datetime:
    """When try ``attempt + 1`` is due after try ``attempt`` failed at ``now``."""
    wait = RETRY_DELAYS[attempt - 1] * (1 + JITTER * rng.random())
    return now + max(wait, at_least or timedelta(0))
