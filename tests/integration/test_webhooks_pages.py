"""The admins' Webhooks page and ``assess webhooks``: register (secret once), manage, log, send again."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import StaffClient, csrf_token
from webhook_receiver import Receiver, running_receiver, verify

from assess.cli import main
from assess.models import AuditEntry, Delivery, WebhookEndpoint
from assess.services.domain_events import publish
from assess.services.outbox import deliver_due

if TYPE_CHECKING:
    from conftest import ControllableClock

PAGE = "/staff/webhooks"
SECRET_PATTERN = re.compile(r"whsec_[A-Za-z0-9+/=]{44}")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


def register(admin: StaffClient, url: str, events: list[str]) -> tuple[int, str]:
    response = admin.post(PAGE, data={"csrf_token": csrf_token(admin, PAGE), "url": url, "events": events})
    return response.status_code, response.get_data(as_text=True)


def audit(session_factory: sessionmaker[Session]) -> list[tuple[str, int | None]]:
    with session_factory() as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.actor_id)
            .where(AuditEntry.subject_type.in_(["webhook", "delivery"]))
            .order_by(AuditEntry.id)
        )
        return [(action, actor) for action, actor in rows]


def test_an_admin_registers_an_endpoint_sees_its_secret_once_and_receives_signed_events(
    admin: StaffClient, receiver: Receiver, session_factory: sessionmaker[Session], clock: ControllableClock
) -> None:
    status, page = register(admin, receiver.url, ["attempt.finalized", "decision.recorded"])
    assert status == 200
    (secret,) = SECRET_PATTERN.findall(page)
    listing = admin.get(PAGE).get_data(as_text=True)
    assert receiver.url in listing and "attempt.finalized, decision.recorded" in listing
    assert secret not in listing and "whsec_" not in listing

    with session_factory() as session:
        publish(session, "decision.recorded", {"decision_id": 1}, at=clock())
        session.commit()
    assert deliver_due(session_factory, clock, allow_private_targets=True).delivered == 1
    (request,) = receiver.received
    assert (
        verify(secret, request.headers, request.body, int(clock().timestamp()))["type"] == "decision.recorded"
    )
    assert audit(session_factory) == [("webhook.create", admin.user.id)]


def test_bad_registrations_name_the_field_and_change_nothing(
    app: Flask, admin: StaffClient, session_factory: sessionmaker[Session]
) -> None:
    status, page = register(admin, "", [])
    assert status == 422 and "Give the URL to send to." in page and "Choose at least one event." in page
    status, page = register(admin, "ftp://hooks.example.com/in", ["attempt.graded"])
    assert status == 422 and 'id="url-error"' in page and "must start with https://" in page
    status, page = register(admin, "https://hooks.example.com/in", ["attempt.exploded"])
    assert status == 422 and "is not a valid choice" in page

    app.config["ALLOW_PRIVATE_WEBHOOK_TARGETS"] = False
    status, page = register(admin, "http://169.254.169.254/latest/meta-data", ["attempt.graded"])
    assert status == 422 and "169.254.169.254, a link-local address" in page
    with session_factory() as session:
        assert session.scalars(select(WebhookEndpoint)).all() == []
    assert audit(session_factory) == []


def test_only_admins_reach_the_webhooks_page(
    staff_client: Callable[..., StaffClient], session_factory: sessionmaker[Session]
) -> None:
    for role in ("recruiter", "author", "interviewer"):
        person = staff_client(role)
        assert person.get(PAGE).status_code == 403
        token = csrf_token(person, "/staff/")
        refused = person.post(
            PAGE, data={"csrf_token": token, "url": "https://x.example/", "events": ["attempt.graded"]}
        )
        assert refused.status_code == 403
    with session_factory() as session:
        assert session.scalars(select(WebhookEndpoint)).all() == []


def test_disable_enable_and_delete_are_audited_and_deliveries_stay_in_the_log(
    admin: StaffClient, receiver: Receiver, session_factory: sessionmaker[Session], clock: ControllableClock
) -> None:
    register(admin, receiver.url, ["attempt.graded"])
    with session_factory() as session:
        endpoint_id = session.scalars(select(WebhookEndpoint.id)).one()
        publish(session, "attempt.graded", {"attempt_id": 3, "invitation_id": 3}, at=clock())
        session.commit()

    def act(action: str) -> int:
        path = f"{PAGE}/{endpoint_id}/{action}"
        return admin.post(path, data={"csrf_token": csrf_token(admin, PAGE)}).status_code

    assert act("disable") == 302
    page = admin.get(PAGE).get_data(as_text=True)
    assert "Disabled: disabled by Test Admin" in page and "not sent: endpoint disabled" in page
    assert deliver_due(session_factory, clock, allow_private_targets=True).claimed == 0
    assert act("enable") == 302
    assert "Active" in admin.get(PAGE).get_data(as_text=True)
    assert act("delete") == 302
    assert act("delete") == 404
    page = admin.get(PAGE).get_data(as_text=True)
    assert "No endpoints yet." in page and "attempt.graded" in page
    with session_factory() as session:
        delivery = session.scalars(select(Delivery)).one()
        assert delivery.endpoint_id is None and delivery.status == "abandoned"
    assert audit(session_factory) == [
        ("webhook.create", admin.user.id),
        ("webhook.disable", admin.user.id),
        ("webhook.enable", admin.user.id),
        ("webhook.delete", admin.user.id),
    ]
    assert receiver.received == []


def test_the_delivery_log_shows_failures_and_send_again_requeues_with_a_csrf_token(
    admin: StaffClient, receiver: Receiver, session_factory: sessionmaker[Session], clock: ControllableClock
) -> None:
    register(admin, receiver.url, ["attempt.finalized"])
    receiver.reply_with(500)
    with session_factory() as session:
        publish(session, "attempt.finalized", {"attempt_id": 5, "invitation_id": 5}, at=clock())
        session.commit()
    deliver_due(session_factory, clock, allow_private_targets=True)
    with session_factory() as session:
        delivery = session.scalars(select(Delivery)).one()
    page = admin.get(PAGE).get_data(as_text=True)
    assert "failed" in page and "HTTP 500" in page and delivery.next_attempt_at is not None
    assert delivery.next_attempt_at.strftime("%Y-%m-%d %H:%M:%S") in page

    path = f"{PAGE}/deliveries/{delivery.id}/send-again"
    assert admin.post(path).status_code == 400
    assert admin.post(path, data={"csrf_token": csrf_token(admin, PAGE)}).status_code == 302
    assert (
        admin.post(
            f"{PAGE}/deliveries/999999/send-again", data={"csrf_token": csrf_token(admin, PAGE)}
        ).status_code
        == 404
    )
    with session_factory() as session:
        again = session.get_one(Delivery, delivery.id)
        assert (again.status, again.attempts, again.next_attempt_at) == ("pending", 0, clock())
    assert deliver_due(session_factory, clock, allow_private_targets=True).delivered == 1
    assert len(receiver.received) == 2
    assert audit(session_factory) == [
        ("webhook.create", admin.user.id),
        ("delivery.send_again", admin.user.id),
    ]


@pytest.fixture
def cli(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    monkeypatch.chdir(tmp_path)
    # The app's SECRET_KEY, as a deployment's commands share it: it opens the sealed secrets.
    env = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "integration-tests-only",
        "ASSESS_ALLOW_PRIVATE_WEBHOOK_TARGETS": "true",
    }

    def run(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    return run


def test_the_command_line_lists_endpoints_and_delivers_what_is_due(
    app: Flask,
    admin: StaffClient,
    cli: Callable[..., Result],
    receiver: Receiver,
    session_factory: sessionmaker[Session],
    clock: ControllableClock,
) -> None:
    assert "No webhook endpoints." in cli("webhooks", "list").output
    register(admin, receiver.url, ["invitation.expired"])
    with session_factory() as session:
        publish(session, "invitation.expired", {"invitation_id": 8}, at=clock())
        session.commit()
    listed = cli("webhooks", "list").output
    assert f"{receiver.url}\tinvitation.expired\tactive" in listed and "whsec_" not in listed
    assert "Deliveries: 1 pending, 0 delivered, 0 failed, 0 abandoned" in listed
    sent = cli("webhooks", "deliver")
    assert sent.exit_code == 0 and "1 due: 1 delivered, 0 to retry, 0 abandoned" in sent.output
    assert receiver.received[0].json()["data"] == {"invitation_id": 8}
