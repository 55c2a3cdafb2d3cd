"""Standard Webhooks signatures: each endpoint's ``whsec_`` secret signs what is sent to it.

``webhook-signature: v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">``,
keyed with the base64-decoded part of the secret after ``whsec_`` (standardwebhooks.com). The
timestamp is the moment of each try, so a receiver may refuse stale requests as the convention
asks; the id stays the same on every try of one delivery, for the receiver to deduplicate on.

For a day after a rotation the header carries two signatures, space separated, the new
secret's then the old one's, as the convention allows: a receiver still holding the old secret
verifies, and so does one already given the new.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from assess.models import Delivery, WebhookEndpoint
from assess.services.app_keys import secret_key_for
from assess.services.outbox import AuthUnavailable, register_auth
from assess.services.webhook_secrets import SECRET_PREFIX, SecretUnopenable, unseal

AUTH_PREFIX = "webhook"


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """One ``v1,`` signature of a request, with one secret."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signing_secrets(endpoint: WebhookEndpoint, secret_key: str, now: datetime) -> list[str]:
    """The secrets that sign for ``endpoint`` at ``now``: its own, and the previous one until it expires."""
    stored = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and now < expires:
        stored.append(endpoint.previous_secret)
    return [unseal(secret_key, value) for value in stored]


def endpoint_auth(endpoint_id: int) -> str:
    """The outbox ``auth`` of a delivery to this endpoint."""
    return f"{AUTH_PREFIX}:{endpoint_id}"


def signed_headers(session: Session, suffix: str, delivery: Delivery, now: datetime) -> Mapping[str, str]:
    """The outbox's provider for ``webhook:<endpoint id>``: open the secrets now, never store them."""
    endpoint = session.get(WebhookEndpoint, int(suffix))
    if endpoint is None:
        raise AuthUnavailable("not sent: its endpoint was deleted")
    if not endpoint.active:
        raise AuthUnavailable(f"not sent: its endpoint is disabled ({endpoint.disabled_reason})")
    secret_key = secret_key_for(session)
    if secret_key is None:
        raise AuthUnavailable("not sent: this process has no SECRET_KEY for the webhooks of this database")
    try:
        secrets = signing_secrets(endpoint, secret_key, now)
    except SecretUnopenable as exc:
        raise AuthUnavailable(f"not sent: {exc}") from None
    timestamp = int(now.timestamp())
    return {
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            sign(secret, delivery.message_id, timestamp, delivery.body) for secret in secrets
        ),
    }


register_auth(AUTH_PREFIX, signed_headers)
