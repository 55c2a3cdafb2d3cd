"""Alembic environment: run by ``assess.db.upgrade_database`` with an open connection.

To write a new revision against a scratch database::

    python -c "from alembic import command; from assess.db import alembic_config; \
        c = alembic_config(); c.attributes['url'] = 'sqlite:///scratch.sqlite3'; \
        command.upgrade(c, 'head'); command.revision(c, 'what changed', autogenerate=True)"

then read the generated file and fix what autogenerate cannot know.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

import assess.models
from assess.db import make_engine

target_metadata = assess.models.Base.metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite alters tables by copying them; batch mode makes that automatic.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    engine = make_engine(context.config.attributes["url"])
    try:
        with engine.begin() as connection:
            run_migrations(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("assess migrations run online only: use `assess db upgrade`.")
run_migrations_online()
