"""Greenhouse orders (``send_test``) and the completion PATCH we owe it.

Greenhouse sends no idempotency key with ``send_test``; the trailing id of its callback ``url``
names the take-home test, so it is the order's reference: a retried or double-clicked send
answers the same ``partner_interview_id`` and invites once.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from assess.models.ats import AtsAssessment, AtsConnection
from assess.services.ats_orders import Order, offered_campaign, place_order
from assess.services.outbox import enqueue
from items.bank import Catalogue

#: Where Greenhouse's callback URLs point (config GREENHOUSE_ALLOWED_HOSTS).
DEFAULT_ALLOWED_HOSTS = frozenset({"app.greenhouse.io"})
#: The outbox's auth prefix: Basic with the connection's own key, as Greenhouse's calls to us.
AUTH_PREFIX = "greenhouse"


class CallbackRefused(ValueError):
    """A callback URL we will not call: not Greenhouse's, or naming no test."""


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def checked_callback(url: str, allowed_hosts: frozenset[str]) -> str:
    """The take-home test id at the end of ``url``, if we may PATCH it; ``CallbackRefused`` else.

    The URL comes from the request body: only Greenhouse's hosts, and only over https (a loopback
    host, which only a test allows, may use http), or a forged order could aim our authenticated
    request anywhere (SSRF).
    """
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018  (reading it checks it is a number)
    except ValueError as exc:
        raise CallbackRefused(f"cannot be read as a URL ({exc})") from None
    host = (parts.hostname or "").lower()
    if host not in {name.lower() for name in allowed_hosts}:
        raise CallbackRefused(
            f"the host {host or '(none)'!r} is not Greenhouse's ({', '.join(sorted(allowed_hosts))})"
        )
    if parts.scheme != "https" and not (parts.scheme == "http" and _is_loopback(host)):
        raise CallbackRefused("must start with https://")
    if parts.username is not None or parts.password is not None:
        raise CallbackRefused("must not carry a user name or password")
    test_id = parts.path.rstrip("/").rpartition("/")[2]
    if not test_id:
        raise CallbackRefused("names no take-home test: its path should end with the test's id")
    return test_id


def send_test(
    session: Session,
    connection: AtsConnection,
    partner_test_id: str,
    email: str,
    name: str,
    callback_url: str,
    allowed_hosts: frozenset[str],
    public_url: str,
    file_catalogue: Catalogue,
    now: datetime,
) -> AtsAssessment:
    """Invite the candidate to the test (once per callback URL) and email them the link."""
    test_id = checked_callback(callback_url, allowed_hosts)
    campaign = offered_campaign(session, connection, partner_test_id)
    order = Order(
        connection=connection,
        campaign=campaign,
        order_ref=f"take_home_test:{test_id}",
        email=email,
        name=name,
        callback_url=callback_url.strip(),
    )
    return place_order(session, order, public_url, file_catalogue, now)


def enqueue_completion(session: Session, assessment: AtsAssessment, event: str, now: datetime) -> None:
    """Queue Greenhouse's "Mark Test as Completed" PATCH (no body); Greenhouse then reads test_status.

    Only to the callback's own host, which was checked when the order came.
    """
    enqueue(
        session,
        url=assessment.callback_url,
        body=b"",
        event=f"greenhouse.{event}",
        auth=f"{AUTH_PREFIX}:{assessment.connection_id}",
        method="PATCH",
        allowed_hosts=frozenset({(urlsplit(assessment.callback_url).hostname or "").lower()}),
        at=now,
    )
