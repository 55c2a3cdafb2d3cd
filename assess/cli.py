"""The ``assess`` command line: bank tools, scoring, and the app's commands."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NoReturn

import click
from sqlalchemy.orm import Session

from assess.clock import system_clock
from assess.config import Settings, settings_from_env
from assess.db import make_engine, make_session_factory, sqlalchemy_url, upgrade_database
from assess.services.attempts import AttemptClosed, NoSuchAttempt, finalize_expired, grant_extra_time
from assess.services.campaigns import campaign_by_slug, create_campaign
from assess.services.invitations import create_invitation
from items.bank import BankInvalid, Catalogue, load_banks
from items.base import ResponseError
from scoring.items import parse_response, score_item

DEMO_CAMPAIGN = "demo-account-manager"
DEMO_FORM = "account-manager-smb"
DEMO_EMAIL = "demo.candidate@example.com"


@click.group()
def main() -> None:
    """Online assessments for hiring: banks, attempts, scoring and reports."""


@main.group()
def bank() -> None:
    """Validate and inspect item banks."""


def _load_or_exit(paths: tuple[str, ...]) -> Catalogue:
    try:
        return load_banks(paths)
    except BankInvalid as exc:
        for error in exc.errors:
            click.echo(str(error), err=True)
        click.echo(f"{len(exc.errors)} problem(s) found; nothing loaded.", err=True)
        sys.exit(1)


@bank.command("validate")
@click.argument("paths", nargs=-1, required=True)
def bank_validate(paths: tuple[str, ...]) -> None:
    """Check bank files; print every problem as path:line: field: message."""
    catalogue = _load_or_exit(paths)
    click.echo(f"OK: {len(catalogue.banks)} bank(s), {len(catalogue.items)} item(s), {len(catalogue.forms)} form(s)")
    for form in catalogue.forms.values():
        click.echo(
            f"  form {form.id}: {len(form.sections)} section(s), {len(form.item_ids())} item(s), "
            f"{form.budget_minutes} of {form.time_limit_minutes} minutes budgeted"
        )


@bank.command("list")
@click.argument("paths", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the items as a JSON array.")
def bank_list(paths: tuple[str, ...], as_json: bool) -> None:
    """List the items of bank files."""
    catalogue = _load_or_exit(paths)
    rows = [
        {
            "id": item.item_id,
            "version": item.version,
            "type": item.type,
            "section": item.section,
            "title": item.title,
            "prompt": getattr(item.body, "prompt", ""),
        }
        for item in catalogue.items.values()
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        click.echo(f"{row['id']:<32} {row['type']:<16} {row['section']:<22} {row['title']}")


@main.command("score")
@click.argument("bank_path")
@click.argument("responses", type=click.Path(dir_okay=False))
def score(bank_path: str, responses: str) -> None:
    """Score RESPONSES.jsonl ({"item": ID, "response": ...} per line) against a bank."""
    catalogue = _load_or_exit((bank_path,))
    failed = False
    try:
        lines = Path(responses).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        click.echo(f"{responses}: cannot read: {exc}", err=True)
        sys.exit(1)
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or "item" not in record or "response" not in record:
                raise ValueError('expected an object with "item" and "response"')
            item = catalogue.items.get(record["item"])
            if item is None:
                raise ValueError(f"no item {record['item']!r} in {bank_path}")
            result = score_item(item, parse_response(item, record["response"]), record.get("variant"))
        except (ValueError, ResponseError) as exc:
            click.echo(f"{responses}:{number}: {exc}", err=True)
            failed = True
            continue
        click.echo(json.dumps({"item": item.item_id, "version": item.version, **result.as_json()}))
    sys.exit(1 if failed else 0)


def _fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(1)


def _settings() -> Settings:
    try:
        return settings_from_env()
    except ValueError as exc:
        _fail(f"configuration: {exc}")


@contextmanager
def _database(settings: Settings) -> Iterator[Session]:
    """A session on the configured database, upgraded first as the app does on start."""
    upgrade_database(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def _shown_url(url: str) -> str:
    return sqlalchemy_url(url).render_as_string(hide_password=True)


@main.group()
def db() -> None:
    """Manage the database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration the database lacks (the app also does this on start)."""
    settings = _settings()
    upgrade_database(settings.database_url)
    click.echo(f"Database is up to date: {_shown_url(settings.database_url)}")


@main.group()
def campaign() -> None:
    """Create campaigns: a role and the assessment form its candidates take."""


@campaign.command("create")
@click.argument("slug")
@click.option("--title", required=True, help="What the hiring team calls this campaign.")
@click.option("--role", required=True, help="The role being hired for.")
@click.option("--form", "form_id", required=True, help="The id of an assessment form in the banks.")
def campaign_create(slug: str, title: str, role: str, form_id: str) -> None:
    """Create campaign SLUG on an assessment form of the configured banks."""
    settings = _settings()
    catalogue = _load_or_exit(settings.bank_paths)
    with _database(settings) as session:
        try:
            created = create_campaign(session, slug, title, role, form_id, catalogue, system_clock())
        except ValueError as exc:
            _fail(str(exc))
    click.echo(f"Created campaign {created.slug}: {created.title} ({created.role}), form {created.form_id}")


@main.command("invite")
@click.argument("campaign_slug", metavar="CAMPAIGN")
@click.argument("email")
@click.option("--extra-time", default="1", show_default=True, help="Time limit multiplier, e.g. 1.25 or 1.5.")
@click.option(
    "--valid-days",
    default=14,
    show_default=True,
    type=click.IntRange(1, 365),
    help="Days the link can be started.",
)
def invite(campaign_slug: str, email: str, extra_time: str, valid_days: int) -> None:
    """Invite EMAIL to CAMPAIGN and print the candidate's single-use link.

    The link is shown once and cannot be recovered: only its hash is stored.
    """
    settings = _settings()
    try:
        multiplier = Decimal(extra_time)
    except InvalidOperation:
        _fail(f"--extra-time must be a number such as 1.25, got {extra_time!r}")
    with _database(settings) as session:
        try:
            invitation, token = create_invitation(
                session, campaign_slug, email, system_clock(), multiplier, timedelta(days=valid_days)
            )
        except ValueError as exc:
            _fail(str(exc))
    click.echo(
        f"Invitation {invitation.id} for {invitation.email} to {campaign_slug}, "
        f"extra time x{invitation.extra_time}, valid until {invitation.expires_at:%Y-%m-%d %H:%M} UTC:",
        err=True,
    )
    click.echo(f"{settings.public_url}/t/{token}")


@main.command("finalize-expired")
def finalize_expired_command() -> None:
    """Finalize and grade every attempt past its deadline (for cron; the app also sweeps)."""
    settings = _settings()
    with _database(settings) as session:
        count = finalize_expired(session, system_clock(), settings.grace_seconds)
    click.echo(f"Finalized {count} attempt(s) past their deadline.")


@main.command("grant-time")
@click.argument("attempt_id", type=int)
@click.argument("minutes", type=int)
@click.option("--by", "granted_by", required=True, help="Who grants the time (recorded in the log).")
@click.option("--reason", default="", help="Why (recorded in the log).")
def grant_time(attempt_id: int, minutes: int, granted_by: str, reason: str) -> None:
    """Give a running attempt MINUTES more; its open page picks this up within seconds."""
    settings = _settings()
    with _database(settings) as session:
        try:
            attempt = grant_extra_time(session, attempt_id, minutes, granted_by, reason, system_clock())
        except (NoSuchAttempt, AttemptClosed, ValueError) as exc:
            _fail(str(exc))
    click.echo(
        f"Attempt {attempt.id} now ends at {attempt.deadline:%Y-%m-%d %H:%M:%S} UTC "
        f"(+{minutes} min by {granted_by})."
    )


@main.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Set up and print the link, but do not start the server.")
def demo(host: str, port: int, no_serve: bool) -> None:
    """Create the demo campaign and a fresh candidate link, then serve the app."""
    shown_host = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host
    settings = replace(_settings(), public_url=f"http://{shown_host}:{port}")
    catalogue = _load_or_exit(settings.bank_paths)
    if DEMO_FORM not in catalogue.forms:
        _fail(f"the banks in {', '.join(settings.bank_paths)} have no form {DEMO_FORM!r}")
    now = system_clock()
    with _database(settings) as session:
        if campaign_by_slug(session, DEMO_CAMPAIGN) is None:
            create_campaign(
                session,
                DEMO_CAMPAIGN,
                "Account Manager (SMB), demo",
                "Account Manager (SMB)",
                DEMO_FORM,
                catalogue,
                now,
            )
        _, token = create_invitation(session, DEMO_CAMPAIGN, DEMO_EMAIL, now)
    click.echo(f"Database: {_shown_url(settings.database_url)}")
    click.echo(f"Demo campaign: {DEMO_CAMPAIGN} (form {DEMO_FORM})")
    click.echo(f"Candidate link (single use, valid 14 days): {settings.public_url}/t/{token}")
    if no_serve:
        return
    from assess import create_app  # the web app is only needed when serving

    click.echo("Serving; press Ctrl+C to stop.")
    create_app({"SETTINGS": settings}).run(host=host, port=port)
