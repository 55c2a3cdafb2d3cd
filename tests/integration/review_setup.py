"""Attempts made through the services for the review tests: started, answered, finished."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from typing import Any

from saves import one_device, save_json
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assess.models import Attempt, AttemptItem, Invitation, StoredItemVersion
from assess.services.attempt_start import create_attempt
from assess.services.finalization import submit_attempt
from assess.services.invitations import token_hash
from items.bank import Catalogue

GRACE = 30
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
WRITTEN_ANSWER = "Hi team,\nSiobhan Keane called about the reminder outage.\n" + XSS


def invitation_of(session: Session, token: str) -> Invitation:
    return session.scalars(select(Invitation).where(Invitation.token_hash == token_hash(token))).one()


def started_attempt(
    session_factory: sessionmaker[Session], catalogue: Catalogue, token: str, clock: Any
) -> int:
    with session_factory() as session:
        return create_attempt(session, invitation_of(session, token), catalogue, clock(), random.Random(1)).id


def slot_types(session_factory: sessionmaker[Session], attempt_id: int) -> dict[int, str]:
    """position -> item type."""
    with session_factory() as session:
        rows = session.execute(
            select(AttemptItem.position, StoredItemVersion.type)
            .join(
                StoredItemVersion,
                (StoredItemVersion.item_id == AttemptItem.item_id)
                & (StoredItemVersion.version == AttemptItem.version),
            )
            .where(AttemptItem.attempt_id == attempt_id)
        ).all()
        return dict(rows)


def answer(
    session_factory: sessionmaker[Session],
    attempt_id: int,
    position: int,
    response: Mapping[str, Any],
    clock: Any,
) -> None:
    with session_factory() as session:
        seq = int(clock().timestamp() * 1_000_000) + position
        save_json(session, attempt_id, position, dict(response), one_device(seq), clock(), GRACE)


def first_option(session_factory: sessionmaker[Session], attempt_id: int, position: int) -> str:
    with session_factory() as session:
        slot = session.get_one(AttemptItem, (attempt_id, position))
        return str(slot.variant["order"][0])


def finished_attempt(
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    token: str,
    clock: Any,
    text: str = WRITTEN_ANSWER,
) -> int:
    """An attempt with its written items and single-choice items answered, then submitted."""
    attempt_id = started_attempt(session_factory, catalogue, token, clock)
    for position, type_name in sorted(slot_types(session_factory, attempt_id).items()):
        clock.advance(seconds=20)
        if type_name == "written":
            answer(session_factory, attempt_id, position, {"text": text}, clock)
        elif type_name == "single_choice":
            answer(
                session_factory,
                attempt_id,
                position,
                {"choice": first_option(session_factory, attempt_id, position)},
                clock,
            )
    clock.advance(seconds=20)
    with session_factory() as session:
        submit_attempt(session, attempt_id, clock())
    return attempt_id


def positions_of(session_factory: sessionmaker[Session], attempt_id: int, type_name: str) -> list[int]:
    return sorted(p for p, t in slot_types(session_factory, attempt_id).items() if t == type_name)


def attempt(session_factory: sessionmaker[Session], attempt_id: int) -> Attempt:
    with session_factory() as session:
        return session.get_one(Attempt, attempt_id)


def form_token(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)
