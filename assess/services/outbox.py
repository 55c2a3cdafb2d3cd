"""The outbox: outbound requests written with the change they report, sent later, retried for a day.

``enqueue`` adds a ``Delivery`` to the caller's transaction, so the request exists exactly when
the change does: a process that dies after the commit loses nothing, and a rolled-back change
sends nothing. ``deliver_due`` (the sweep in every worker, ``assess webhooks deliver``) claims
due rows, sends each outside any transaction and records the answer. Delivery is at least once:
receivers deduplicate on ``webhook-id``, the row's ``message_id``.

Secrets never enter a row. ``auth`` names a provider and its argument (``webhook:12``); the
provider registered for that prefix with ``register_auth`` turns it into headers at send time.
"""

from __future__ import annotations

import logging
import random
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Protocol

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from assess.clock import Clock
from assess.models import Delivery, StaffUser, WebhookEndpoint
from assess.services.outbound_http import Reply, SendFailed, send_request
from assess.services.outbound_urls import RefusedTarget, checked_target
from assess.services.staff import record_audit

log = logging.getLogger(__name__)

STATUSES = ("pending", "delivered", "failed", "abandoned")
#: Still to be sent: never tried yet, or tried and due again at ``next_attempt_at``.
WAITING = ("pending", "failed")
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
#: A claimed row is someone's for this long: longer than a send can take, so two workers never
#: send it at once, short enough that a worker that died mid-send hands it on soon.
LEASE = timedelta(seconds=60)
#: A receiver's Retry-After is honoured up to the longest wait of the schedule.
MAX_RETRY_AFTER = RETRY_DELAYS[-1]
METHODS = frozenset({"POST", "PUT", "PATCH"})
#: Headers that carry credentials belong to an auth provider, not to a stored row.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "webhook-signature"})
MAX_ERROR_CHARS = 500


class AuthProvider(Protocol):
    """Headers that authenticate ``delivery`` now, from ``suffix`` (what follows the prefix)."""

    def __call__(
        self, session: Session, suffix: str, delivery: Delivery, now: datetime
    ) -> Mapping[str, str]: ...


class AuthUnavailable(Exception):
    """The credential a delivery names is gone (endpoint deleted or disabled): never sendable."""


class DeliveryNotFound(LookupError):
    """No delivery in the outbox has that id."""


def _no_auth(session: Session, suffix: str, delivery: Delivery, now: datetime) -> Mapping[str, str]:
    return {}


_PROVIDERS: dict[str, AuthProvider] = {"none": _no_auth}


def register_auth(prefix: str, provider: AuthProvider) -> None:
    """Make ``prefix:<suffix>`` deliveries authenticated by ``provider`` in this process."""
    if not prefix or ":" in prefix:
        raise ValueError(f"an auth prefix is a word without ':', got {prefix!r}")
    known = _PROVIDERS.get(prefix)
    if known is not None and known is not provider:
        raise ValueError(f"the auth prefix {prefix!r} is already registered")
    _PROVIDERS[prefix] = provider


def enqueue(
    session: Session,
    *,
    url: str,
    body: bytes,
    event: str,
    auth: str,
    method: str = "POST",
    headers: Mapping[str, str] | None = None,
    allowed_hosts: frozenset[str] | None = None,
    endpoint_id: int | None = None,
    at: datetime,
) -> Delivery:
    """Add a delivery, due at once, to the caller's transaction; the caller commits it."""
    if method not in METHODS:
        raise ValueError(f"method {method!r}: the outbox sends {', '.join(sorted(METHODS))}")
    if auth.partition(":")[0] not in _PROVIDERS:
        raise ValueError(f"auth {auth!r}: no provider is registered for its prefix")
    stored_headers = dict(headers or {})
    secret = sorted(name for name in stored_headers if name.lower() in SECRET_HEADERS)
    if secret:
        raise ValueError(f"header(s) {', '.join(secret)} carry credentials: name them in auth instead")
    delivery = Delivery(
        message_id=f"msg_{secrets.token_urlsafe(18)}",
        event=event,
        url=url,
        method=method,
        body=body,
        headers=stored_headers,
        auth=auth,
        allowed_hosts=sorted(allowed_hosts) if allowed_hosts is not None else None,
        status="pending",
        attempts=0,
        next_attempt_at=at,
        last_error="",
        created_at=at,
        endpoint_id=endpoint_id,
    )
    session.add(delivery)
    session.flush()
    return delivery


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
    for delivery_id, attempt in _claim_due(session_factory, clock(), limit):
        summary.claimed += 1
        status = _deliver(session_factory, clock, delivery_id, attempt, allow_private_targets, rng)
        if status == "delivered":
            summary.delivered += 1
        elif status == "abandoned":
            summary.abandoned += 1
        else:
            summary.retrying += 1
    return summary


