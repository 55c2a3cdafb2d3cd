"""The live catalogue: authored heads and forms overlay the bank files, retired items are never drawn,
and attempts started before an edit keep showing and scoring the version they pinned (Invariant 3)."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from authoring_setup import save_edit, text_of
from candidate_client import Candidate, attempt_of
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import post

from assess.models import Attempt, AttemptItem, AuditEntry, ItemScore
from assess.services.authoring import live_catalogue
from assess.services.campaigns import create_campaign
from assess.services.invitations import create_invitation
from items.bank import Catalogue, FormUnavailable
from items.forms import draw_attempt

ITEM = "process-renewal-first-step"
POOL = ("process-best-upsell-target", "process-feature-request", "process-roi-annual-cost")
POOL_FORM = f"""\
id: pool-form
title: Process questions
time_limit_minutes: 20
sections:
  - id: process
    title: Process and analysis
    items:
      - {ITEM}
      - draw: 1
        from: [{", ".join(POOL)}]
"""


@pytest.fixture
def pool_campaign(
    author: FlaskClient, session_factory: sessionmaker[Session], catalogue: Catalogue, clock: Any
) -> Callable[[str], str]:
    """The pool form saved on the form editor, and a campaign on it; returns a maker of candidates' tokens."""
    response = post(
        author,
        "/staff/authoring/forms/new",
        {"bank": "authored-forms", "content": POOL_FORM, "action": "save"},
    )
    assert response.status_code == 302, text_of(response)
    with session_factory() as session:
        create_campaign(
            session,
            "pool",
            "Pool",
            "Account Manager",
            "pool-form",
            live_catalogue(session, catalogue),
            clock(),
        )

    def token(email: str) -> str:
        with session_factory() as session:
            return create_invitation(session, "pool", email, clock(), Decimal(1), timedelta(days=7))[1]

    return token


def retire(author: FlaskClient, item_id: str) -> None:
    response = post(author, f"/staff/authoring/items/{item_id}/retire")
    assert response.status_code == 302, text_of(response)


def drawn(
    session_factory: sessionmaker[Session], catalogue: Catalogue, form_id: str, times: int
) -> Counter[str]:
    """How often each item is drawn in ``times`` seeded draws from the live catalogue."""
    with session_factory() as session:
        live = live_catalogue(session, catalogue)
    counts: Counter[str] = Counter()
    for seed in range(times):
        counts.update(
            slot.item.item_id for slot in draw_attempt(live.form(form_id), live.items, random.Random(seed))
        )
    return counts


def test_an_authored_head_replaces_the_file_version_in_new_attempts(
    author: FlaskClient,
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    candidate: Callable[..., Candidate],
) -> None:
    save_edit(author, ITEM, title="Renewal: the first step")
    with session_factory() as session:
        live = live_catalogue(session, catalogue)
    assert live.items[ITEM].title == "Renewal: the first step"
    assert live.items[ITEM].version != catalogue.items[ITEM].version
    assert {i: v.version for i, v in live.items.items() if i != ITEM} == {
        i: v.version for i, v in catalogue.items.items() if i != ITEM
    }
    person = candidate()
    person.start()
    with session_factory() as session:
        attempt = attempt_of(session, person.token)
        pinned = session.scalars(
            select(AttemptItem.version).where(
                AttemptItem.attempt_id == attempt.id, AttemptItem.item_id == ITEM
            )
        ).one()
    assert pinned == live.items[ITEM].version


def test_a_retired_item_is_never_drawn_and_pools_draw_from_the_rest(
    author: FlaskClient,
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    pool_campaign: Callable[[str], str],
    app: Flask,
) -> None:
    before = drawn(session_factory, catalogue, "pool-form", 300)
    assert all(before[item_id] > 0 for item_id in POOL)
    retire(author, POOL[1])
    after = drawn(session_factory, catalogue, "pool-form", 300)
    assert after[POOL[1]] == 0
    assert after[POOL[0]] + after[POOL[2]] == 300 and after[POOL[0]] > 0 and after[POOL[2]] > 0
    assert after[ITEM] == 300
    # The same through the candidate's Start, which reads the live catalogue.
    for n in range(12):
        Candidate(app.test_client(), pool_campaign(f"c{n}@example.com")).start()
    with session_factory() as session:
        shown = set(session.scalars(select(AttemptItem.item_id)).all())
        assert POOL[1] not in shown
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "item.retire")).one()
        assert entry.subject_id == POOL[1]


