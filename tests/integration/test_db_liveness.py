"""The pool hands out live connections without a round trip per request (assess.db.watch_liveness)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from assess.db import make_engine


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_connection_the_server_ended_while_pooled_is_replaced_without_an_error(database_url: str) -> None:
    engine = make_engine(database_url)
    admin = make_engine(database_url)
    try:
        with engine.connect() as connection:
            ended = connection.scalar(text("SELECT pg_backend_pid()"))
        # As a PostgreSQL restart does to every backend: the server ends the idle connection.
        with admin.connect() as connection:
            # pg_terminate_backend only signals; wait (up to 5 s) until the backend has ended.
            assert connection.scalar(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": ended})
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT pg_backend_pid()")) != ended
    finally:
        engine.dispose()
        admin.dispose()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_live_pooled_connection_is_reused(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            first = connection.scalar(text("SELECT pg_backend_pid()"))
        for _ in range(3):
            with engine.connect() as connection:
                assert connection.scalar(text("SELECT pg_backend_pid()")) == first
    finally:
        engine.dispose()
