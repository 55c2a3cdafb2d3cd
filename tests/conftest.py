"""Fixtures shared by every test that needs a database, a catalogue or a clock.

Every database test runs twice, on SQLite and on PostgreSQL (``database_url``'s
ids are exactly ``sqlite`` and ``postgresql``). PostgreSQL tests start on an empty
schema each (the process's own, emptied), so they are isolated and can run in any order. Without a
reachable server they are skipped, except in CI, where they must run.
"""

from __future__ import annotations

import functools
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from sqlalchemy import URL, Engine, create_engine, inspect, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool
from werkzeug.routing import Rule
from werkzeug.security import generate_password_hash

from assess.db import head_revision, make_engine, make_session_factory, sqlalchemy_url, upgrade_database
from assess.models import Base
from assess.services import staff
from items.bank import BankInvalid, Catalogue, load_banks

REPO = Path(__file__).resolve().parent.parent
SHIPPED_BANKS = REPO / "items" / "banks"
FIXTURE_BANKS = REPO / "tests" / "fixtures" / "banks"
DEFAULT_POSTGRESQL_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


#: scrypt at an eighth of werkzeug's cost (10 ms, not 100): still a real salted hash that only
#: its password opens, but at the production cost staff accounts and sign-ins took a third of
#: the integration tests' time.
TEST_PASSWORD_HASH = "scrypt:4096:8:1"


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        cheap = functools.partial(generate_password_hash, method=TEST_PASSWORD_HASH)
        patch.setattr(staff, "generate_password_hash", cheap)
        # An unknown email is checked against this hash: it must cost what a real account's does.
        patch.setattr(staff, "_DUMMY_HASH", cheap("not a real password, only for timing"))
        yield


