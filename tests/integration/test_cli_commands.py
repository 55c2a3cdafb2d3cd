"""The app's commands, run as an operator would (click's runner, DATABASE_URL, a real database)."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assess.cli import main
from assess.models import Attempt, Invitation, TimeGrant
from assess.services.attempt_start import create_attempt
from assess.services.invitations import open_link
from items.bank import BankInvalid, load_banks

FIXTURE_BANKS = Path(__file__).resolve().parent.parent / "fixtures" / "banks"
SHIPPED_BANKS = Path(__file__).resolve().parent.parent.parent / "items" / "banks"
LINK = re.compile(r"(https?://[^/\s]+)/t/([A-Za-z0-9_-]+)$", re.MULTILINE)


@pytest.fixture
def cli(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    session_factory: sessionmaker[Session],
) -> Iterator[Any]:
    """Run ``assess ...`` with the test database and the fixture bank, from an empty directory.

    The database has its tables (``session_factory`` builds them), as after the operator's
    `assess db upgrade`: the other commands refuse a database without them.
    """
    monkeypatch.chdir(tmp_path)
    env = {
        "DATABASE_URL": database_url,
        "ASSESS_BANKS": str(FIXTURE_BANKS),
        "ASSESS_PUBLIC_URL": "https://assess.example.com",
        "SECRET_KEY": "",
    }

    def run(*args: str, **extra_env: str) -> Result:
        return CliRunner().invoke(main, list(args), env={**env, **extra_env}, catch_exceptions=False)

    yield run


@pytest.fixture
def campaign(cli: Any) -> str:
    result = cli(
        "campaign", "create", "am-spring", "--title", "Spring hires", "--role", "AM", "--form", "sample-form"
    )
    assert result.exit_code == 0, result.output
    assert "Created campaign am-spring" in result.output
    return "am-spring"


def test_db_upgrade_reports_the_database(cli: Any) -> None:
    result = cli("db", "upgrade")
    assert result.exit_code == 0, result.output
    assert "Database is up to date" in result.output


def test_invite_prints_a_working_link(
    cli: Any, campaign: str, session_factory: sessionmaker[Session]
) -> None:
    result = cli("invite", campaign, "ana@example.com", "--extra-time", "1.5", "--valid-days", "3")
    assert result.exit_code == 0, result.output
    match = LINK.search(result.stdout)
    assert match is not None, result.stdout
    assert match.group(1) == "https://assess.example.com"
    with session_factory() as session:
        invitation = open_link(session, match.group(2), datetime.now(UTC))[0]
        assert invitation.email == "ana@example.com" and str(invitation.extra_time) == "1.50"
        assert invitation.expires_at - invitation.created_at == timedelta(days=3)
        assert not invitation.assistive_technology
    assisted = cli("invite", campaign, "bo@example.com", "--extra-time", "1.25", "--assistive-technology")
    assert assisted.exit_code == 0, assisted.output
    assert "extra time x1.25, assistive technology, valid until" in assisted.stderr
    match = LINK.search(assisted.stdout)
    assert match is not None, assisted.stdout
    with session_factory() as session:
        assert open_link(session, match.group(2), datetime.now(UTC))[0].assistive_technology


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("invite", "no-such-campaign", "ana@example.com"), "no campaign 'no-such-campaign'"),
        (("invite", "am-spring", "not-an-email"), "not an email address"),
        (("invite", "am-spring", "ana@example.com", "--extra-time", "lots"), "must be a number"),
        (("invite", "am-spring", "ana@example.com", "--extra-time", "5"), "from 1 to 3"),
    ],
)
def test_invite_refuses_bad_input_with_a_clear_message(
    cli: Any, campaign: str, session_factory: sessionmaker[Session], args: tuple[str, ...], message: str
) -> None:
    result = cli(*args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    with session_factory() as session:
        assert session.scalars(select(Invitation)).all() == []


def test_campaign_create_refuses_an_unknown_form(cli: Any) -> None:
    result = cli("campaign", "create", "x", "--title", "T", "--role", "R", "--form", "nope")
    assert result.exit_code == 1
    assert "no form 'nope'" in result.output and "sample-form" in result.output


def start_from_link(session_factory: sessionmaker[Session], output: str, now: datetime) -> int:
    match = LINK.search(output)
    assert match is not None, output
    with session_factory() as session:
        invitation = open_link(session, match.group(2), now)[0]
        return create_attempt(session, invitation, load_banks([FIXTURE_BANKS]), now, random.Random(1)).id


def test_finalize_expired_finalizes_abandoned_attempts(
    cli: Any, campaign: str, session_factory: sessionmaker[Session]
) -> None:
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    attempt_id = start_from_link(
        session_factory, cli("invite", campaign, "gone@example.com").stdout, long_ago
    )
    result = cli("finalize-expired")
    assert result.exit_code == 0, result.output
    assert "Finalized 1 attempt(s)" in result.output
    assert "Finalized 0 attempt(s)" in cli("finalize-expired").output
    with session_factory() as session:
        attempt = session.get_one(Attempt, attempt_id)
        assert attempt.finalized_by == "deadline" and attempt.total_points == 0


def test_grant_time_moves_the_deadline_and_logs_who(
    cli: Any, campaign: str, session_factory: sessionmaker[Session]
) -> None:
    attempt_id = start_from_link(
        session_factory, cli("invite", campaign, "ana@example.com").stdout, datetime.now(UTC)
    )
    result = cli("grant-time", str(attempt_id), "10", "--by", "rita@example.com", "--reason", "Power cut")
    assert result.exit_code == 0, result.output
    assert f"Attempt {attempt_id} now ends at" in result.output
    with session_factory() as session:
        attempt = session.get_one(Attempt, attempt_id)
        assert attempt.deadline - attempt.started_at == timedelta(minutes=20)
        grant = session.scalars(select(TimeGrant)).one()
        assert (grant.minutes, grant.granted_by, grant.reason) == (10, "rita@example.com", "Power cut")


def test_grant_time_names_a_missing_attempt(cli: Any) -> None:
    result = cli("grant-time", "999", "10", "--by", "rita@example.com")
    assert result.exit_code == 1
    assert "no attempt 999" in result.output


def shipped_bank_problem() -> str | None:
    try:
        load_banks([SHIPPED_BANKS])
    except BankInvalid as exc:
        return f"the shipped bank does not validate yet: {exc.errors[0]}"
    return None


@pytest.mark.skipif(shipped_bank_problem() is not None, reason=str(shipped_bank_problem()))
def test_demo_without_serving_prints_a_link_and_the_database(
    cli: Any, session_factory: sessionmaker[Session]
) -> None:
    first = cli("demo", "--no-serve", "--candidates", "5", "--port", "5055", ASSESS_BANKS=str(SHIPPED_BANKS))
    assert first.exit_code == 0, first.output
    assert "Database:" in first.output
    match = LINK.search(first.stdout)
    assert match is not None and match.group(1) == "http://127.0.0.1:5055"
    second = cli("demo", "--no-serve", "--candidates", "5", ASSESS_BANKS=str(SHIPPED_BANKS))
    assert second.exit_code == 0, second.output
    other = LINK.search(second.stdout)
    assert other is not None and other.group(2) != match.group(2)
    with session_factory() as session:
        for token in (match.group(2), other.group(2)):
            invitation = open_link(session, token, datetime.now(UTC))[0]
            assert invitation.campaign.slug == "demo-account-manager"
            assert invitation.campaign.form_id == "account-manager-smb"
