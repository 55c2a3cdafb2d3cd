"""Engines, sessions and schema upgrades for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import current_app, g
from sqlalchemy import Connection, Engine, create_engine, event, func, inspect, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from assess.clock import Clock
    from assess.config import Settings
    from items.bank import Catalogue

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

#: Any fixed number: every process upgrading the same PostgreSQL database takes this lock first.
_UPGRADE_LOCK_KEY = 4_151_204

#: How long a SQLite writer waits for another writer before giving up, in seconds.
_SQLITE_BUSY_TIMEOUT = 30


def sqlalchemy_url(url: str) -> URL:
    """The URL with ``postgres://`` and ``postgresql://`` mapped to the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in {"postgres", "postgresql"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str) -> Engine:
    parsed = sqlalchemy_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": _SQLITE_BUSY_TIMEOUT})
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    # pre_ping: a PostgreSQL restart or failover must not surface as an error to a candidate.
    return create_engine(parsed, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _configure_sqlite(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets pages read while an answer is being written; foreign keys are off by default.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT * 1000}")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    # Services commit and hand their objects to routes and templates: keep them loaded.
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config() -> Config:
    """Alembic's configuration, built in code so that no alembic.ini has to be found."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    """The newest migration; the scripts do not change while a process runs."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def is_current(connection: Connection) -> bool:
    """Whether the schema is at the newest migration (read without loading the migrations)."""
    if not inspect(connection).has_table("alembic_version"):
        return False
    stored = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return stored == [head_revision()]


def upgrade_database(url: str) -> None:
    """Bring the schema to the newest migration; safe when several workers start at once."""
    engine = make_engine(url)
    try:
        # Every worker and command starts here: an up-to-date schema costs one read, not a migration run.
        with engine.connect() as connection:
            if is_current(connection):
                return
        with engine.begin() as connection:
            if engine.dialect.name == "sqlite":
                # One writer for the whole upgrade, so two processes never both create tables.
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            elif engine.dialect.name == "postgresql":
                connection.execute(select(func.pg_advisory_xact_lock(_UPGRADE_LOCK_KEY)))
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()


@dataclass(frozen=True)
class AppState:
    """What one app instance is built from; requests reach it through ``app_state()``."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    catalogue: Catalogue
    clock: Clock


def app_state() -> AppState:
    state: AppState = current_app.extensions["assess"]
    return state


def db_session() -> Session:
    """This request's session, opened on first use and closed when the request ends."""
    if "db_session" not in g:
        g.db_session = app_state().session_factory()
    session: Session = g.db_session
    return session


def close_session(exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.close()
