"""Sending claimed deliveries, each outside any transaction, and recording how each went."""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from assess.clock import Clock
from assess.models import Delivery
from assess.services.outbound_http import Reply, SendFailed, send_request
from assess.services.outbound_urls import RefusedTarget, checked_target
from assess.services.outbox.admin import disable_endpoint
from assess.services.outbox.auth import AuthUnavailable, auth_headers
from assess.services.outbox.claims import claim_due
from assess.services.outbox.queue import WAITING
from assess.services.outbox.retries import MAX_ATTEMPTS, next_try_at, retry_after

log = logging.getLogger(__name__)

MAX_ERROR_CHARS = 500


@dataclass
class DeliveryPass:
    """What one ``deliver_due`` pass did."""

    claimed: int = 0
    delivered: int = 0
    retrying: int = 0
    abandoned: int = 0

    def __iadd__(self, other: DeliveryPass) -> DeliveryPass:
        self.claimed += other.claimed
        self.delivered += other.delivered
        self.retrying += other.retrying
        self.abandoned += other.abandoned
        return self

    def __str__(self) -> str:
        return (
            f"{self.claimed} due: {self.delivered} delivered, {self.retrying} to retry, "
            f"{self.abandoned} abandoned"
        )


def deliver_due(
    session_factory: sessionmaker[Session],
    clock: Clock,
    *,
    limit: int = 50,
    allow_private_targets: bool = False,
    rng: random.Random | None = None,
) -> DeliveryPass:
    """Send up to ``limit`` due deliveries once each and record how each went.

    Safe in any number of workers at once: each row is claimed by one of them (a lease on
    ``next_attempt_at``), so it is sent once per try.
    """
    summary = DeliveryPass()
    for delivery_id, attempt in claim_due(session_factory, clock(), limit):
        summary.claimed += 1
        status = _deliver(session_factory, clock, delivery_id, attempt, allow_private_targets, rng)
        if status == "delivered":
            summary.delivered += 1
        elif status == "abandoned":
            summary.abandoned += 1
        else:
            summary.retrying += 1
    return summary


@dataclass(frozen=True)
class _Outcome:
    status: str
    error: str = ""
    http_status: int | None = None
    retry_after: timedelta | None = None


def _deliver(
    session_factory: sessionmaker[Session],
    clock: Clock,
    delivery_id: int,
    attempt: int,
    allow_private_targets: bool,
    rng: random.Random | None,
) -> str:
    with session_factory() as session:
        delivery = session.get(Delivery, delivery_id)
        if delivery is None:  # deleted meanwhile: nothing to send, nothing to record
            return "abandoned"
        outcome = _attempt(session, delivery, clock(), allow_private_targets)
        return _record(session, delivery, attempt, outcome, clock(), rng or random.Random())


def _attempt(session: Session, delivery: Delivery, now: datetime, allow_private: bool) -> _Outcome:
    try:
        # Claimed only if its provider is registered here (``claims``).
        headers = {**delivery.headers, **auth_headers(session, delivery, now)}
    except AuthUnavailable as exc:
        return _Outcome("abandoned", str(exc))
    url, method, body = delivery.url, delivery.method, delivery.body
    allowed = frozenset(delivery.allowed_hosts) if delivery.allowed_hosts is not None else None
    # No transaction stays open while a name resolves or a receiver takes its time.
    session.rollback()
    try:
        target = checked_target(url, allow_private=allow_private, allowed_hosts=allowed)
        reply = send_request(target, method, headers, body)
    except RefusedTarget as exc:
        return _Outcome("failed", f"not sent: {exc}")
    except SendFailed as exc:
        return _Outcome("failed", str(exc))
    return _judge(reply, now)


def _judge(reply: Reply, now: datetime) -> _Outcome:
    if 200 <= reply.status < 300:
        return _Outcome("delivered", http_status=reply.status)
    excerpt = reply.body[:200].decode("utf-8", "replace").strip()
    error = f"HTTP {reply.status}" + (f": {excerpt}" if excerpt else "")
    if 300 <= reply.status < 400:
        error = f"HTTP {reply.status} to {reply.headers.get('Location', '?')}: redirects are not followed"
    if reply.status == 410:
        return _Outcome("gone", error, reply.status)
    return _Outcome("failed", error, reply.status, retry_after(reply.headers.get("Retry-After", ""), now))


def _record(
    session: Session, delivery: Delivery, attempt: int, outcome: _Outcome, now: datetime, rng: random.Random
) -> str:
    status, error = outcome.status, outcome.error[:MAX_ERROR_CHARS]
    values: dict[str, object] = {
        "last_status": outcome.http_status,
        "last_error": error,
        "next_attempt_at": None,
    }
    if status == "delivered":
        values["delivered_at"] = now
    elif status == "gone":
        status = "abandoned"
        values["last_error"] = f"{error} (the receiver says this URL is gone)"[:MAX_ERROR_CHARS]
    elif status == "failed" and attempt >= MAX_ATTEMPTS:
        status = "abandoned"
        values["last_error"] = f"gave up after {attempt} tries; last: {error}"[:MAX_ERROR_CHARS]
    elif status == "failed":
        values["next_attempt_at"] = next_try_at(attempt, now, rng, outcome.retry_after)
    values["status"] = status
    recorded = session.execute(
        update(Delivery)
        # Only the claim's own try: a row re-queued by an admin meanwhile keeps its new state.
        .where(Delivery.id == delivery.id, Delivery.attempts == attempt, Delivery.status.in_(WAITING))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if outcome.status == "gone" and recorded.rowcount == 1 and delivery.endpoint_id is not None:  # type: ignore[attr-defined]
        disable_endpoint(
            session, delivery.endpoint_id, f"the receiver answered 410 Gone on {now:%Y-%m-%d %H:%M} UTC"
        )
    session.commit()
    if status != "delivered":
        log.info("delivery %s (%s) try %d: %s, %s", delivery.id, delivery.event, attempt, status, error)
    return status
