"""Standard Webhooks signatures: each endpoint's ``whsec_`` secret signs what is sent to it.

``webhook-signature: v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">``,
keyed with the base64-decoded part of the secret after ``whsec_`` (standardwebhooks.com). The
timestamp is the moment of each try, so a receiver may refuse stale requests as the convention
asks; the id stays the same on every try of one delivery, for the receiver to deduplicate on.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from assess.models import Delivery, WebhookEndpoint
from assess.services.outbox import AuthUnavailable, register_auth

SECRET_PREFIX = "whsec_"
#: 32 random bytes: above the convention's minimum of 24.
SECRET_BYTES = 32
AUTH_PREFIX = "webhook"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value for one request."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def endpoint_auth(endpoint_id: int) -> str:
    """The outbox ``auth`` of a delivery to this endpoint."""
    return f"{AUTH_PREFIX}:{endpoint_id}"


def signed_headers(session: Session, suffix: str, delivery: Delivery, now: datetime) -> Mapping[str, str]:
    """The outbox's provider for ``webhook:<endpoint id>``: read the secret now, never store it."""
    endpoint = session.get(WebhookEndpoint, int(suffix))
    if endpoint is None:
        raise AuthUnavailable("not sent: its endpoint was deleted")
    if not endpoint.active:
        raise AuthUnavailable(f"not sent: its endpoint is disabled ({endpoint.disabled_reason})")
    timestamp = int(now.timestamp())
    return {
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(endpoint.secret, delivery.message_id, timestamp, delivery.body),
    }


register_auth(AUTH_PREFIX, signed_headers)
