"""The outbox sends signed webhooks to a real receiver: retries, back-off, Retry-After, 410, SSRF."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from webhook_receiver import Receiver, running_receiver, verify

from assess.models import Delivery, WebhookEndpoint
from assess.services.app_keys import database_of, register_secret_key
from assess.services.domain_events import publish
from assess.services.outbox import (
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    DeliveryPass,
    deliver_due,
    enqueue,
    retry_after,
    send_again,
)
from assess.services.webhooks import EndpointInvalid, create_endpoint
from assess.sweep import DELIVERY_BATCH, DeadlineSweep

if TYPE_CHECKING:
    from conftest import ControllableClock


#: The integration tests' SECRET_KEY (their ``settings``).
SECRET_KEY = "integration-tests-only"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


def endpoint(
    session_factory: sessionmaker[Session], url: str, clock: ControllableClock, *events: str
) -> tuple[int, str]:
    with session_factory() as session:
        # As the app does at start: the sweep opens the sealed secret with this key.
        register_secret_key(database_of(session), SECRET_KEY)
        made, secret = create_endpoint(
            session,
            url,
            events or ("attempt.finalized",),
            None,
            clock(),
            allow_private=True,
            secret_key=SECRET_KEY,
        )
        return made.id, secret


def facts(attempt_id: int) -> dict[str, int]:
    """An attempt event's ids, as listeners (the ATS integrations) expect them."""
    return {"attempt_id": attempt_id, "invitation_id": attempt_id}


def announce(session_factory: sessionmaker[Session], clock: ControllableClock, attempt_id: int = 7) -> None:
    with session_factory() as session:
        publish(session, "attempt.finalized", facts(attempt_id), at=clock())
        session.commit()


def deliver(session_factory: sessionmaker[Session], clock: ControllableClock) -> DeliveryPass:
    return deliver_due(session_factory, clock, limit=50, allow_private_targets=True, rng=random.Random(4))


def only_delivery(session_factory: sessionmaker[Session]) -> Delivery:
    with session_factory() as session:
        return session.scalars(select(Delivery)).one()


def test_an_event_reaches_its_subscribers_signed_once_and_nobody_else(
    session_factory: sessionmaker[Session], receiver: Receiver, clock: ControllableClock
) -> None:
    _, secret = endpoint(session_factory, receiver.url, clock, "attempt.finalized")
    endpoint(session_factory, receiver.url + "/other", clock, "decision.recorded")
    announce(session_factory, clock)

    summary = deliver(session_factory, clock)
    assert (summary.claimed, summary.delivered) == (1, 1)
    assert deliver(session_factory, clock).claimed == 0
    [request] = receiver.received
    assert request.method == "POST" and request.path == "/hooks/assess"
    assert request.headers["content-type"] == "application/json"
    payload = verify(secret, request.headers, request.body, int(clock().timestamp()))
    assert payload["type"] == "attempt.finalized" and payload["data"] == facts(7)
    assert payload["timestamp"].endswith("Z")
    delivery = only_delivery(session_factory)
    assert request.headers["webhook-id"] == delivery.message_id
    assert (delivery.status, delivery.attempts, delivery.last_status) == ("delivered", 1, 200)
    assert delivery.delivered_at == clock() and delivery.next_attempt_at is None
    # Secrets are read at send time, never copied into the row.
    assert secret not in repr(delivery.headers) and delivery.auth == f"webhook:{delivery.endpoint_id}"


def test_an_event_whose_change_rolls_back_sends_nothing(
    session_factory: sessionmaker[Session], receiver: Receiver, clock: ControllableClock
) -> None:
    endpoint(session_factory, receiver.url, clock)
    with session_factory() as session:
        publish(session, "attempt.finalized", facts(1), at=clock())
        session.rollback()
    assert deliver(session_factory, clock).claimed == 0 and receiver.received == []


def test_a_receiver_failing_three_times_gets_the_fourth_try_after_growing_waits(
    session_factory: sessionmaker[Session], receiver: Receiver, clock: ControllableClock
) -> None:
    _, secret = endpoint(session_factory, receiver.url, clock)
    receiver.reply_with(500, times=3)
    announce(session_factory, clock)

    waits = []
    for tries in (1, 2, 3):
        tried_at = clock()
        assert deliver(session_factory, clock).retrying == 1
        delivery = only_delivery(session_factory)
        assert (delivery.status, delivery.attempts, delivery.last_status) == ("failed", tries, 500)
        assert delivery.last_error.startswith("HTTP 500")
        assert delivery.next_attempt_at is not None
        wait = delivery.next_attempt_at - tried_at
        # The schedule, stretched by at most 10 % of jitter.
        assert RETRY_DELAYS[tries - 1] <= wait <= RETRY_DELAYS[tries - 1] * 1.1
        waits.append(wait)
        clock.advance(seconds=wait.total_seconds() - 1)
        assert deliver(session_factory, clock).claimed == 0, "not due before its time"
        clock.advance(seconds=1)
    assert waits == sorted(waits)

    assert deliver(session_factory, clock).delivered == 1
    delivery = only_delivery(session_factory)
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 4, "")
    assert len(receiver.received) == 4
    assert len({request.headers["webhook-id"] for request in receiver.received}) == 1
    for request in receiver.received:
        verify(secret, request.headers, request.body, int(request.headers["webhook-timestamp"]))
    assert receiver.received[-1].headers["webhook-timestamp"] == str(int(clock().timestamp()))


