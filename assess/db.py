"""Engines, sessions and schema upgrades for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import select as io_select
import time
from collections.abc import Mapping
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
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

if TYPE_CHECKING:
    from assess.clock import Clock
    from assess.config import Settings
    from items.bank import Catalogue

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

#: Any fixed number: every process upgrading the same PostgreSQL database takes this lock first.
_UPGRADE_LOCK_KEY = 4_151_204

#: How long a SQLite writer waits for another writer before giving up, in seconds.
_SQLITE_BUSY_TIMEOUT = 30

#: A pooled connection idle longer than this is pinged before use (seconds): a firewall or a
#: failover may have dropped it without a word to either end, which only a round trip shows.
PING_AFTER_IDLE_SECONDS = 30

_IDLE_SINCE = "assess_idle_since"


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
    engine = create_engine(parsed, pool_size=5, max_overflow=10)
    watch_liveness(engine)
    return engine


def watch_liveness(engine: Engine) -> None:
    """Replace a pooled connection the server has ended before a request gets it.

    A PostgreSQL restart or failover must not surface as an error to a candidate. SQLAlchemy's
    pre-ping costs every request a round trip; instead, a server that ends a connection (a
    restart, pg_terminate_backend, an idle timeout) says so on its socket, which a zero-wait
    poll reads. Only a connection idle past ``PING_AFTER_IDLE_SECONDS`` is pinged.
    """

    def note_checkin(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    def check_checkout(
        dbapi_connection: Any, record: ConnectionPoolEntry, proxy: PoolProxiedConnection
    ) -> None:
        idle_since = record.info.pop(_IDLE_SINCE, None)
        if idle_since is None:
            return  # opened for this checkout
        if has_hung_up(dbapi_connection):
            raise DisconnectionError("the server ended this connection while it was idle in the pool")
        if time.monotonic() - idle_since > PING_AFTER_IDLE_SECONDS:
            try:
                engine.dialect.do_ping(dbapi_connection)
            except engine.dialect.loaded_dbapi.Error as exc:
                raise DisconnectionError("an idle pooled connection no longer answers") from exc

    event.listen(engine, "checkin", note_checkin)
    event.listen(engine, "checkout", check_checkout)


def has_hung_up(dbapi_connection: Any) -> bool:
    """Whether an idle connection's server has spoken or closed: nothing else makes its socket readable."""
    if dbapi_connection.closed:
        return True
    readable, _, _ = io_select.select([dbapi_connection.fileno()], [], [], 0)
    return bool(readable)


def _configure_sqlite(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets pages read while an answer is being written; foreign keys are off by default.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT * 1000}")
    cursor.close()


def make_session_factory(engine: Engine, info: Mapping[str, Any] | None = None) -> sessionmaker[Session]:
    """``info``: what every session carries to the services (the status board, when there is one)."""
    # Services commit and hand their objects to routes and templates: keep them loaded.
    return sessionmaker(bind=engine, expire_on_commit=False, info=dict(info or {}))


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
