"""``assess user create`` / ``set-password`` and the demo's admin, run as an operator would."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assess.cli import main
from assess.models import StaffUser
from assess.services.staff import authenticate

FIXTURE_BANKS = Path(__file__).resolve().parent.parent / "fixtures" / "banks"
SHIPPED_BANKS = Path(__file__).resolve().parent.parent.parent / "items" / "banks"
PASSWORD = "a long enough password"


@pytest.fixture
def cli(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.chdir(tmp_path)
    env = {"DATABASE_URL": database_url, "ASSESS_BANKS": str(FIXTURE_BANKS), "SECRET_KEY": ""}

    def run(*args: str, stdin: str | None = None, **extra_env: str) -> Result:
        return CliRunner().invoke(
            main, list(args), input=stdin, env={**env, **extra_env}, catch_exceptions=False
        )

    yield run


def test_user_create_reads_the_password_from_stdin_and_prints_nothing_secret(
    cli: Any, session_factory: sessionmaker[Session]
) -> None:
    result = cli(
        "user",
        "create",
        "Rita@Example.com",
        "--role",
        "recruiter",
        "--name",
        "Rita",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created recruiter account rita@example.com." in result.output
    assert PASSWORD not in result.output
    with session_factory() as session:
        user = session.scalars(select(StaffUser)).one()
        assert (user.email, user.name, user.role) == ("rita@example.com", "Rita", "recruiter")
        assert authenticate(session, "rita@example.com", PASSWORD) is not None


def test_user_create_prompts_twice_for_the_password(cli: Any, session_factory: sessionmaker[Session]) -> None:
    result = cli("user", "create", "a@example.com", "--role", "admin", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    with session_factory() as session:
        assert authenticate(session, "a@example.com", PASSWORD) is not None


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["bad-email", "--role", "admin"], PASSWORD, "is not an email address"),
        (["a@example.com", "--role", "admin"], "short", "at least 12 characters"),
        (["a@example.com", "--role", "boss"], PASSWORD, "'boss' is not one of"),
    ],
)
def test_user_create_refuses_bad_input(
    cli: Any, session_factory: sessionmaker[Session], args: list[str], stdin: str, message: str
) -> None:
    result = cli("user", "create", *args, "--password-stdin", stdin=stdin + "\n")
    assert result.exit_code != 0
    assert message in result.output
    with session_factory() as session:
        assert session.scalars(select(StaffUser)).all() == []


def test_user_create_refuses_a_duplicate_and_set_password_changes_it(
    cli: Any, session_factory: sessionmaker[Session]
) -> None:
    assert (
        cli(
            "user", "create", "a@example.com", "--role", "admin", "--password-stdin", stdin=PASSWORD
        ).exit_code
        == 0
    )
    again = cli("user", "create", "a@example.com", "--role", "admin", "--password-stdin", stdin=PASSWORD)
    assert again.exit_code == 1 and "already exists" in again.output
    changed = cli(
        "user", "set-password", "a@example.com", "--password-stdin", stdin="another long password\n"
    )
    assert changed.exit_code == 0, changed.output
    with session_factory() as session:
        assert authenticate(session, "a@example.com", PASSWORD) is None
        assert authenticate(session, "a@example.com", "another long password") is not None
    missing = cli("user", "set-password", "nobody@example.com", "--password-stdin", stdin=PASSWORD)
    assert missing.exit_code == 1 and "no staff account" in missing.output


def test_demo_prints_a_fresh_admin_login_each_run(cli: Any, session_factory: sessionmaker[Session]) -> None:
    passwords = []
    for _ in range(2):
        result = cli(
            "demo", "--no-serve", "--candidates", "5", "--port", "5056", ASSESS_BANKS=str(SHIPPED_BANKS)
        )
        assert result.exit_code == 0, result.output
        assert "Staff login: http://127.0.0.1:5056/staff/login" in result.output
        assert "demo-admin@example.com" in result.output
        found = re.search(r"password: (\S+)", result.output)
        assert found is not None
        passwords.append(found.group(1))
    assert passwords[0] != passwords[1]
    with session_factory() as session:
        assert authenticate(session, "demo-admin@example.com", passwords[0]) is None
        admin = authenticate(session, "demo-admin@example.com", passwords[1])
        assert admin is not None and admin.role == "admin"