def test_retry_after_is_honoured_over_a_shorter_scheduled_wait(
    session_factory: sessionmaker[Session], receiver: Receiver, clock: ControllableClock
) -> None:
    endpoint(session_factory, receiver.url, clock)
    receiver.reply_with(429, {"Retry-After": "120"})
    announce(session_factory, clock)
    tried_at = clock()
    deliver(session_factory, clock)
    delivery = only_delivery(session_factory)
    assert delivery.status == "failed" and delivery.next_attempt_at == tried_at + timedelta(seconds=120)
    clock.advance(seconds=60)
    assert deliver(session_factory, clock).claimed == 0
    clock.advance(seconds=60)
    assert deliver(session_factory, clock).delivered == 1


def test_retry_after_as_an_http_date_is_read_and_capped_at_a_day(clock: ControllableClock) -> None:
    in_ten_minutes = (clock() + timedelta(minutes=10)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert retry_after(in_ten_minutes, clock()) == timedelta(minutes=10)
    assert retry_after("9999999", clock()) == timedelta(hours=24)
    assert retry_after("soon", clock()) is None


def test_410_disables_the_endpoint_and_abandons_what_waits_for_it(
    session_factory: sessionmaker[Session], receiver: Receiver, clock: ControllableClock
) -> None:
    endpoint_id, _ = endpoint(session_factory, receiver.url, clock)
    receiver.reply_with(410)
    announce(session_factory, clock, 1)
    clock.advance(seconds=1)
    announce(session_factory, clock, 2)

    summary = deliver_due(session_factory, clock, limit=1, allow_private_targets=True)
    assert summary.abandoned == 1
    with session_factory() as session:
        gone = session.get_one(WebhookEndpoint, endpoint_id)
        assert not gone.active and "410 Gone" in gone.disabled_reason
        first, second = session.scalars(select(Delivery).order_by(Delivery.id)).all()
        assert first.status == "abandoned" and "gone" in first.last_error
        assert second.status == "abandoned" and "endpoint disabled" in second.last_error
    announce(session_factory, clock, 3)
    assert deliver(session_factory, clock).claimed == 0 and len(receiver.received) == 1
    with session_factory() as session, pytest.raises(ValueError, match="enable the endpoint first"):
        send_again(session, first.id, None, clock())


def test_after_the_last_try_a_delivery_is_abandoned_visibly_and_can_be_sent_again(
    session_factory: sessionmaker[Session], receiver: Receiver, clock: ControllableClock
) -> None:
    endpoint(session_factory, receiver.url, clock)
    receiver.reply_with(503, times=MAX_ATTEMPTS)
    announce(session_factory, clock)
    for _ in range(MAX_ATTEMPTS):
        deliver(session_factory, clock)
        clock.advance(minutes=27 * 60)
    delivery = only_delivery(session_factory)
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("abandoned", MAX_ATTEMPTS, None)
    assert delivery.last_error.startswith(f"gave up after {MAX_ATTEMPTS} tries; last: HTTP 503")
    assert deliver(session_factory, clock).claimed == 0

    with session_factory() as session:
        send_again(session, delivery.id, None, clock())
    assert deliver(session_factory, clock).delivered == 1
    again = only_delivery(session_factory)
    assert (again.status, again.attempts, again.message_id) == ("delivered", 1, delivery.message_id)


def test_redirects_are_not_followed(
    session_factory: sessionmaker[Session], receiver: Receiver, clock: ControllableClock
) -> None:
    endpoint(session_factory, receiver.url, clock)
    receiver.reply_with(302, {"Location": "http://169.254.169.254/latest/meta-data"})
    announce(session_factory, clock)
    deliver(session_factory, clock)
    delivery = only_delivery(session_factory)
    assert delivery.status == "failed" and "redirects are not followed" in delivery.last_error
    assert len(receiver.received) == 1


def test_private_targets_are_refused_at_registration_and_at_send_time_unless_allowed(
    session_factory: sessionmaker[Session], receiver: Receiver, clock: ControllableClock
) -> None:
    with session_factory() as session:
        for url in ("http://127.0.0.1:9/hook", "http://10.0.0.8/hook", "http://169.254.169.254/latest"):
            with pytest.raises(EndpointInvalid, match="ALLOW_PRIVATE_WEBHOOK_TARGETS") as refused:
                create_endpoint(
                    session,
                    url,
                    ["attempt.finalized"],
                    None,
                    clock(),
                    allow_private=False,
                    secret_key=SECRET_KEY,
                )
            assert refused.value.field == "url"
        assert session.scalars(select(WebhookEndpoint)).all() == []
    # Registered while allowed; the setting is checked again at each send.
    endpoint(session_factory, receiver.url, clock)
    announce(session_factory, clock)
    summary = deliver_due(session_factory, clock, limit=10, allow_private_targets=False)
    assert summary.retrying == 1 and receiver.received == []
    delivery = only_delivery(session_factory)
    assert "127.0.0.1, a loopback address" in delivery.last_error


def test_allowed_hosts_keep_a_delivery_from_any_other_host(
    session_factory: sessionmaker[Session], receiver: Receiver, clock: ControllableClock
) -> None:
    with session_factory() as session:
        enqueue(
            session,
            url=receiver.url,
            body=b"{}",
            event="attempt.graded",
            auth="none",
            method="PATCH",
            allowed_hosts=frozenset({"app.greenhouse.io"}),
            at=clock(),
        )
        session.commit()
    deliver(session_factory, clock)
    assert receiver.received == []
    assert "not one this delivery may go to" in only_delivery(session_factory).last_error


def test_credentials_never_enter_an_outbox_row(session: Session, clock: ControllableClock) -> None:
    with pytest.raises(ValueError, match="Authorization carry credentials"):
        enqueue(
            session,
            url="https://x.example/",
            body=b"",
            event="e",
            auth="none",
            headers={"Authorization": "Basic c2VjcmV0"},
            at=clock(),
        )
    with pytest.raises(ValueError, match="no provider"):
        enqueue(session, url="https://x.example/", body=b"", event="e", auth="nobody:1", at=clock())


def test_workers_delivering_at_once_send_each_delivery_once(
    session_factory: sessionmaker[Session], receiver: Receiver, clock: ControllableClock
) -> None:
    endpoint(session_factory, receiver.url, clock)
    for attempt_id in range(12):
        announce(session_factory, clock, attempt_id)
    workers = [
        threading.Thread(
            target=deliver_due, args=(session_factory, clock), kwargs={"allow_private_targets": True}
        )
        for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    ids = sorted(request.json()["data"]["attempt_id"] for request in receiver.received)
    assert ids == list(range(12))
    with session_factory() as session:
        assert {d.status for d in session.scalars(select(Delivery))} == {"delivered"}


PUBLISH_THEN_DIE = textwrap.dedent(
    """
    import os, sys
    from datetime import datetime
    from assess.db import make_engine, make_session_factory
    from assess.services.domain_events import publish

    engine = make_engine(sys.argv[1])
    with make_session_factory(engine)() as session:
        at = datetime.fromisoformat(sys.argv[2])
        publish(session, "attempt.finalized", {"attempt_id": 99, "invitation_id": 99}, at=at)
        session.commit()
    print("committed", flush=True)
    # Killed after the commit, before any delivery: nothing runs after this line.
    os._exit(75)
    """
)
#: The status PUBLISH_THEN_DIE exits with, told apart from a crash's 1.
KILLED = 75


def test_a_process_killed_after_the_commit_still_has_its_event_delivered_once(
    database_url: str,
    session_factory: sessionmaker[Session],
    receiver: Receiver,
    clock: ControllableClock,
) -> None:
    _, secret = endpoint(session_factory, receiver.url, clock)
    died = subprocess.run(
        [
            sys.executable,
            "-c",
            PUBLISH_THEN_DIE,
            database_url,
            clock().isoformat(),
        ],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        capture_output=True,
        timeout=60,
    )
    assert (died.returncode, died.stdout) == (KILLED, b"committed\n"), died.stderr.decode()
    assert receiver.received == []

    assert deliver(session_factory, clock).delivered == 1
    assert deliver(session_factory, clock).claimed == 0
    [request] = receiver.received
    payload = verify(secret, request.headers, request.body, int(clock().timestamp()))
    assert payload["data"] == facts(99)


def test_one_sweep_round_drains_a_backlog_batch_after_batch(
    session_factory: sessionmaker[Session], receiver: Receiver, clock: ControllableClock
) -> None:
    endpoint(session_factory, receiver.url, clock)
    backlog = DELIVERY_BATCH * 2 + 5
    for attempt_id in range(backlog):
        announce(session_factory, clock, attempt_id)
    sweep = DeadlineSweep(session_factory, clock, 30, 60, allow_private_targets=True)
    sent = sweep.deliver_once()
    assert (sent.claimed, sent.delivered) == (backlog, backlog)
    assert len(receiver.received) == backlog


def test_a_process_that_cannot_authenticate_a_delivery_leaves_it_untried(
    session_factory: sessionmaker[Session], receiver: Receiver, clock: ControllableClock
) -> None:
    with session_factory() as session:
        # As another part of the app would queue it, with a provider this process never registered.
        elsewhere = enqueue(session, url=receiver.url, body=b"{}", event="e", auth="none", at=clock())
        elsewhere.auth = "elsewhere:1"
        session.commit()
    assert deliver(session_factory, clock).claimed == 0
    left = only_delivery(session_factory)
    assert (left.status, left.attempts, left.last_error) == ("pending", 0, "") and receiver.received == []
