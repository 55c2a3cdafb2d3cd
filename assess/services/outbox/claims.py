"""Claiming due deliveries: each row is one worker's for a lease, so any number of workers may run."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from assess.models import Delivery
from assess.services.outbox.auth import registered_prefixes
from assess.services.outbox.queue import WAITING

#: A claimed row is someone's for this long: longer than a send can take, so two workers never
#: send it at once, short enough that a worker that died mid-send hands it on soon.
LEASE = timedelta(seconds=60)


def _due(now: datetime) -> ColumnElement[bool]:
    # A process that cannot authenticate a row (its provider is registered elsewhere in the app,
    # e.g. not by the command line) leaves it, untried, to one that can.
    prefixes = registered_prefixes()
    sendable = [Delivery.auth == prefix for prefix in prefixes] + [
        Delivery.auth.startswith(f"{prefix}:", autoescape=True) for prefix in prefixes
    ]
    return and_(Delivery.status.in_(WAITING), Delivery.next_attempt_at <= now, or_(*sendable))


def claim_due(session_factory: sessionmaker[Session], now: datetime, limit: int) -> list[tuple[int, int]]:
    """(id, the try it is now) of each row this worker claimed; committed before any send."""
    with session_factory() as session:
        query = (
            select(Delivery.id, Delivery.attempts)
            .where(_due(now))
            .order_by(Delivery.next_attempt_at, Delivery.id)
            .limit(limit)
        )
        postgres = session.get_bind().dialect.name == "postgresql"
        if postgres:
            # Rows another worker is claiming are skipped, not waited for.
            query = query.with_for_update(skip_locked=True)
        found = session.execute(query).all()
        if not postgres:
            # SQLite cannot turn a read snapshot into a write once another writer committed;
            # the conditional UPDATEs below are the claim there.
            session.rollback()
        claimed = []
        for delivery_id, attempts in found:
            taken = session.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id, Delivery.attempts == attempts, _due(now))
                .values(attempts=attempts + 1, next_attempt_at=now + LEASE, last_attempt_at=now)
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                claimed.append((delivery_id, attempts + 1))
        session.commit()
    return claimed
