"""``assess demo --no-serve``, run as README command 1 runs it (on both databases where one is involved)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assess.cli import main
from assess.models import Campaign, Invitation, StaffUser
from assess.services.invitations import open_link
from assess.services.staff import authenticate

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_BANKS = ROOT / "items" / "banks"
FIXTURE_BANKS = ROOT / "tests" / "fixtures" / "banks"
LINK = re.compile(r"Candidate link \(single use, valid 14 days\): (http://[^/\s]+)/t/(\S+)$", re.MULTILINE)
LOGIN = re.compile(r"^\s+(\w+)\s+email: (\S+)\s+password: (\S+)$", re.MULTILINE)
Run = Callable[..., Result]


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """``assess demo --no-serve ARGS`` from an empty directory, with the shipped banks unless told."""
    monkeypatch.chdir(tmp_path)

    def run(*args: str, database_url: str = "", banks: Path = SHIPPED_BANKS) -> Result:
        env = {"DATABASE_URL": database_url, "ASSESS_BANKS": str(banks), "SECRET_KEY": ""}
        return CliRunner().invoke(main, ["demo", "--no-serve", *args], env=env, catch_exceptions=False)

    return run


def test_five_candidates_then_a_second_run_each_print_a_fresh_link_and_logins(
    demo: Run, database_url: str, session_factory: sessionmaker[Session]
) -> None:
    first = demo("--candidates", "5", "--port", "5077", database_url=database_url)
    assert first.exit_code == 0, first.output
    assert "6 invitations, built now" in first.stdout
    second = demo("--candidates", "5", database_url=database_url)
    assert second.exit_code == 0, second.output
    assert "7 invitations, kept from an earlier run" in second.stdout
    links = [LINK.search(result.stdout) for result in (first, second)]
    assert links[0] is not None and links[1] is not None
    assert links[0].group(1) == "http://127.0.0.1:5077" and links[1].group(1) == "http://127.0.0.1:5000"
    logins = [LOGIN.findall(result.stdout) for result in (first, second)]
    assert [role for role, _, _ in logins[1]] == ["admin", "recruiter", "interviewer", "author"]
    with session_factory() as session:
        for link in links:
            assert link is not None
            assert (
                open_link(session, link.group(2), datetime.now(UTC))[0].campaign.slug
                == "demo-account-manager"
            )
        for (role, email, old), (_, _, new) in zip(logins[0], logins[1], strict=True):
            assert old != new
            assert authenticate(session, email, old) is None
            user = authenticate(session, email, new)
            assert user is not None and user.role == role
        assert session.scalar(select(func.count()).select_from(Campaign)) == 1


def test_a_form_missing_from_the_banks_is_named_and_nothing_is_stored(
    demo: Run, database_url: str, session_factory: sessionmaker[Session]
) -> None:
    result = demo(database_url=database_url, banks=FIXTURE_BANKS)
    assert result.exit_code == 1
    assert "the banks have no form 'account-manager-smb'" in result.stderr
    with session_factory() as session:
        for model in (Campaign, Invitation, StaffUser):
            assert session.scalar(select(func.count()).select_from(model)) == 0


@pytest.mark.parametrize("count", ["0", "many"])
def test_a_bad_candidate_count_is_refused_before_anything_runs(demo: Run, tmp_path: Path, count: str) -> None:
    result = demo("--candidates", count, database_url=f"sqlite:///{tmp_path / 'never.sqlite3'}")
    assert result.exit_code == 2
    assert "--candidates" in result.stderr
    assert not (tmp_path / "never.sqlite3").exists()


def test_a_broken_bank_is_reported_by_file_and_line(demo: Run, tmp_path: Path) -> None:
    banks = tmp_path / "banks"
    banks.mkdir()
    (banks / "broken.yaml").write_text("bank: broken\ntitle: Broken\nitems:\n  - id: x\n    type: nope\n")
    result = demo(database_url=f"sqlite:///{tmp_path / 'never.sqlite3'}", banks=banks)
    assert result.exit_code == 1
    assert re.search(r"broken\.yaml:\d+", result.stderr), result.stderr
    assert not (tmp_path / "never.sqlite3").exists()
