"""The server's clock: the only source of "now" for deadlines (Invariant 1)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

#: Anything that returns the current time as an aware UTC datetime; tests pass a controllable one.
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)
