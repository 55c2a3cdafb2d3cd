"""ATS connections: made by an admin on "Connect your ATS" or with ``assess ats``, revoked, rate-limited."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ats_setup import CAMPAIGN, SECRET_KEY, basic, connect
from click.testing import CliRunner, Result
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import StaffClient, csrf_token

from assess.cli import main
from assess.models import AuditEntry, Campaign
from assess.models.ats import AtsConnection
from assess.partners.calls import CONNECTION_LIMIT
from assess.services.ats_connections import outbound_key

KEY_PATTERN = re.compile(r"ats_[a-z0-9]{12}_[A-Za-z0-9_-]{43}")
PAGE = "/staff/ats"


def _list_tests(app: Flask, key: str) -> int:
    return app.test_client().get("/partners/greenhouse/list_tests", headers=basic(key)).status_code


def _audit(session_factory: sessionmaker[Session]) -> list[tuple[str, int | None]]:
    with session_factory() as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.actor_id)
            .where(AuditEntry.subject_type == "ats_connection")
            .order_by(AuditEntry.id)
        )
        return [(action, actor) for action, actor in rows]


def _campaign_id(session_factory: sessionmaker[Session]) -> int:
    with session_factory() as session:
        return session.scalars(select(Campaign.id).where(Campaign.slug == CAMPAIGN)).one()


def test_an_admin_connects_greenhouse_sees_the_key_once_and_revokes_it(
    app: Flask, admin: StaffClient, invite: Callable[..., str], session_factory: sessionmaker[Session]
) -> None:
    form = {"provider": "greenhouse", "name": "Acme", "campaigns": [str(_campaign_id(session_factory))]}
    page = admin.post(PAGE, data={"csrf_token": csrf_token(admin, PAGE), **form})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    (key,) = KEY_PATTERN.findall(text)
    assert "/partners/greenhouse/send_test" in text and "/partners/greenhouse/response_error" in text
    assert _list_tests(app, key) == 200

    listing = admin.get(PAGE).get_data(as_text=True)
    assert "Acme" in listing and key not in listing and "Account Manager, spring" in listing
    with session_factory() as session:
        connection_id = session.scalars(select(AtsConnection.id)).one()
    revoked = admin.post(f"{PAGE}/{connection_id}/revoke", data={"csrf_token": csrf_token(admin, PAGE)})
    assert revoked.status_code == 302
    assert _list_tests(app, key) == 401
    assert _audit(session_factory) == [
        ("ats_connection.create", admin.user.id),
        ("ats_connection.revoke", admin.user.id),
    ]


def test_an_ashby_connection_keeps_the_customers_ashby_key_encrypted(
    admin: StaffClient, invite: Callable[..., str], session_factory: sessionmaker[Session]
) -> None:
    form = {"provider": "ashby", "name": "Acme", "campaigns": [str(_campaign_id(session_factory))]}
    refused = admin.post(PAGE, data={"csrf_token": csrf_token(admin, PAGE), **form})
    assert refused.status_code == 422
    assert "enter the customer&#39;s Ashby API key" in refused.get_data(as_text=True)
    made = admin.post(
        PAGE, data={"csrf_token": csrf_token(admin, PAGE), **form, "ashby_api_key": "ashby-secret-123456"}
    )
    assert made.status_code == 200
    assert "ashby-secret-123456" not in made.get_data(as_text=True)
    with session_factory() as session:
        connection = session.scalars(select(AtsConnection)).one()
    assert "ashby-secret-123456" not in connection.outbound_key
    assert outbound_key(connection, SECRET_KEY) == "ashby-secret-123456"


def test_a_connection_needs_a_name_and_a_campaign_and_only_admins_make_them(
    admin: StaffClient, staff_client: Callable[..., StaffClient], session_factory: sessionmaker[Session]
) -> None:
    refused = admin.post(
        PAGE, data={"csrf_token": csrf_token(admin, PAGE), "provider": "greenhouse", "name": ""}
    )
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Name the connection." in text and "Choose at least one campaign." in text
    recruiter = staff_client("recruiter")
    assert recruiter.get(PAGE).status_code == 403
    token = csrf_token(recruiter, "/staff/campaigns")
    assert recruiter.post(f"{PAGE}/1/revoke", data={"csrf_token": token}).status_code == 403
    assert (
        admin.post(f"{PAGE}/987654/revoke", data={"csrf_token": csrf_token(admin, PAGE)}).status_code == 404
    )
    with session_factory() as session:
        assert session.scalars(select(AtsConnection)).all() == []


@pytest.fixture
def cli(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    monkeypatch.chdir(tmp_path)
    env = {"DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY, "ASHBY_API_KEY": ""}

    def run(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    return run


def test_the_command_line_connects_lists_and_revokes(
    app: Flask, cli: Callable[..., Result], invite: Callable[..., str], session_factory: sessionmaker[Session]
) -> None:
    made = cli("ats", "create", "greenhouse", "--name", "Acme", "--campaign", CAMPAIGN)
    assert made.exit_code == 0, made.output
    (key,) = KEY_PATTERN.findall(made.output)
    assert _list_tests(app, key) == 200

    listed = cli("ats", "list")
    assert "greenhouse" in listed.output and "Acme" in listed.output and "active" in listed.output
    assert key not in listed.output
    connection_id = listed.output.split("\t", 1)[0]
    assert cli("ats", "revoke", connection_id).exit_code == 0
    assert "revoked" in cli("ats", "list").output
    assert _list_tests(app, key) == 401
    assert _audit(session_factory) == [("ats_connection.create", None), ("ats_connection.revoke", None)]

    no_campaign = cli("ats", "create", "greenhouse", "--name", "Acme", "--campaign", "nope")
    assert no_campaign.exit_code == 1 and "--campaign: no campaign 'nope'" in no_campaign.output
    no_ashby_key = cli("ats", "create", "ashby", "--name", "Acme", "--campaign", CAMPAIGN)
    assert (
        no_ashby_key.exit_code == 1
        and "ashby_api_key: enter the customer's Ashby API key" in no_ashby_key.output
    )
    missing = cli("ats", "revoke", "987654")
    assert missing.exit_code == 1 and "no ATS connection 987654" in missing.output


def test_each_connection_has_its_own_rate_limit(
    app: Flask, invite: Callable[..., str], session_factory: sessionmaker[Session], clock: Any
) -> None:
    _, flooding = connect(session_factory, "greenhouse", CAMPAIGN, clock())
    _, other = connect(session_factory, "greenhouse", CAMPAIGN, clock(), name="Other")
    client = app.test_client()
    for _ in range(CONNECTION_LIMIT.amount):
        assert client.get("/partners/greenhouse/list_tests", headers=basic(flooding)).status_code == 200
    refused = client.get("/partners/greenhouse/list_tests", headers=basic(flooding))
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "600 per minute" in refused.json["message"]
    assert client.get("/partners/greenhouse/list_tests", headers=basic(other)).status_code == 200
