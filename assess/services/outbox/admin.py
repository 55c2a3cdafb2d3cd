"""What admins do with the outbox: read the delivery log, send a delivery again, stop an endpoint."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assess.models import Delivery, StaffUser, WebhookEndpoint
from assess.services.outbox.queue import WAITING
from assess.services.staff import record_audit


class DeliveryNotFound(LookupError):
    """No delivery in the outbox has that id."""


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
