"""Builders for constructed attempt timelines: a Start at 10:00 UTC and offsets in seconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from integrity.observations import AttemptObservations, FocusLapse, ItemRef, Paste, RequestOrigin

START = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
EMAIL = ItemRef("comm-summary-email", "a1b2c3d4e5")


def at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


def lapse(position: int, lost: float, regained: float, hidden: bool = True) -> FocusLapse:
    return FocusLapse(position, at(lost), at(regained), hidden)


def paste(position: int, second: float, characters: int, from_page: bool = False) -> Paste:
    return Paste(position, at(second), characters, from_page)


def origin(
    second: float, agent: str = "Firefox on Windows", network: str = "203.0.113.0/24"
) -> RequestOrigin:
    return RequestOrigin(at(second), agent, network)


def attempt(
    attempt_id: int = 1,
    minutes: float = 25,
    limit_minutes: float = 30,
    items: int = 14,
    answered: int = 14,
    **observed: object,
) -> AttemptObservations:
    return AttemptObservations(
        attempt_id=attempt_id,
        started_at=START,
        finished_at=at(minutes * 60),
        time_limit=timedelta(minutes=limit_minutes),
        items=items,
        answered=answered,
        **observed,  # type: ignore[arg-type]
    )
