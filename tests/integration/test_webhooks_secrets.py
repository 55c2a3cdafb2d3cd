"""Webhook secrets are stored sealed, rows from before sealing still sign, and a rotation overlaps a day."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from staff_client import StaffClient, csrf_token
from webhook_receiver import InvalidSignature, Receiver, running_receiver, verify

from assess.cli import main
from assess.models import AuditEntry, Delivery, WebhookEndpoint
from assess.services.app_keys import database_of, register_secret_key
from assess.services.domain_events import publish
from assess.services.outbox import DeliveryPass, deliver_due, send_again
from assess.services.webhook_secrets import new_secret, seal, unseal
from assess.services.webhooks import ROTATION_OVERLAP, create_endpoint, rotate_secret, set_endpoint_active

if TYPE_CHECKING:
    from conftest import ControllableClock

#: The integration tests' SECRET_KEY (their ``settings``).
SECRET_KEY = "integration-tests-only"
PAGE = "/staff/webhooks"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


@pytest.fixture
def endpoint_id(session_factory: sessionmaker[Session], receiver: Receiver, clock: ControllableClock) -> int:
    with session_factory() as session:
        register_secret_key(database_of(session), SECRET_KEY)
        made, _ = create_endpoint(
            session,
            receiver.url,
            ["decision.recorded"],
            None,
            clock(),
            allow_private=True,
            secret_key=SECRET_KEY,
        )
        return made.id


def announce_and_deliver(session_factory: sessionmaker[Session], clock: ControllableClock) -> DeliveryPass:
    with session_factory() as session:
        publish(session, "decision.recorded", {"decision_id": 1}, at=clock())
        session.commit()
    return deliver_due(session_factory, clock, allow_private_targets=True, rng=random.Random(2))


def stored(session_factory: sessionmaker[Session], endpoint_id: int) -> WebhookEndpoint:
    with session_factory() as session:
        return session.get_one(WebhookEndpoint, endpoint_id)


def test_a_sealed_secret_fits_its_column_with_room_and_opens_only_with_its_key() -> None:
    for _ in range(20):
        secret = new_secret()
        sealed = seal(SECRET_KEY, secret)
        assert sealed.startswith("v1:") and len(sealed) <= 90, "String(100), with room to spare"
        assert secret.removeprefix("whsec_") not in sealed
        assert unseal(SECRET_KEY, sealed) == secret
    with pytest.raises(Exception, match="was SECRET_KEY changed"):
        unseal("another key", sealed)


def test_the_secret_is_stored_sealed_and_still_signs_what_the_receiver_verifies(
    admin: StaffClient, receiver: Receiver, session_factory: sessionmaker[Session], clock: ControllableClock
) -> None:
    page = admin.post(
        PAGE,
        data={"csrf_token": csrf_token(admin, PAGE), "url": receiver.url, "events": ["decision.recorded"]},
    ).get_data(as_text=True)
    secret = page.split('aria-label="The new signing secret">', 1)[1].split("<", 1)[0]
    with session_factory() as session:
        (row,) = session.scalars(select(WebhookEndpoint))
    assert row.secret.startswith("v1:") and secret not in row.secret
    assert announce_and_deliver(session_factory, clock).delivered == 1
    (request,) = receiver.received
    verify(secret, request.headers, request.body, int(clock().timestamp()))


def test_a_secret_stored_in_clear_before_sealing_still_signs_and_is_sealed_when_the_endpoint_is_written(
    endpoint_id: int, receiver: Receiver, session_factory: sessionmaker[Session], clock: ControllableClock
) -> None:
    old = new_secret()
    with session_factory() as session:
        session.execute(update(WebhookEndpoint).values(secret=old))
        session.commit()
    assert announce_and_deliver(session_factory, clock).delivered == 1
    verify(old, receiver.received[0].headers, receiver.received[0].body, int(clock().timestamp()))

    with session_factory() as session:
        set_endpoint_active(session, endpoint_id, True, None, clock(), secret_key=SECRET_KEY)
    sealed = stored(session_factory, endpoint_id).secret
    assert sealed.startswith("v1:") and unseal(SECRET_KEY, sealed) == old


def test_a_changed_secret_key_is_said_in_the_delivery_log_and_a_rotation_sends_again(
    endpoint_id: int, receiver: Receiver, session_factory: sessionmaker[Session], clock: ControllableClock
) -> None:
    with session_factory() as session:
        database = database_of(session)
    changed = "a key that sealed nothing"
    register_secret_key(database, changed)
    try:
        sent = announce_and_deliver(session_factory, clock)
        with session_factory() as session:
            (delivery,) = session.scalars(select(Delivery))
            assert delivery.last_error == "not sent: the secret cannot be opened: was SECRET_KEY changed?"
            # The way out: a new secret, with no overlap, since the old one can sign nothing.
            _, new = rotate_secret(session, endpoint_id, None, clock(), secret_key=changed)
        assert stored(session_factory, endpoint_id).previous_secret is None
        with session_factory() as session:
            send_again(session, delivery.id, None, clock())
        assert deliver_due(session_factory, clock, allow_private_targets=True).delivered == 1
    finally:
        register_secret_key(database, SECRET_KEY)
    assert (sent.claimed, sent.abandoned) == (1, 1)
    (request,) = receiver.received
    verify(new, request.headers, request.body, int(clock().timestamp()))


def test_after_a_rotation_old_and_new_secrets_both_verify_for_a_day_then_only_the_new(
    endpoint_id: int, receiver: Receiver, session_factory: sessionmaker[Session], clock: ControllableClock
) -> None:
    with session_factory() as session:
        endpoint = session.get_one(WebhookEndpoint, endpoint_id)
        old = unseal(SECRET_KEY, endpoint.secret)
        _, new = rotate_secret(session, endpoint_id, None, clock(), secret_key=SECRET_KEY)
    assert new != old
    row = stored(session_factory, endpoint_id)
    assert row.secret.startswith("v1:") and row.previous_secret and row.previous_secret.startswith("v1:")

    assert announce_and_deliver(session_factory, clock).delivered == 1
    (during,) = receiver.received
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    now = int(clock().timestamp())
    # Two receivers: one not yet given the new secret, one already given it.
    assert verify(old, during.headers, during.body, now) == verify(new, during.headers, during.body, now)

    clock.advance(minutes=int(ROTATION_OVERLAP.total_seconds() // 60) + 1)
    assert announce_and_deliver(session_factory, clock).delivered == 1
    after = receiver.received[1]
    now = int(clock().timestamp())
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    verify(new, after.headers, after.body, now)
    with pytest.raises(InvalidSignature):
        verify(old, after.headers, after.body, now)


def test_an_admin_rotates_on_the_page_and_the_command_line_each_new_secret_shown_once_and_audited(
    app: Flask,
    admin: StaffClient,
    endpoint_id: int,
    receiver: Receiver,
    session_factory: sessionmaker[Session],
    clock: ControllableClock,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    listing = admin.get(PAGE).get_data(as_text=True)
    assert f'aria-label="Rotate the secret of endpoint {endpoint_id}, {receiver.url}"' in listing
    rotate = f"{PAGE}/{endpoint_id}/rotate"
    page = admin.post(rotate, data={"csrf_token": csrf_token(admin, PAGE)}).get_data(as_text=True)
    from_page = page.split('aria-label="The new signing secret">', 1)[1].split("<", 1)[0]
    assert from_page.startswith("whsec_") and "both the old and the new secret" in page
    listing = admin.get(PAGE).get_data(as_text=True)
    assert from_page not in listing and "the previous secret signs too until" in listing
    assert admin.post(f"{PAGE}/999/rotate", data={"csrf_token": csrf_token(admin, PAGE)}).status_code == 404

    monkeypatch.chdir(tmp_path)
    env = {"DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY}

    def cli(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    rotated = cli("webhooks", "rotate", str(endpoint_id))
    assert rotated.exit_code == 0, rotated.output
    from_cli = next(line for line in rotated.output.splitlines() if line.startswith("whsec_"))
    assert "signs beside it for 24 hours" in rotated.output
    missing = cli("webhooks", "rotate", "999")
    assert missing.exit_code == 1 and "no webhook endpoint 999" in missing.output

    # The CLI's rotation keeps the page's secret signing for a day, and signs with its own.
    assert announce_and_deliver(session_factory, clock).delivered == 1
    (request,) = receiver.received
    now = int(clock().timestamp())
    verify(from_page, request.headers, request.body, now)
    verify(from_cli, request.headers, request.body, now)
    with session_factory() as session:
        actions = session.execute(
            select(AuditEntry.action, AuditEntry.actor_id)
            .where(AuditEntry.subject_type == "webhook", AuditEntry.action == "webhook.rotate_secret")
            .order_by(AuditEntry.id)
        ).all()
    assert [tuple(a) for a in actions] == [
        ("webhook.rotate_secret", admin.user.id),
        ("webhook.rotate_secret", None),
    ]
