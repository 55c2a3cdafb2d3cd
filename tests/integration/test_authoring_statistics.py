"""Item statistics next to the items: from finalized attempts' scores, flags, and retiring from a flag."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from authoring_setup import text_of
from flask.testing import FlaskClient
from saves import one_device, save_json
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import StaffClient, post

from assess.models import AttemptItem, AuthoredItem
from assess.services.attempt_start import create_attempt
from assess.services.authoring import live_catalogue
from assess.services.campaigns import create_campaign
from assess.services.finalization import submit_attempt
from assess.services.invitations import create_invitation, open_link
from items.bank import Catalogue

#: item -> (the keyed option, a wrong one)
KEYS = {
    "process-renewal-first-step": ("b", "c"),
    "process-best-upsell-target": ("a", "b"),
    "process-feature-request": ("c", "a"),
}
STATS_FORM = """\
id: stats-form
title: Three questions
time_limit_minutes: 10
sections:
  - id: process
    title: Process
    items: [process-renewal-first-step, process-best-upsell-target, process-feature-request]
"""


@pytest.fixture
def author(staff_client: Callable[..., StaffClient]) -> StaffClient:
    """An author who has saved the statistics form."""
    client = staff_client("author")
    response = post(
        client, "/staff/authoring/forms/new", {"bank": "stats", "content": STATS_FORM, "action": "save"}
    )
    assert response.status_code == 302, text_of(response)
    return client


def finish_attempts(
    session_factory: sessionmaker[Session], catalogue: Catalogue, clock: Any, count: int
) -> None:
    """``count`` finalized attempts: everyone gets the first item right; the rest depend on ability."""
    with session_factory() as session:
        create_campaign(
            session, "stats", "Stats", "AM", "stats-form", live_catalogue(session, catalogue), clock()
        )
    for n in range(count):
        with session_factory() as session:
            _, token = create_invitation(
                session, "stats", f"c{n}@example.com", clock(), Decimal(1), timedelta(days=1)
            )
            invitation = open_link(session, token, clock())[0]
            attempt = create_attempt(
                session, invitation, live_catalogue(session, catalogue), clock(), random.Random(n)
            )
            slots = session.scalars(select(AttemptItem).where(AttemptItem.attempt_id == attempt.id)).all()
            ability = n % 4
            for slot in slots:
                right, wrong = KEYS[slot.item_id]
                correct = slot.item_id == "process-renewal-first-step" or (
                    ability >= (2 if slot.item_id == "process-best-upsell-target" else 1)
                )
                seq = int(clock().timestamp() * 1_000_000) + slot.position + 1
                save_json(
                    session,
                    attempt.id,
                    slot.position,
                    {"choice": right if correct else wrong},
                    one_device(seq),
                    clock(),
                    30,
                )
            submit_attempt(session, attempt.id, clock())


def test_statistics_show_a_small_sample_warning(
    author: FlaskClient, session_factory: sessionmaker[Session], catalogue: Catalogue, clock: Any
) -> None:
    finish_attempts(session_factory, catalogue, clock, 4)
    page = text_of(author.get("/staff/authoring/statistics"))
    assert "Form stats-form" in page and "4 finished attempts" in page
    assert "Small sample: 4 complete candidate(s), fewer than 30." in page
    bank = text_of(author.get("/staff/authoring/banks/am-smb-process"))
    assert "Small sample: 4 complete candidate(s)" in bank
    assert "facility 1.00" in bank and "facility 0.50" in bank and "n = 4, form stats-form" in bank
    assert "Flag:" not in bank


def test_a_flagged_item_is_retired_from_its_flag(
    author: FlaskClient, session_factory: sessionmaker[Session], catalogue: Catalogue, clock: Any
) -> None:
    finish_attempts(session_factory, catalogue, clock, 32)
    page = text_of(author.get("/staff/authoring/statistics"))
    row = page.split('href="/staff/authoring/items/process-renewal-first-step"', 1)[1].split("</tr>", 1)[0]
    assert "facility above 0.9" in row
    assert "Retire" in row and "(flagged: " in row
    response = post(
        author,
        "/staff/authoring/items/process-renewal-first-step/retire",
        {"next": "/staff/authoring/statistics"},
    )
    assert response.status_code == 302 and response.location == "/staff/authoring/statistics"
    with session_factory() as session:
        assert session.get_one(AuthoredItem, "process-renewal-first-step").retired_at is not None
    # Never an open redirect: ``next`` must be an authoring page.
    back = post(
        author, "/staff/authoring/items/process-renewal-first-step/restore", {"next": "https://evil.example/"}
    )
    assert back.location == "/staff/authoring/items/process-renewal-first-step"