def test_a_restored_item_is_drawn_again(
    author: FlaskClient,
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    pool_campaign: Callable[[str], str],
) -> None:
    retire(author, POOL[1])
    response = post(author, f"/staff/authoring/items/{POOL[1]}/restore")
    assert response.status_code == 302
    assert drawn(session_factory, catalogue, "pool-form", 300)[POOL[1]] > 0
    with session_factory() as session:
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["item.retire", "item.restore"]


def test_retiring_a_fixed_item_stops_new_attempts_with_a_clear_page_not_a_crash(
    author: FlaskClient,
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    app: Flask,
    pool_campaign: Callable[[str], str],
) -> None:
    running = Candidate(app.test_client(), pool_campaign("running@example.com"))
    running.start()
    # This candidate has the instructions open when the item is retired, and then presses Start.
    newcomer = Candidate(app.test_client(), pool_campaign("new@example.com"))
    assert newcomer.get().status_code == 200
    retire(author, ITEM)
    assert "Form pool-form cannot start new attempts now" in text_of(
        author.get(f"/staff/authoring/items/{ITEM}")
    )
    index = text_of(author.get("/staff/authoring/"))
    assert "Cannot start" in index
    assert f"sections[0].items[0]: item '{ITEM}' is retired; restore it or take it out of the form" in index
    with session_factory() as session:
        with pytest.raises(FormUnavailable):
            live_catalogue(session, catalogue).form("pool-form")
        attempts = session.scalar(select(func.count()).select_from(Attempt))
    started = newcomer.post("/start")
    assert started.status_code == 503
    assert "This test cannot start right now" in text_of(started)
    assert ITEM not in text_of(started)
    late = Candidate(app.test_client(), pool_campaign("late@example.com")).get()
    assert late.status_code == 503 and "This test cannot start right now" in text_of(late)
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Attempt)) == attempts
    # An attempt that started before goes on with the items it pinned.
    assert running.get("/items/1").status_code == 200


def _position(session_factory: sessionmaker[Session], token: str, item_id: str) -> int:
    with session_factory() as session:
        attempt = attempt_of(session, token)
        return session.scalars(
            select(AttemptItem.position).where(
                AttemptItem.attempt_id == attempt.id, AttemptItem.item_id == item_id
            )
        ).one()


def _score(session_factory: sessionmaker[Session], token: str, position: int) -> tuple[Decimal, Decimal]:
    with session_factory() as session:
        attempt = attempt_of(session, token)
        row = session.get_one(ItemScore, (attempt.id, position))
        return row.points, row.max_points


def test_an_attempt_started_before_an_edit_shows_and_scores_its_pinned_version(
    author: FlaskClient,
    session_factory: sessionmaker[Session],
    candidate: Callable[..., Candidate],
    catalogue: Catalogue,
) -> None:
    before = candidate(email="before@example.com")
    before.start()
    n = _position(session_factory, before.token, ITEM) + 1
    # The edit changes what the candidate sees and the key: b was right, now only a is.
    response = save_edit(author, ITEM, title="Renewal, edited", key="correct: a\n")
    assert response.status_code == 302, text_of(response)
    after = candidate(email="after@example.com")
    after.start()
    m = _position(session_factory, after.token, ITEM) + 1

    old_page = text_of(before.get(f"/items/{n}"))
    assert catalogue.items[ITEM].title in old_page and "Renewal, edited" not in old_page
    assert "Renewal, edited" in text_of(after.get(f"/items/{m}"))
    for person, number in ((before, n), (after, m)):
        person.get(f"/items/{number}")
        assert person.post(f"/items/{number}", {"answer-choice": "b", "go": "review"}).status_code == 302
        person.get("/review")
        assert person.post("/submit", {"confirm": "yes"}).status_code == 302
    assert _score(session_factory, before.token, n - 1) == (Decimal(1), Decimal(1))
    assert _score(session_factory, after.token, m - 1) == (Decimal(0), Decimal(1))
