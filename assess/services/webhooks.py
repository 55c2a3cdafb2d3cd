"""Webhook endpoints: registered by an admin (secret shown once), rotated, disabled, enabled, deleted.

Secrets are stored sealed (``webhook_secrets``); every write of an endpoint also seals a secret
an older version stored in clear, so such rows disappear as endpoints are used.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assess.models import Delivery, StaffUser, WebhookEndpoint
from assess.services.domain_events import EVENTS
from assess.services.outbound_urls import RefusedTarget, checked_target
from assess.services.outbox import WAITING, disable_endpoint
from assess.services.staff import record_audit
from assess.services.webhook_secrets import SecretUnopenable, new_secret, seal, sealed_for_storing, unseal

#: How long the secret before a rotation keeps signing beside the new one, for the receiver to
#: be given the new secret without missing or refusing a delivery.
ROTATION_OVERLAP = timedelta(hours=24)


class EndpointInvalid(ValueError):
    """An endpoint that cannot be registered as asked; ``field`` names what to correct."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field


class EndpointNotFound(LookupError):
    """No webhook endpoint has that id."""


def checked_events(events: Iterable[str]) -> list[str]:
    """The events in ``EVENTS`` order; ``EndpointInvalid`` for none or an unknown one."""
    chosen = set(events)
    unknown = sorted(chosen - set(EVENTS))
    if unknown or not chosen:
        what = f"unknown event(s) {', '.join(unknown)}" if unknown else "no event"
        raise EndpointInvalid("events", f"{what}; choose from {', '.join(EVENTS)}")
    return [event for event in EVENTS if event in chosen]


def create_endpoint(
    session: Session,
    url: str,
    events: Iterable[str],
    actor: StaffUser | None,
    now: datetime,
    *,
    allow_private: bool,
    secret_key: str,
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret, returned for showing once; committed and audited.

    The URL is checked as every send will check it again (``outbound_urls``).
    """
    url = url.strip()
    try:
        checked_target(url, allow_private=allow_private)
    except RefusedTarget as exc:
        raise EndpointInvalid("url", str(exc)) from None
    chosen = checked_events(events)
    secret = new_secret()
    endpoint = WebhookEndpoint(
        url=url,
        events=chosen,
        secret=seal(secret_key, secret),
        active=True,
        disabled_reason="",
        created_by_id=actor.id if actor is not None else None,
        created_at=now,
    )
    session.add(endpoint)
    session.flush()
    record_audit(
        session, actor, "webhook.create", "webhook", endpoint.id, {"url": url, "events": chosen}, now
    )
    session.commit()
    return endpoint, secret


def endpoints(session: Session) -> list[WebhookEndpoint]:
    """Every endpoint, the active ones first, newest first."""
    return list(
        session.scalars(
            select(WebhookEndpoint).order_by(WebhookEndpoint.active.desc(), WebhookEndpoint.id.desc())
        )
    )


def _endpoint(session: Session, endpoint_id: int) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise EndpointNotFound(f"no webhook endpoint {endpoint_id}")
    return endpoint


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def _seal_clear_secrets(endpoint: WebhookEndpoint, secret_key: str) -> None:
    endpoint.secret = sealed_for_storing(secret_key, endpoint.secret)
    if endpoint.previous_secret:
        endpoint.previous_secret = sealed_for_storing(secret_key, endpoint.previous_secret)


def rotate_secret(
    session: Session, endpoint_id: int, actor: StaffUser | None, now: datetime, *, secret_key: str
) -> tuple[WebhookEndpoint, str]:
    """A new signing secret, returned for showing once; committed and audited.

    The secret it replaces keeps signing beside it for ``ROTATION_OVERLAP``; a second rotation
    within that time retires the oldest at once, so at most two secrets ever sign.
    """
    endpoint = _endpoint(session, endpoint_id)
    secret = new_secret()
    try:
        unseal(secret_key, endpoint.secret)
    except SecretUnopenable:
        # Sealed under a SECRET_KEY since changed: nothing can sign with it, so it cannot overlap.
        endpoint.previous_secret, endpoint.previous_secret_expires_at = None, None
    else:
        endpoint.previous_secret = sealed_for_storing(secret_key, endpoint.secret)
        endpoint.previous_secret_expires_at = now + ROTATION_OVERLAP
    endpoint.secret = seal(secret_key, secret)
    record_audit(
        session,
        actor,
        "webhook.rotate_secret",
        "webhook",
        endpoint_id,
        {"url": endpoint.url, "previous_secret_until": _iso(endpoint.previous_secret_expires_at)},
        now,
    )
    session.commit()
    return endpoint, secret


def set_endpoint_active(
    session: Session,
    endpoint_id: int,
    active: bool,
    actor: StaffUser | None,
    now: datetime,
    *,
    secret_key: str,
) -> WebhookEndpoint:
    """Enable or disable an endpoint; disabling abandons what still waits to be sent to it."""
    endpoint = _endpoint(session, endpoint_id)
    _seal_clear_secrets(endpoint, secret_key)
    if endpoint.active != active:
        if active:
            endpoint.active, endpoint.disabled_reason = True, ""
        else:
            who = actor.name or actor.email if actor is not None else "the command line"
            disable_endpoint(session, endpoint_id, f"disabled by {who} on {now:%Y-%m-%d %H:%M} UTC")
        action = "webhook.enable" if active else "webhook.disable"
        record_audit(session, actor, action, "webhook", endpoint_id, {"url": endpoint.url}, now)
    session.commit()
    session.refresh(endpoint)
    return endpoint


def delete_endpoint(session: Session, endpoint_id: int, actor: StaffUser | None, now: datetime) -> str:
    """Delete an endpoint, returning its URL; its deliveries stay in the log, unsent ones abandoned."""
    endpoint = _endpoint(session, endpoint_id)
    url = endpoint.url
    session.execute(
        update(Delivery)
        .where(Delivery.endpoint_id == endpoint_id, Delivery.status.in_(WAITING))
        .values(status="abandoned", next_attempt_at=None, last_error="not sent: its endpoint was deleted")
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Delivery)
        .where(Delivery.endpoint_id == endpoint_id)
        .values(endpoint_id=None)
        .execution_options(synchronize_session=False)
    )
    session.delete(endpoint)
    record_audit(session, actor, "webhook.delete", "webhook", endpoint_id, {"url": url}, now)
    session.commit()
    return url
