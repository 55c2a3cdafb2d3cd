"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assess.db import alembic_config, make_engine, upgrade_database
from assess.models import Attempt, Base
from assess.services.attempt_phase import Phase, phase_of

# Each test builds the schema itself, from no tables.
pytestmark = pytest.mark.fresh_schema


def test_upgrade_on_an_empty_database_matches_the_models(database_url: str) -> None:
    upgrade_database(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
            assert set(inspect(connection).get_table_names()) == {*Base.metadata.tables, "alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_twice_is_harmless(database_url: str) -> None:
    upgrade_database(database_url)
    upgrade_database(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            head = ScriptDirectory.from_config(alembic_config()).get_current_head()
            assert MigrationContext.configure(connection).get_current_revision() == head
    finally:
        engine.dispose()


def test_attempts_started_before_preparations_stay_started_after_the_upgrade(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "0008_staff_sessions")
            at = datetime(2026, 12, 1, 9, tzinfo=UTC)
            # As the models store it: SQLite holds naive UTC.
            stored = at if connection.dialect.name == "postgresql" else at.replace(tzinfo=None)
            connection.execute(
                text(
                    "INSERT INTO campaigns (id, slug, title, role, form_id, created_at)"
                    " VALUES (1, 'c', 'C', 'R', 'f', :at)"
                ),
                {"at": stored},
            )
            connection.execute(
                text(
                    "INSERT INTO invitations"
                    " (id, campaign_id, email, token_hash, expires_at, extra_time, created_at)"
                    " VALUES (1, 1, 'a@example.com', 'h', :at, 1, :at)"
                ),
                {"at": stored},
            )
            connection.execute(
                text(
                    "INSERT INTO attempts (id, invitation_id, campaign_id, form_id, started_at, deadline)"
                    " VALUES (1, 1, 1, 'f', :at, :ends)"
                ),
                {"at": stored, "ends": stored + timedelta(minutes=30)},
            )
        upgrade_database(database_url)
        with Session(engine) as session:
            attempt = session.get_one(Attempt, 1)
            assert attempt.started_at == at and attempt.form_version is None
            assert phase_of(attempt, at, 30) is Phase.OPEN
            # The database refuses a deadline without a start (a half-started attempt).
            with pytest.raises(IntegrityError):
                session.execute(update(Attempt).where(Attempt.id == 1).values(started_at=None))
                session.flush()
    finally:
        engine.dispose()
