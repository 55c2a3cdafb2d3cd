"""``assess db upgrade``, and how the other commands find the configured database and open it.

Only ``assess db upgrade``, ``assess demo`` and ``assess serve`` create a database. Every
other command opens an existing one, so a command run from the wrong directory, or with
a mistyped DATABASE_URL, says where it looked instead of filling an empty new database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from assess.commands import fail
from assess.config import Settings, settings_from_env, shared_storage
from assess.db import make_engine, make_session_factory, sqlalchemy_url, upgrade_database
from assess.services.ats_notices import register_app
from assess.services.status_board import STATUS_BOARD, status_board_for

HOW_TO_CREATE = (
    "`assess db upgrade` creates it (`assess demo` also adds a demo campaign); "
    "or set DATABASE_URL (or ASSESS_HOME) to the one you mean"
)


def settings_or_exit() -> Settings:
    try:
        return settings_from_env()
    except ValueError as exc:
        fail(f"configuration: {exc}")


def shown_url(url: str) -> str:
    return sqlalchemy_url(url).render_as_string(hide_password=True)


def database_problem(url: str) -> str | None:
    """Why the database at ``url`` cannot be used as it is, or None; never creates it."""
    parsed = sqlalchemy_url(url)
    path = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and path not in {"", ":memory:"} and not Path(path).is_file():
        return f"no database at {path}: {HOW_TO_CREATE}"
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            has_schema = inspect(connection).has_table("alembic_version")
    except SQLAlchemyError as exc:
        return f"cannot open the database {shown_url(url)}: {_reason(exc)}"
    finally:
        engine.dispose()
    if not has_schema:
        return f"the database {shown_url(url)} has no assess tables: {HOW_TO_CREATE}"
    return None


def _reason(exc: SQLAlchemyError) -> str:
    """The driver's own first line ("connection refused"), without SQLAlchemy's wrapping."""
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]


@contextmanager
def open_database(settings: Settings) -> Iterator[Session]:
    """A session on the configured database, which must exist; refused with exit 1 when it does not.

    Migrations it lacks are applied first, as the app does on start.
    """
    problem = database_problem(settings.database_url)
    if problem is not None:
        fail(problem)
    upgrade_database(settings.database_url)
    engine = make_engine(settings.database_url)
    # An attempt the CLI finalizes or grades tells the connected ATSs, as one the app's sweep does.
    register_app(engine.url.render_as_string(hide_password=False), settings.secret_key)
    try:
        # The CLI's grants and revocations reach the status board the app's polls read.
        board = status_board_for(shared_storage())
        with make_session_factory(engine, {STATUS_BOARD: board} if board else None)() as session:
            yield session
    finally:
        engine.dispose()


@click.group()
def db() -> None:
    """Create the database or bring its schema up to date."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create the configured database, or apply every migration it lacks (the app also does this on start)."""
    settings = settings_or_exit()
    try:
        upgrade_database(settings.database_url)
    except SQLAlchemyError as exc:
        fail(f"cannot create or upgrade the database {shown_url(settings.database_url)}: {_reason(exc)}")
    click.echo(f"Database is up to date: {shown_url(settings.database_url)}")
