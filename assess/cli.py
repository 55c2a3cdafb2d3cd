"""The ``assess`` command line: bank tools, scoring, and the app's commands."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NoReturn

import click
from sqlalchemy.orm import Session

from assess.clock import system_clock
from assess.commands.analyze import analyze
from assess.commands.demo import demo
from assess.commands.interchange import bank_export, bank_import
from assess.commands.report import report
from assess.commands.serve import serve
from assess.config import Settings, settings_from_env
from assess.db import make_engine, make_session_factory, sqlalchemy_url, upgrade_database
from assess.services.attempts import AttemptClosed, NoSuchAttempt, finalize_expired, grant_extra_time
from assess.services.campaigns import create_campaign
from assess.services.invitations import create_invitation
from assess.services.regrade import NothingToRegrade, RegradeStale, apply_regrade, plan_regrade
from assess.services.staff import ROLES, create_user, set_password, user_by_email
from items.bank import BankInvalid, Catalogue, load_banks
from items.base import ResponseError
from items.interview_kits import load_kits
from items.located_yaml import FilesInvalid
from scoring.items import parse_response, score_item


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


@main.group()
def kit() -> None:
    """Validate interview kits and interviewer question banks."""


@kit.command("validate")
@click.argument("paths", nargs=-1, required=True)
def kit_validate(paths: tuple[str, ...]) -> None:
    """Check kit files; print every problem as path:line: field: message."""
    try:
        catalogue = load_kits(paths)
    except FilesInvalid as exc:
        for error in exc.errors:
            click.echo(str(error), err=True)
        click.echo(f"{len(exc.errors)} problem(s) found; nothing loaded.", err=True)
        sys.exit(1)
    click.echo(f"OK: {len(catalogue.kits)} kit(s), {len(catalogue.question_banks)} question bank(s)")
    for loaded in catalogue.kits.values():
        questions = sum(len(stage.questions) for stage in loaded.stages)
        must_haves = ", ".join(f"{m.competency} >= {m.minimum}" for m in loaded.must_haves) or "none"
        click.echo(
            f"  kit {loaded.id}: {len(loaded.stages)} stage(s), {questions} question(s), "
            f"{len(loaded.competencies)} competencies, {len(loaded.goals)} goal(s), must-haves: {must_haves}"
        )
    for bank_loaded in catalogue.question_banks.values():
        click.echo(
            f"  question bank {bank_loaded.id}: {len(bank_loaded.questions)} question(s), interviewer only"
        )


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


main.add_command(analyze)
main.add_command(demo)
bank.add_command(bank_import)
bank.add_command(bank_export)
main.add_command(serve)


@main.command("regrade")
@click.argument("item_id")
@click.option("--dry-run", "mode", flag_value="dry-run", help="Show scores before and after; change nothing.")
@click.option("--apply", "mode", flag_value="apply", help="Store the new scores (needs --by and --reason).")
@click.option("--by", "by_email", default="", help="The staff account that regrades (recorded).")
@click.option("--reason", default="", help="Why the item is regraded (recorded).")
def regrade(item_id: str, mode: str | None, by_email: str, reason: str) -> None:
    """Re-score finished attempts of ITEM_ID with the key the banks hold now (Invariant 3)."""
    if mode is None:
        _fail("say --dry-run to see the change or --apply to store it")
    settings = _settings()
    catalogue = _load_or_exit(settings.bank_paths)
    with _database(settings) as session:
        try:
            plan = plan_regrade(session, catalogue, item_id)
        except NothingToRegrade as exc:
            _fail(str(exc))
        click.echo(f"{item_id}: the banks hold version {plan.item.version}")
        for row in plan.rows:
            before, after = row.before.points.normalize(), row.after.points.normalize()
            pending = " (awaiting review)" if row.after.pending_review else ""
            click.echo(
                f"  attempt {row.attempt_id} item {row.position + 1} ({row.candidate}), "
                f"key {row.key_version}: {before:f} -> {after:f} of {row.after.max_points.normalize():f}"
                f"{pending}{' ' + row.note if row.note else ''}"
            )
        for attempt_id, why in plan.refused:
            click.echo(f"  attempt {attempt_id}: not regraded, {why}")
        if plan.running:
            click.echo(f"  {plan.running} running attempt(s) keep their pinned version until they finish")
        if mode == "dry-run":
            click.echo(f"Dry run: {len(plan.rows)} attempt(s) would be regraded; nothing changed.")
            return
        actor = user_by_email(session, by_email) if by_email else None
        if actor is None:
            _fail("--apply needs --by EMAIL of an existing staff account")
        try:
            done, applied = apply_regrade(
                session, catalogue, item_id, plan.item.version, actor, reason, system_clock()
            )
        except (NothingToRegrade, RegradeStale, ValueError) as exc:
            _fail(str(exc))
    click.echo(f"Regraded {len(applied.rows)} attempt(s) of {item_id} to version {done.to_version}.")


@main.group()
def user() -> None:
    """Staff accounts: create them and set their passwords."""


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@user.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the account may do.")
@click.option("--name", default="", help="The name shown on the staff pages.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
def user_create(email: str, role: str, name: str, password_stdin: bool) -> None:
    """Create a staff account; the password is asked for (or read from stdin), never printed."""
    settings = _settings()
    password = _read_password(password_stdin)
    with _database(settings) as session:
        try:
            created = create_user(session, email, role, password, name=name, now=system_clock())
        except ValueError as exc:
            _fail(str(exc))
    click.echo(f"Created {created.role} account {created.email}.")


@user.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
def user_set_password(email: str, password_stdin: bool) -> None:
    """Give a staff account a new password; its open sessions end."""
    settings = _settings()
    password = _read_password(password_stdin)
    with _database(settings) as session:
        found = user_by_email(session, email)
        if found is None:
            _fail(f"no staff account {email.strip().lower()}")
        try:
            set_password(session, found, password, system_clock())
        except ValueError as exc:
            _fail(str(exc))
    click.echo(f"Password changed for {found.email}.")


main.add_command(report)
