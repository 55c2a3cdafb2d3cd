"""A small campaign with recorded integrity observations, in the recorded events' exact shape.

Events are written as the attempt page and the save channel record them: "focus" (``at`` = lost,
detail regained_at, hidden), "paste" (characters, from_page), "viewed" (``at`` = left the item,
seconds), each with the request's browser family and network prefix ("agent", "network").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from review_setup import answer, first_option, slot_types, started_attempt
from sqlalchemy.orm import Session, sessionmaker

from assess.models import AttemptEvent
from assess.services.finalization import submit_attempt
from items.bank import Catalogue

HOME = {"agent": "Firefox on Windows", "network": "203.0.113.0/24"}


def record(
    session_factory: sessionmaker[Session],
    attempt_id: int,
    kind: str,
    position: int | None,
    at: datetime,
    **detail: Any,
) -> None:
    with session_factory() as session:
        session.add(AttemptEvent(attempt_id=attempt_id, at=at, kind=kind, position=position, detail=detail))
        session.commit()


@dataclass(frozen=True)
class Behaviour:
    """What a candidate does besides answering: leave the page, paste, change device."""

    email: str
    away_seconds: tuple[int, ...] = ()
    paste_characters: int = 0
    switch_device: bool = False
    extra_time: Decimal = Decimal(1)
    #: Each candidate's own network, so nobody shares one by accident.
    network: str = "198.51.100.0/24"
    #: The written answers' text; by default a short one of the candidate's own.
    text: str = ""


#: Candidates whose signals tier them: one leaves the page three times, one pastes a long text.
TAB_SWITCHER = Behaviour("tabs@example.com", away_seconds=(40, 40, 40), network="198.51.100.0/24")
PASTER = Behaviour("paste@example.com", paste_characters=450, network="198.51.101.0/24")


def take_attempt(
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    invite: Callable[..., str],
    clock: Any,
    behaviour: Behaviour,
) -> int:
    """Start, answer every written and single-choice item with observations recorded, submit."""
    token = invite(email=behaviour.email, extra_time=behaviour.extra_time)
    attempt_id = started_attempt(session_factory, catalogue, token, clock)
    origin = {"agent": HOME["agent"], "network": behaviour.network}
    types = sorted(slot_types(session_factory, attempt_id).items())
    for number, (position, type_name) in enumerate(types):
        if behaviour.switch_device and number == len(types) // 2:
            origin = {"agent": "Chrome on Android", "network": "192.0.2.0/24"}
        shown = clock.advance(seconds=5)
        if number < len(behaviour.away_seconds):
            away = behaviour.away_seconds[number]
            regained = shown + timedelta(seconds=away)
            record(
                session_factory, attempt_id, "focus", position, shown,
                regained_at=regained.isoformat(), hidden=True, **origin,
            )  # fmt: skip
            clock.advance(seconds=away)
        clock.advance(seconds=40)
        if type_name == "written":
            if behaviour.paste_characters:
                record(
                    session_factory, attempt_id, "paste", position, clock(),
                    characters=behaviour.paste_characters, from_page=False, **origin,
                )  # fmt: skip
            text = behaviour.text or f"Hello, {behaviour.email} writes about the renewal and the outage."
            answer(session_factory, attempt_id, position, {"text": text}, clock)
        elif type_name == "single_choice":
            choice = first_option(session_factory, attempt_id, position)
            answer(session_factory, attempt_id, position, {"choice": choice}, clock)
        left = clock.advance(seconds=2)
        record(
            session_factory, attempt_id, "viewed", position, left,
            seconds=(left - shown).total_seconds(), **origin,
        )  # fmt: skip
    clock.advance(seconds=20)
    with session_factory() as session:
        submit_attempt(session, attempt_id, clock())
    return attempt_id
