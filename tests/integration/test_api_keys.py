"""API keys: an admin makes one on the staff page or the command line, sees it once, revokes it."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import StaffClient, csrf_token

from assess.cli import main
from assess.models import AuditEntry
from assess.models.api_key import ApiKey

KEY_PATTERN = re.compile(r"assess_[a-z0-9]{12}_[A-Za-z0-9_-]{43}")


def _campaigns(app: Flask, key: str) -> int:
    return app.test_client().get("/api/v1/campaigns", headers={"Authorization": f"Bearer {key}"}).status_code


def _audit(session_factory: sessionmaker[Session]) -> list[tuple[str, int | None]]:
    with session_factory() as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.actor_id).where(AuditEntry.subject_type == "api_key")
        )
        return [(action, actor) for action, actor in rows]


def test_an_admin_makes_a_key_sees_it_once_and_revokes_it(
    app: Flask, admin: StaffClient, session_factory: sessionmaker[Session]
) -> None:
    page = admin.post(
        "/staff/api-keys",
        data={"csrf_token": csrf_token(admin, "/staff/api-keys"), "name": "Greenhouse", "scopes": ["read"]},
    )
    assert page.status_code == 200
    (key,) = KEY_PATTERN.findall(page.get_data(as_text=True))
    assert _campaigns(app, key) == 200

    listing = admin.get("/staff/api-keys").get_data(as_text=True)
    assert "Greenhouse" in listing and key not in listing
    with session_factory() as session:
        stored = session.scalars(select(ApiKey)).one()
        secret = key[len("assess_") + 13 :]
        assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert stored.scopes == ["read"] and secret not in stored.secret_hash

    revoked = admin.post(
        f"/staff/api-keys/{stored.id}/revoke", data={"csrf_token": csrf_token(admin, "/staff/api-keys")}
    )
    assert revoked.status_code == 302
    assert _campaigns(app, key) == 401
    assert _audit(session_factory) == [("api_key.create", admin.user.id), ("api_key.revoke", admin.user.id)]


def test_a_key_needs_a_name_and_a_scope_and_only_admins_make_them(
    admin: StaffClient, staff_client: Callable[..., StaffClient], session_factory: sessionmaker[Session]
) -> None:
    refused = admin.post(
        "/staff/api-keys", data={"csrf_token": csrf_token(admin, "/staff/api-keys"), "name": "", "scopes": []}
    )
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Name the key." in text and "Choose at least one scope." in text
    recruiter = staff_client("recruiter")
    assert recruiter.get("/staff/api-keys").status_code == 403
    with session_factory() as session:
        assert session.scalars(select(ApiKey)).all() == []


@pytest.fixture
def cli(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    monkeypatch.chdir(tmp_path)
    env = {"DATABASE_URL": database_url, "SECRET_KEY": ""}

    def run(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    return run


def test_the_command_line_makes_lists_and_revokes_keys(
    app: Flask, cli: Callable[..., Any], session_factory: sessionmaker[Session]
) -> None:
    made = cli("apikey", "create", "Ashby sandbox", "--scope", "read", "--scope", "invite")
    assert made.exit_code == 0, made.output
    (key,) = KEY_PATTERN.findall(made.output)
    assert _campaigns(app, key) == 200

    listed = cli("apikey", "list")
    assert "Ashby sandbox" in listed.output and "read,invite" in listed.output and "active" in listed.output
    assert key not in listed.output

    key_id = listed.output.split("\t", 1)[0]
    assert cli("apikey", "revoke", key_id).exit_code == 0
    assert "revoked" in cli("apikey", "list").output
    assert _campaigns(app, key) == 401
    assert _audit(session_factory) == [("api_key.create", None), ("api_key.revoke", None)]

    unknown = CliRunner().invoke(main, ["apikey", "create", "x", "--scope", "write"])
    assert unknown.exit_code == 2 and "write" in unknown.output
    missing = cli("apikey", "revoke", "999999")
    assert missing.exit_code == 1 and "no API key 999999" in missing.output
