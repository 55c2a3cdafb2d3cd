"""Commands find the configured database from any directory, and refuse, creating nothing, without one."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner, Result
from sqlalchemy.orm import Session, sessionmaker

from assess.cli import main
from assess.commands.demo import demo
from assess.config import CODE_ROOT, DEMO_PUBLIC_URL, settings_from_env
from assess.services.campaigns import campaign_by_slug

FIXTURE_BANKS = Path(__file__).resolve().parents[1] / "fixtures" / "banks"
FORM = "sample-form"
CAMPAIGN_HELP = "the campaign's slug, as `assess campaign list` shows it"

Run = Callable[..., Result]

#: Every command that reads or changes stored data, with arguments it would accept.
READERS = [
    ("campaign", "list"),
    ("campaign", "create", "spring", "--title", "Spring", "--role", "AM", "--form", "sample-form"),
    ("invite", "spring", "ana@example.com"),
    ("report", "spring", "--format", "csv", "-o", "out.csv"),
    ("regrade", "sample-q1", "--dry-run"),
    ("finalize-expired",),
    ("grant-time", "1", "5", "--by", "rita@example.com"),
    ("user", "create", "ana@example.com", "--role", "admin", "--password-stdin"),
    ("user", "set-password", "ana@example.com", "--password-stdin"),
]


def _runner(cwd: Path, env: dict[str, str]) -> Run:
    def run(*args: str, **extra: str) -> Result:
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(cwd)
            return CliRunner().invoke(
                main, list(args), env={**env, **extra}, input="a long enough password\n"
            )

    return run


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def elsewhere(tmp_path: Path, home: Path) -> Run:
    """``assess`` run from a directory that is not the project, with ASSESS_HOME and no DATABASE_URL."""
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    env = {
        "ASSESS_HOME": str(home),
        "DATABASE_URL": "",
        "SECRET_KEY": "x",
        "ASSESS_BANKS": str(FIXTURE_BANKS),
    }
    return _runner(cwd, env)


@pytest.mark.parametrize("args", READERS, ids=" ".join)
def test_a_command_refuses_a_missing_database_and_creates_none(
    elsewhere: Run, home: Path, tmp_path: Path, args: tuple[str, ...]
) -> None:
    result = elsewhere(*args)
    assert result.exit_code == 1, result.output
    assert f"no database at {home / 'assess.sqlite3'}: `assess db upgrade` creates it" in result.output
    assert "Traceback" not in result.output
    assert not (home / "assess.sqlite3").exists()
    assert not (tmp_path / "elsewhere" / "instance").exists()


@pytest.mark.fresh_schema
@pytest.mark.parametrize("args", READERS, ids=" ".join)
def test_a_command_refuses_a_database_without_tables(
    database_url: str, tmp_path: Path, args: tuple[str, ...]
) -> None:
    if database_url.startswith("sqlite"):
        Path(database_url.removeprefix("sqlite:///")).touch()
    run = _runner(
        tmp_path, {"DATABASE_URL": database_url, "SECRET_KEY": "x", "ASSESS_BANKS": str(FIXTURE_BANKS)}
    )
    result = run(*args)
    assert result.exit_code == 1, result.output
    assert "has no assess tables: `assess db upgrade` creates it" in result.output
    assert "Traceback" not in result.output


def test_an_unreachable_database_is_named_without_a_traceback(tmp_path: Path) -> None:
    run = _runner(tmp_path, {"DATABASE_URL": "postgresql+psycopg://nobody:secret@127.0.0.1:1/assess"})
    result = run("campaign", "list")
    assert result.exit_code == 1
    assert result.output.startswith(
        "cannot open the database postgresql+psycopg://nobody:***@127.0.0.1:1/assess"
    )
    assert "secret" not in result.output and "Traceback" not in result.output


def test_db_upgrade_names_a_database_it_cannot_create(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'no-such-folder' / 'assess.sqlite3'}"
    result = _runner(tmp_path, {"DATABASE_URL": url, "SECRET_KEY": "x"})("db", "upgrade")
    assert result.exit_code == 1
    assert result.output == f"cannot create or upgrade the database {url}: unable to open database file\n"


def test_db_upgrade_creates_the_database_that_every_directory_then_finds(
    elsewhere: Run, home: Path, tmp_path: Path
) -> None:
    created = elsewhere("db", "upgrade")
    assert created.exit_code == 0, created.output
    assert (home / "assess.sqlite3").is_file()
    another = tmp_path / "another"
    another.mkdir()
    env = {
        "ASSESS_HOME": str(home),
        "DATABASE_URL": "",
        "SECRET_KEY": "x",
        "ASSESS_BANKS": str(FIXTURE_BANKS),
    }
    listed = _runner(another, env)("campaign", "list")
    assert listed.exit_code == 0, listed.output
    assert listed.output == "No campaigns yet; `assess campaign create` makes one.\n"


def test_without_assess_home_the_database_is_the_checkouts_not_the_current_directorys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = settings_from_env({"SECRET_KEY": "x"})
    assert settings.database_url == f"sqlite:///{CODE_ROOT / 'instance' / 'assess.sqlite3'}"
    assert not (tmp_path / "instance").exists()


@pytest.fixture
def cli(database_url: str, tmp_path: Path, session_factory: sessionmaker[Session]) -> Run:
    """``assess`` on a database with its tables (``session_factory`` builds them)."""
    env = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "x",
        "ASSESS_BANKS": str(FIXTURE_BANKS),
        "ASSESS_PUBLIC_URL": "https://jobs.example.com/assess/",
    }
    return _runner(tmp_path, env)


def test_campaign_list_shows_what_a_campaign_argument_names(
    cli: Run, session_factory: sessionmaker[Session]
) -> None:
    for slug, title in (("am-spring", "Spring hires"), ("am-autumn", "Autumn hires")):
        made = cli(
            "campaign", "create", slug, "--title", title, "--role", "Account Manager", "--form", "sample-form"
        )
        assert made.exit_code == 0, made.output
    assert cli("invite", "am-spring", "ana@example.com").exit_code == 0
    assert cli("invite", "am-spring", "bo@example.com").exit_code == 0
    with session_factory.begin() as session:
        closed = campaign_by_slug(session, "am-autumn")
        assert closed is not None
        closed.window_end = datetime.now(UTC) - timedelta(days=1)
    listed = cli("campaign", "list")
    assert listed.exit_code == 0, listed.output
    lines = [re.split(r"\s{2,}", line) for line in listed.output.splitlines()]
    assert lines[0] == ["slug", "title", "role", "form", "invitations", "status"]
    rows = {line[0]: line for line in lines[1:]}
    assert rows["am-spring"] == [
        "am-spring",
        "Spring hires",
        "Account Manager",
        "sample-form",
        "2",
        "inviting",
    ]
    assert rows["am-autumn"][:5] == ["am-autumn", "Autumn hires", "Account Manager", "sample-form", "0"]
    assert rows["am-autumn"][5].startswith("not inviting: the campaign's invitation window closed on ")


def test_invite_names_the_list_when_the_campaign_is_unknown(cli: Run) -> None:
    result = cli("invite", "am-sprnig", "ana@example.com")
    assert result.exit_code == 1
    assert result.output == "no campaign 'am-sprnig'; `assess campaign list` shows the campaigns\n"


@pytest.fixture
def spring(cli: Run) -> str:
    made = cli("campaign", "create", "am-spring", "--title", "Spring", "--role", "AM", "--form", FORM)
    assert made.exit_code == 0, made.output
    return "am-spring"


def test_invite_links_start_with_the_public_url(cli: Run, spring: str) -> None:
    result = cli("invite", spring, "ana@example.com")
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"https://jobs\.example\.com/assess/t/[A-Za-z0-9_-]{16,}", result.stdout.strip())


def test_invite_says_what_the_link_assumes_without_a_public_url(cli: Run, spring: str) -> None:
    result = cli("invite", spring, "ana@example.com", ASSESS_PUBLIC_URL="")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{DEMO_PUBLIC_URL}/t/")
    assumed = f"ASSESS_PUBLIC_URL is not set, so the link assumes `assess demo` at {DEMO_PUBLIC_URL}"
    assert assumed in result.stderr
    assert "ASSESS_PUBLIC_URL" not in cli("invite", spring, "bo@example.com").stderr


def test_the_sweep_interval_is_read_from_the_environment_and_must_be_a_second_or_more() -> None:
    base = {"SECRET_KEY": "x", "DATABASE_URL": "sqlite://"}
    assert settings_from_env(base).sweep_interval_seconds == 20
    assert settings_from_env({**base, "ASSESS_SWEEP_SECONDS": "5"}).sweep_interval_seconds == 5
    with pytest.raises(ValueError, match="ASSESS_SWEEP_SECONDS must be at least 1"):
        settings_from_env({**base, "ASSESS_SWEEP_SECONDS": "0"})


def test_without_a_public_url_links_point_where_the_demo_serves() -> None:
    port = next(p for p in demo.params if p.name == "port")
    assert urlsplit(DEMO_PUBLIC_URL).port == port.default
    assert settings_from_env({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://"}).public_url == DEMO_PUBLIC_URL


@pytest.mark.parametrize("command", [("invite",), ("report",)], ids=" ".join)
def test_a_campaign_arguments_help_says_what_it_names(command: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert CAMPAIGN_HELP in result.output
