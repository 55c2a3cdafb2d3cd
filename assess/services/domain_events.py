"""Domain events: what other systems may learn, published inside the transaction of the change.

``publish`` writes one outbox row per active webhook endpoint subscribed to the event and calls
the in-process listeners (ATS integrations), which add their own rows to the same transaction:
the change and everything announcing it commit, or roll back, together.

An event's ``data`` holds ids and public facts only (ids, times, totals, a decision): never an
answer key, a rationale, a model answer or a candidate's answers, which stay behind staff login.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assess.models import WebhookEndpoint
from assess.services.outbox import enqueue
from assess.services.webhook_signing import endpoint_auth

EVENTS = (
    "attempt.finalized",
    "attempt.graded",
    "review.completed",
    "decision.recorded",
    "invitation.expired",
)

Listener = Callable[[Session, str, dict[str, Any], datetime], None]
_LISTENERS: dict[str, list[Listener]] = {event: [] for event in EVENTS}


def listen(event: str, listener: Listener) -> None:
    """Call ``listener(session, event, data, at)`` in the transaction of every ``event``."""
    _checked(event)
    if listener not in _LISTENERS[event]:
        _LISTENERS[event].append(listener)


def publish(session: Session, event: str, data: dict[str, Any], *, at: datetime) -> None:
    """Announce ``event`` in the caller's transaction; the caller commits it with its change."""
    _checked(event)
    body = event_body(event, data, at)
    # Few endpoints exist: reading them all beats a JSON containment query that differs per database.
    endpoints = session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True))).all()
    for endpoint in endpoints:
        if event in endpoint.events:
            enqueue(
                session,
                url=endpoint.url,
                body=body,
                event=event,
                auth=endpoint_auth(endpoint.id),
                headers={"Content-Type": "application/json"},
                endpoint_id=endpoint.id,
                at=at,
            )
    for listener in _LISTENERS[event]:
        listener(session, event, data, at)


def event_body(event: str, data: dict[str, Any], at: datetime) -> bytes:
    """The JSON a webhook receives: ``{"type", "timestamp", "data"}`` as Standard Webhooks suggests."""
    stamp = at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return json.dumps({"type": event, "timestamp": stamp, "data": data}, separators=(",", ":")).encode()


def _checked(event: str) -> None:
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}; the events are {', '.join(EVENTS)}")
