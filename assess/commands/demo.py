"""``assess demo``: a campaign worth exploring (``assess.demo.cohort``), its logins, and the app."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import click
from sqlalchemy import event

from assess.clock import system_clock
from assess.commands import fail, fail_with_problems
from assess.commands.banks import load_or_exit
from assess.commands.database import settings_or_exit, shown_url
from assess.db import make_engine, make_session_factory, upgrade_database
from assess.demo.cohort import DEFAULT_CANDIDATES, DEFAULT_SEED, FORM_ID, DemoUnavailable, build_demo
from assess.services.mail import candidate_link
from assess.services.scorecards import kit_catalogue
from items.located_yaml import FilesInvalid

#: A cohort this large takes about a minute to build; the demo is for exploring, not load.
MAX_CANDIDATES = 2000


def _sync_at_checkpoints(dbapi_connection: Any, connection_record: Any) -> None:
    # The services commit once per action, about six times per candidate; in WAL mode NORMAL
    # leaves out each commit's fsync (a quarter of the build's time) and never risks corruption,
    # only the last commits on a power cut. This engine builds the demo; the app opens its own.
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Set up and print the link, but do not start the server.")
@click.option(
    "--candidates",
    default=DEFAULT_CANDIDATES,
    show_default=True,
    type=click.IntRange(1, MAX_CANDIDATES),
    help="How many candidates the demo campaign gets (on a database without it).",
)
@click.option(
    "--seed",
    default=DEFAULT_SEED,
    show_default=True,
    type=int,
    help="The same seed builds the same candidates, answers and scores.",
)
def demo(host: str, port: int, no_serve: bool, candidates: int, seed: int) -> None:
    """Build the demo campaign (once per database), print a fresh candidate link and logins, serve the app.

    The campaign has candidates at every stage, from invited to hired. Run again, it keeps
    them and prints a new link and new passwords.
    """
    # Not a bind: a server listening on every interface is shown as a loopback link.
    shown_host = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host  # nosec B104
    settings = replace(settings_or_exit(), public_url=f"http://{shown_host}:{port}")
    catalogue = load_or_exit(settings.bank_paths)
    try:
        kits = kit_catalogue()
    except FilesInvalid as exc:
        fail_with_problems(exc.errors, "nothing built", " in the interview kits")
    upgrade_database(settings.database_url)
    engine = make_engine(settings.database_url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sync_at_checkpoints)
    try:
        with make_session_factory(engine)() as session:
            logins = build_demo(session, catalogue, kits, candidates, seed, system_clock())
    except DemoUnavailable as exc:
        fail(str(exc))
    finally:
        engine.dispose()
    click.echo(f"Database: {shown_url(settings.database_url)}")
    cohort = (
        "built now"
        if logins.built
        else "kept from an earlier run; --candidates and --seed apply to a new one"
    )
    click.echo(
        f"Demo campaign: {logins.campaign_slug} (form {FORM_ID}), {logins.invitations} invitations, {cohort}"
    )
    link = candidate_link(settings.public_url, logins.candidate_token)
    click.echo(f"Candidate link (single use, valid 14 days): {link}")
    click.echo(f"Staff login: {settings.public_url}/staff/login  (passwords are new on every run)")
    for login in logins.staff:
        click.echo(f"  {login.role:<12} email: {login.email:<30} password: {login.password}")
    if no_serve:
        return
    from assess import create_app  # the web app is only needed when serving

    click.echo("Serving; press Ctrl+C to stop.")
    create_app({"SETTINGS": settings}).run(host=host, port=port)