class SharedTemplateCode(BytecodeCache):
    """Compiled templates kept for every app a test process creates.

    Each test builds its own app, whose Jinja environment compiled every template again: a tenth
    of a second per test. Jinja checks a cached template against its source's checksum.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


@pytest.fixture(scope="session", autouse=True)
def _shared_template_code() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Flask, "jinja_options", {**Flask.jinja_options, "bytecode_cache": SharedTemplateCode()})
        yield


@pytest.fixture(scope="session", autouse=True)
def _shared_url_builders() -> Iterator[None]:
    """URL-building code compiled once per route for every app a test process creates.

    For each app, werkzeug compiles two URL builders per route (an AST, then ``compile``): 55 ms of
    the 70 ms an app took to create. The code depends only on the route's parsed parts, its
    defaults and its converters, and reads the converters from the route it is bound to.
    """
    compile_builder = Rule._compile_builder
    built: dict[str, Callable[..., tuple[str, str]]] = {}

    def shared(rule: Rule, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        converters = sorted((name, type(found).__name__) for name, found in rule._converters.items())
        key = repr((rule._trace, sorted((rule.defaults or {}).items()), converters, append_unknown))
        if key not in built:
            built[key] = compile_builder(rule, append_unknown)
        return built[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Rule, "_compile_builder", shared)
        yield


def postgresql_server_url() -> str:
    return os.environ.get("TEST_DATABASE_URL") or DEFAULT_POSTGRESQL_URL


@pytest.fixture(scope="session")
def postgresql_problem() -> str | None:
    """Why PostgreSQL cannot be used, or None when it can; asked once per run."""
    url = sqlalchemy_url(postgresql_server_url())
    try:
        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(conninfo, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL at {url.render_as_string(hide_password=True)} is unreachable: {exc}".strip()


def _terminate_others(admin: Engine, schema: str) -> None:
    """End connections a test left open on ``schema`` (server threads, subprocesses)."""
    with admin.begin() as connection:
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = :name AND pid <> pg_backend_pid()"
            ),
            {"name": schema},
        )


def _schema_url(server: URL, schema: str) -> str:
    # application_name marks this schema's connections so they can be ended between tests.
    # synchronous_commit off: a test's commits need not wait for the disk (a crash loses only a
    # test run), which takes most of the time PostgreSQL spends on a thousand small schemas.
    options = f"-csearch_path={schema} -csynchronous_commit=off"
    return server.update_query_dict({"options": options, "application_name": schema}).render_as_string(
        hide_password=False
    )


#: PostgreSQL schemas ``_emptied`` just found at the newest migration: the test's schema needs no
#: building and no upgrade (two connections and a migration check each, on every test).
_AT_HEAD: set[str] = set()


def _emptied(url: str) -> bool:
    """Delete every row and restart every sequence, if the schema is still the models' at head.

    Creating the tables costs half a second a test on PostgreSQL, deleting a test's few rows a
    few milliseconds. A schema a test changed (a dropped table, an older revision) is not reused.
    """
    tables = Base.metadata.sorted_tables
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            present = set(inspect(connection).get_table_names())
            if present != {table.name for table in tables} | {"alembic_version"}:
                return False
            if connection.scalar(text("SELECT version_num FROM alembic_version")) != head_revision():
                return False
            deletes = "".join(f'DELETE FROM "{table.name}";' for table in reversed(tables))
            connection.exec_driver_sql(
                deletes + "DO $$ DECLARE found record; BEGIN "
                "FOR found IN SELECT sequence_name FROM information_schema.sequences "
                "WHERE sequence_schema = current_schema() "
                "LOOP EXECUTE 'ALTER SEQUENCE ' || quote_ident(found.sequence_name) || ' RESTART'; "
                "END LOOP; END $$"
            )
        return True
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def postgresql_worker_schema(postgresql_problem: str | None, worker_id: str) -> Iterator[str | None]:
    """One schema per test process, emptied before each test that uses it, dropped at the end."""
    if postgresql_problem is not None:
        yield None
        return
    schema = f"w_{worker_id}_{secrets.token_hex(4)}"
    admin = create_engine(sqlalchemy_url(postgresql_server_url()), poolclass=NullPool)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        _terminate_others(admin, schema)
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    postgresql_problem: str | None,
    postgresql_worker_schema: str | None,
) -> Iterator[str]:
    """A URL to an empty database of each backend.

    PostgreSQL: the process's schema, emptied of the last test's rows; a test marked
    ``fresh_schema`` (one that builds the schema itself, as the migration tests do) gets a
    schema of its own with no tables, removed after it.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    if postgresql_problem is not None or postgresql_worker_schema is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the PostgreSQL tests: {postgresql_problem}")
        pytest.skip(postgresql_problem or "PostgreSQL is unreachable")
    server = sqlalchemy_url(postgresql_server_url())
    admin = create_engine(server, poolclass=NullPool)
    fresh = request.node.get_closest_marker("fresh_schema") is not None
    schema = f"t_{secrets.token_hex(6)}" if fresh else postgresql_worker_schema
    url = _schema_url(server, schema)
    try:
        _terminate_others(admin, schema)
        if not fresh and _emptied(url):
            _AT_HEAD.add(url)
        else:
            with admin.begin() as connection:
                if not fresh:
                    connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        yield url
    finally:
        _AT_HEAD.discard(url)
        _terminate_others(admin, schema)
        if fresh:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file upgraded through every migration, copied for each test that needs a schema."""
    path = tmp_path_factory.mktemp("template") / "migrated.sqlite3"
    upgrade_database(f"sqlite:///{path}")
    return path


def _build_schema(database_url: str, migrated_sqlite: Path) -> None:
    """The schema the migrations build, made the fast way (test_migrations proves they are the same).

    Running every migration for each of a thousand tests cost minutes: SQLite copies a file
    migrated once; PostgreSQL creates the models' tables and records the head revision.
    """
    url = sqlalchemy_url(database_url)
    if url.get_backend_name() == "sqlite":
        target = Path(url.database or "")
        if not target.exists():
            shutil.copyfile(migrated_sqlite, target)
        return
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            if inspect(connection).has_table("alembic_version"):
                return  # built already (a test upgraded it first); the upgrade below finishes it
            Base.metadata.create_all(connection)
            connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
            connection.execute(text("INSERT INTO alembic_version VALUES (:head)"), {"head": head_revision()})
    finally:
        engine.dispose()


@pytest.fixture
def session_factory(database_url: str, migrated_sqlite: Path) -> Iterator[sessionmaker[Session]]:
    """Sessions on a database at the newest migration; the engine is disposed after the test."""
    if database_url not in _AT_HEAD:
        _build_schema(database_url, migrated_sqlite)
        upgrade_database(database_url)
    engine = make_engine(database_url)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as opened:
        yield opened


def _shipped_or_fixture_catalogue() -> tuple[Catalogue, Path]:
    try:
        return load_banks([SHIPPED_BANKS]), SHIPPED_BANKS
    except BankInvalid:
        return load_banks([FIXTURE_BANKS]), FIXTURE_BANKS


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    """The shipped bank when it validates, else the small fixture bank."""
    return _shipped_or_fixture_catalogue()[0]


@pytest.fixture(scope="session")
def catalogue_path() -> Path:
    """The bank directory ``catalogue`` came from (for ASSESS_BANKS)."""
    return _shipped_or_fixture_catalogue()[1]


@pytest.fixture(scope="session")
def form_id(catalogue: Catalogue) -> str:
    """The form to run attempts on: the shipped form, or the fixture bank's."""
    return "account-manager-smb" if "account-manager-smb" in catalogue.forms else "sample-form"


@pytest.fixture(scope="session")
def sample_catalogue() -> Catalogue:
    """The fixture bank: single_choice items whose keys the tests know (form ``sample-form``)."""
    return load_banks([FIXTURE_BANKS])


class ControllableClock:
    """A server clock for tests: returns the same aware UTC time until advanced."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float = 0, minutes: float = 0) -> datetime:
        self.now += timedelta(seconds=seconds, minutes=minutes)
        return self.now


@pytest.fixture
def clock() -> ControllableClock:
    # Starts at the real time (whole seconds), so it can sit next to anything that reads the wall clock.
    return ControllableClock(datetime.now(UTC).replace(microsecond=0))
