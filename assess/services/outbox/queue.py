"""Writing a delivery into the caller's transaction, so the request exists exactly when the change does."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from assess.models import Delivery
from assess.services.outbox.auth import registered_prefixes

STATUSES = ("pending", "delivered", "failed", "abandoned")
#: Still to be sent: never tried yet, or tried and due again at ``next_attempt_at``.
WAITING = ("pending", "failed")
METHODS = frozenset({"POST", "PUT", "PATCH"})
#: Headers that carry credentials belong to an auth provider, not to a stored row.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "webhook-signature"})


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
    if auth.partition(":")[0] not in registered_prefixes():
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
