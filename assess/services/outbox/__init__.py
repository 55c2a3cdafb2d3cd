"""The outbox: outbound requests written with the change they report, sent later, retried for a day.

``enqueue`` (``queue``) adds a ``Delivery`` to the caller's transaction, so the request exists
exactly when the change does: a process that dies after the commit loses nothing, and a
rolled-back change sends nothing. ``deliver_due`` (``delivery``; the sweep in every worker,
``assess webhooks deliver``) claims due rows (``claims``), sends each outside any transaction and
records the answer, scheduling the next try (``retries``). Delivery is at least once: receivers
deduplicate on ``webhook-id``, the row's ``message_id``. Secrets never enter a row: ``auth``
names the provider that adds them at send time (``auth``). ``admin`` holds the delivery log,
"send again" and disabling an endpoint.

This package's names are its interface; each lives in the one module that does its job.
"""

from assess.services.outbox.admin import DeliveryNotFound, disable_endpoint, recent_deliveries, send_again
from assess.services.outbox.auth import AuthProvider, AuthUnavailable, register_auth
from assess.services.outbox.claims import LEASE
from assess.services.outbox.delivery import DeliveryPass, deliver_due
from assess.services.outbox.queue import METHODS, SECRET_HEADERS, STATUSES, WAITING, enqueue
from assess.services.outbox.retries import (
    JITTER,
    MAX_ATTEMPTS,
    MAX_RETRY_AFTER,
    RETRY_DELAYS,
    next_try_at,
    retry_after,
)

__all__ = [
    "JITTER",
    "LEASE",
    "MAX_ATTEMPTS",
    "MAX_RETRY_AFTER",
    "METHODS",
    "RETRY_DELAYS",
    "SECRET_HEADERS",
    "STATUSES",
    "WAITING",
    "AuthProvider",
    "AuthUnavailable",
    "DeliveryNotFound",
    "DeliveryPass",
    "deliver_due",
    "disable_endpoint",
    "enqueue",
    "next_try_at",
    "recent_deliveries",
    "register_auth",
    "retry_after",
    "send_again",
]
