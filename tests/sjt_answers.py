"""Finished attempts on a small SJT form, built through the services, for the key comparison tests.

Form ``sjt-form`` (a bank file of its own beside the shipped banks): most/least item
sjt-upset-client (key: most c, least d), rating item sjt-expansion-vs-success, and three
process questions. Candidate n has ability n % 4:

| ability | process questions right | sjt-upset-client pick | ratings |
|---|---|---|---|
| 0 | renewal only | most c, least d (the key: 2 points) | the expert's |
| 1 | renewal, feature request | most a, least d (1 point) | the expert's |
| 2, 3 | all three | most a, least d (1 point) | the expert's |

So the consensus key is most a, least d: it scores abilities 1-3 at 2 and ability 0 at 1,
following the rest of the test, where the author's key runs against it.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from saves import one_device, save_json
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assess.models import AttemptItem
from assess.services.attempt_start import create_attempt
from assess.services.campaigns import create_campaign
from assess.services.finalization import submit_attempt
from assess.services.invitations import create_invitation, open_link
from items.bank import load_banks

SHIPPED_BANKS = Path(__file__).resolve().parent.parent / "items" / "banks"
FORM = "sjt-form"
MOST_LEAST = "sjt-upset-client"
RATE = "sjt-expansion-vs-success"
FORM_BANK = f"""\
bank: sjt-compare
title: SJT key comparison form
forms:
  - id: {FORM}
    title: SJT and process
    time_limit_minutes: 20
    sections:
      - id: judgement
        title: Judgement
        items: [{MOST_LEAST}, {RATE}]
      - id: process
        title: Process
        items: [process-renewal-first-step, process-best-upsell-target, process-feature-request]
"""
#: item -> (the keyed option, a wrong one)
PROCESS_KEYS = {
    "process-renewal-first-step": ("b", "c"),
    "process-best-upsell-target": ("a", "b"),
    "process-feature-request": ("c", "a"),
}
RATINGS = {"a": 2, "b": 5, "c": 2, "d": 6, "e": 2}


def response_of(item_id: str, ability: int) -> dict[str, Any]:
    if item_id == MOST_LEAST:
        return {"most": "c" if ability == 0 else "a", "least": "d"}
    if item_id == RATE:
        return {"ratings": RATINGS}
    right, wrong = PROCESS_KEYS[item_id]
    needed = {"process-renewal-first-step": 0, "process-feature-request": 1}.get(item_id, 2)
    return {"choice": right if ability >= needed else wrong}


def finish_sjt_attempts(
    session_factory: sessionmaker[Session], clock: Any, bank_dir: Path, count: int = 8
) -> dict[str, int]:
    """``count`` finalized attempts on ``sjt-form``; returns attempt id (as text) -> ability."""
    bank_dir.mkdir(parents=True, exist_ok=True)
    (bank_dir / "sjt_form.yaml").write_text(FORM_BANK, encoding="utf-8")
    catalogue = load_banks([SHIPPED_BANKS, bank_dir])
    with session_factory() as session:
        create_campaign(session, "sjt", "SJT", "Account Manager", FORM, catalogue, clock())
    abilities = {}
    for n in range(count):
        with session_factory() as session:
            _, token = create_invitation(
                session, "sjt", f"s{n}@example.com", clock(), Decimal(1), timedelta(days=1)
            )
            invitation = open_link(session, token, clock())[0]
            attempt = create_attempt(session, invitation, catalogue, clock(), random.Random(n))
            slots = session.scalars(select(AttemptItem).where(AttemptItem.attempt_id == attempt.id)).all()
            for slot in slots:
                seq = int(clock().timestamp() * 1_000_000) + slot.position + 1
                response = response_of(slot.item_id, n % 4)
                save_json(session, attempt.id, slot.position, response, one_device(seq), clock(), 30)
            submit_attempt(session, attempt.id, clock())
            abilities[str(attempt.id)] = n % 4
    return abilities