def _due(now: datetime) -> ColumnElement[bool]:
    # A process that cannot authenticate a row (its provider is registered elsewhere in the app,
    # e.g. not by the command line) leaves it, untried, to one that can.
    sendable = [Delivery.auth == prefix for prefix in _PROVIDERS] + [
        Delivery.auth.startswith(f"{prefix}:", autoescape=True) for prefix in _PROVIDERS
    ]
    return and_(Delivery.status.in_(WAITING), Delivery.next_attempt_at <= now, or_(*sendable))


def _claim_due(session_factory: sessionmaker[Session], now: datetime, limit: int) -> list[tuple[int, int]]:
    """(id, the try it is now) of each row this worker claimed; committed before any send."""
    with session_factory() as session:
        query = (
            select(Delivery.id, Delivery.attempts)
            .where(_due(now))
            .order_by(Delivery.next_attempt_at, Delivery.id)
            .limit(limit)
        )
        postgres = session.get_bind().dialect.name == "postgresql"
        if postgres:
            # Rows another worker is claiming are skipped, not waited for.
            query = query.with_for_update(skip_locked=True)
        found = session.execute(query).all()
        if not postgres:
            # SQLite cannot turn a read snapshot into a write once another writer committed;
            # the conditional UPDATEs below are the claim there.
            session.rollback()
        claimed = []
        for delivery_id, attempts in found:
            taken = session.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id, Delivery.attempts == attempts, _due(now))
                .values(attempts=attempts + 1, next_attempt_at=now + LEASE, last_attempt_at=now)
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                claimed.append((delivery_id, attempts + 1))
        session.commit()
    return claimed


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
    prefix, _, suffix = delivery.auth.partition(":")
    provider = _PROVIDERS[prefix]  # claimed only if registered (``_due``)
    try:
        headers = {**delivery.headers, **provider(session, suffix, delivery, now)}
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


def disable_endpoint(session: Session, endpoint_id: int, reason: str) -> None:
    """Stop an endpoint receiving and abandon what still waits for it; the caller commits."""
    session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id)
        .values(active=False, disabled_reason=reason)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Delivery)
        .where(Delivery.endpoint_id == endpoint_id, Delivery.status.in_(WAITING))
        .values(
            status="abandoned", next_attempt_at=None, last_error=f"not sent: endpoint disabled ({reason})"
        )
        .execution_options(synchronize_session=False)
    )


def recent_deliveries(session: Session, limit: int = 100) -> list[Delivery]:
    """The latest deliveries, newest first, for the delivery log."""
    return list(session.scalars(select(Delivery).order_by(Delivery.id.desc()).limit(limit)))


def send_again(session: Session, delivery_id: int, actor: StaffUser | None, now: datetime) -> Delivery:
    """Queue a delivery for a fresh series of tries, with the same ``webhook-id``; committed, audited.

    Refused (``ValueError``) while its endpoint is disabled: the receiver asked us to stop or
    an admin did, and enabling it again is the deliberate step.
    """
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        raise DeliveryNotFound(f"no delivery {delivery_id}")
    if delivery.endpoint_id is not None:
        endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
        if endpoint is not None and not endpoint.active:
            raise ValueError("its endpoint is disabled: enable the endpoint first, then send again")
    delivery.status = "pending"
    delivery.attempts = 0
    delivery.next_attempt_at = now
    delivery.delivered_at = None
    record_audit(
        session,
        actor,
        "delivery.send_again",
        "delivery",
        delivery.id,
        {"event": delivery.event, "url": delivery.url, "message_id": delivery.message_id},
        now,
    )
    session.commit()
    return delivery
