"""One deadline sweep at a time across every worker and host, and a killed sweeper blocks nobody."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from assess.commands.serve import SWEEP_LOCK_KEY, ExclusiveSweep
from assess.models import Attempt
from assess.services.attempt_start import create_attempt
from assess.services.campaigns import create_campaign
from assess.services.invitations import create_invitation
from items.bank import Catalogue

# The sweep's advisory lock is one per PostgreSQL server: these and the fault run share a worker.
pytestmark = [
    pytest.mark.faults,
    pytest.mark.xdist_group("sweep_lock"),
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]

GRACE = 30


@pytest.fixture
def expired_attempt(
    session_factory: sessionmaker[Session], catalogue: Catalogue, form_id: str, clock: Any
) -> int:
    """An attempt started ten hours ago (forms last at most eight): past its deadline and grace."""
    started = clock() - timedelta(hours=10)
    with session_factory() as session:
        create_campaign(session, "sweep-lock", "Sweep", "Account Manager", form_id, catalogue, started)
        invitation, _ = create_invitation(session, "sweep-lock", "late@example.com", started)
        return create_attempt(session, invitation, catalogue, started, random.Random(1)).id


def _engine(session_factory: sessionmaker[Session]) -> Engine:
    bind = session_factory.kw["bind"]
    assert isinstance(bind, Engine)
    return bind


def _sweep(session_factory: sessionmaker[Session], clock: Any) -> ExclusiveSweep:
    return ExclusiveSweep(_engine(session_factory), session_factory, clock, GRACE, interval_seconds=60)


def _soon(check: Callable[[], Any], seconds: float = 10) -> Any:
    """``check()``'s first truthy value. The lock is database-wide: a server of another test
    run on the same database may hold it for the few milliseconds of its own round."""
    deadline = time.monotonic() + seconds
    while not (value := check()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return value


def _take_lock(connection: Connection) -> bool:
    return bool(_soon(lambda: connection.scalar(select(func.pg_try_advisory_lock(SWEEP_LOCK_KEY)))))


def test_a_sweep_skips_its_round_while_another_holds_the_lock(
    session_factory: sessionmaker[Session], expired_attempt: int, clock: Any
) -> None:
    with _engine(session_factory).connect() as other_sweeper:
        assert _take_lock(other_sweeper)
        assert _sweep(session_factory, clock).sweep_once() == 0
        with session_factory() as session:
            assert session.get_one(Attempt, expired_attempt).finalized_at is None
        other_sweeper.scalar(select(func.pg_advisory_unlock(SWEEP_LOCK_KEY)))
    assert _soon(_sweep(session_factory, clock).sweep_once) == 1
    with session_factory() as session:
        assert session.get_one(Attempt, expired_attempt).finalized_by == "deadline"


def test_a_sweeper_killed_while_holding_the_lock_releases_it_with_its_connection(
    session_factory: sessionmaker[Session], expired_attempt: int, clock: Any
) -> None:
    engine = _engine(session_factory)
    doomed = engine.connect()
    pid = doomed.scalar(select(func.pg_backend_pid()))
    assert _take_lock(doomed)
    # What kill -9 of the sweeping worker does to its connection.
    with engine.connect() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        admin.commit()
    doomed.invalidate()
    doomed.close()
    assert _soon(_sweep(session_factory, clock).sweep_once) == 1
    # The lock is free again afterwards: the next round (of any worker) may take it.
    with engine.connect() as later:
        assert _take_lock(later)
        later.scalar(select(func.pg_advisory_unlock(SWEEP_LOCK_KEY)))
