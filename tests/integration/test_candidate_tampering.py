"""Invariant 6 for candidates: a tampered request gets a 4xx and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from candidate_client import GRACE_SECONDS, Candidate, answers_of, attempt_of, plausible_answer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assess.models import Answer, Attempt
from assess.services.attempt_phase import STARTED


def _snapshot(session_factory: sessionmaker[Session]) -> list[tuple[Any, ...]]:
    """Everything a candidate's request could change: attempts and answers, as stored."""
    with session_factory() as session:
        attempts = [
            (a.id, a.deadline, a.finalized_at, a.finalized_by, a.total_points)
            for a in session.scalars(select(Attempt).order_by(Attempt.id))
        ]
        answers = [
            (a.attempt_id, a.position, a.response, a.seq, a.saved_at)
            for a in session.scalars(select(Answer).order_by(Answer.attempt_id, Answer.position))
        ]
    return [*attempts, *answers]


@pytest.fixture
def started(candidate: Callable[..., Candidate]) -> Candidate:
    person = candidate()
    person.start()
    person.get("/items/1")
    return person


def test_an_altered_token_opens_nothing_and_changes_nothing(
    started: Candidate, app: Any, session_factory: sessionmaker[Session]
) -> None:
    before = _snapshot(session_factory)
    answer = plausible_answer(started.get("/items/1").get_data(as_text=True))
    altered = started.token[:-1] + ("A" if started.token[-1] != "A" else "B")
    other = Candidate(app.test_client(), altered, csrf=started.csrf)
    other.client = started.client  # same cookies and CSRF token: only the token differs
    assert other.get().status_code == 404
    assert other.get("/items/1").status_code == 404
    assert other.get("/status").status_code == 404
    assert other.post("/items/1", {**answer, "go": "next"}).status_code == 404
    assert other.autosave(1, answer, edit=5_000).status_code == 404
    assert other.post("/submit", {"confirm": "yes"}).status_code == 404
    assert other.post("/start").status_code == 404
    assert _snapshot(session_factory) == before


def test_a_forged_item_position_is_refused_and_changes_nothing(
    started: Candidate, session_factory: sessionmaker[Session]
) -> None:
    answer = plausible_answer(started.get("/items/1").get_data(as_text=True))
    before = _snapshot(session_factory)
    for n in (0, 999):
        assert started.get(f"/items/{n}").status_code == 404
        # No such item: 404, or 405 where the router finds the number out of range before the method.
        assert started.post(f"/items/{n}", {**answer, "go": "next"}).status_code in (404, 405)
        assert started.autosave(n, answer, edit=5_000).status_code in (404, 405)
    assert started.get("/items/-1").status_code == 404
    for go in ("999", "0", "../review", "next-attempt"):
        assert started.post("/items/1", {**answer, "go": go}).status_code == 400, go
    assert _snapshot(session_factory) == before


def test_posts_without_a_csrf_token_are_refused_and_change_nothing(
    candidate: Callable[..., Candidate], session_factory: sessionmaker[Session]
) -> None:
    person = candidate()
    person.get()
    assert person.post("/start", csrf=False).status_code == 400
    with session_factory() as session:
        # Prepared with the invitation, never started.
        assert session.scalars(select(Attempt).where(STARTED)).first() is None
    person.start()
    answer = plausible_answer(person.get("/items/1").get_data(as_text=True))
    before = _snapshot(session_factory)
    assert person.post("/items/1", {**answer, "go": "next"}, csrf=False).status_code == 400
    refused = person.autosave(1, answer, edit=5_000, csrf=False)
    assert refused.status_code == 400
    assert refused.is_json  # attempt.js reads JSON, never an HTML page
    assert person.post("/submit", {"confirm": "yes"}, csrf=False).status_code == 400
    assert _snapshot(session_factory) == before


def test_another_candidates_csrf_token_is_refused(
    candidate: Callable[..., Candidate], session_factory: sessionmaker[Session]
) -> None:
    mine, theirs = candidate(), candidate(email="other@example.com")
    mine.start()
    theirs.start()
    answer = plausible_answer(mine.get("/items/1").get_data(as_text=True))
    theirs.get("/items/1")
    before = _snapshot(session_factory)
    mine.csrf = theirs.csrf  # a token issued to another browser's session
    assert mine.post("/items/1", {**answer, "go": "next"}).status_code == 400
    assert mine.autosave(1, answer, edit=5_000).status_code == 400
    assert mine.post("/submit", {"confirm": "yes"}).status_code == 400
    assert _snapshot(session_factory) == before


GOOD = {"base": 0, "device": "candidate-tab-1", "edit": 5_000, "fields": {}}


@pytest.mark.parametrize(
    "body",
    [
        {**GOOD, "attempt_id": 1},
        {**GOOD, "edit": "5000"},
        {**GOOD, "edit": True},
        {**GOOD, "edit": 1.5},
        {**GOOD, "edit": 0},
        {**GOOD, "edit": 2**63},
        {**GOOD, "base": -1},
        {**GOOD, "base": 2**31},
        {**GOOD, "device": "short"},
        {**GOOD, "device": "a-device\nwith-a-newline"},
        {**GOOD, "device": "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668"},
        {**GOOD, "fields": {"answer-choice": "a"}},
        {**GOOD, "fields": {"answer-choice": [1]}},
        {"seq": 5_000, "fields": {}},
        {"fields": {}},
        ["edit", 5_000],
        "not even an object",
    ],
)
def test_an_autosave_of_the_wrong_shape_is_refused_and_changes_nothing(
    started: Candidate, session_factory: sessionmaker[Session], body: Any
) -> None:
    before = _snapshot(session_factory)
    response = started.autosave(1, {}, edit=0, body=body)
    # 400 for a shape no page sends; 422 for a number too large to store, with the reason.
    assert response.status_code in (400, 422)
    assert _snapshot(session_factory) == before


def test_a_write_after_deadline_and_grace_is_refused_and_changes_nothing(
    started: Candidate, session_factory: sessionmaker[Session], clock: Any
) -> None:
    answer = plausible_answer(started.get("/items/1").get_data(as_text=True))
    with session_factory() as session:
        deadline = attempt_of(session, started.token).deadline
    clock.now = deadline + timedelta(seconds=GRACE_SECONDS + 1)
    before = _snapshot(session_factory)
    late = started.autosave(1, answer, edit=9_000)
    assert late.status_code == 410
    assert late.get_json()["closed"] is True
    assert "Time is up" in late.get_json()["message"]
    plain = started.post("/items/1", {**answer, "go": "next"})
    assert plain.status_code == 410
    assert "The time for this test is up" in plain.get_data(as_text=True)
    assert _snapshot(session_factory) == before


def test_a_write_inside_the_grace_period_is_kept(
    started: Candidate, session_factory: sessionmaker[Session], clock: Any
) -> None:
    """Saves sent just before the end may arrive just after it: the grace keeps them."""
    answer = plausible_answer(started.get("/items/1").get_data(as_text=True))
    with session_factory() as session:
        attempt = attempt_of(session, started.token)
    clock.now = attempt.deadline + timedelta(seconds=GRACE_SECONDS - 1)
    assert started.autosave(1, answer, edit=9_000).get_json()["saved"] is True
    with session_factory() as session:
        assert answers_of(session, attempt.id)[0][1] == 9_000


def test_writes_after_submitting_are_refused_and_change_nothing(
    started: Candidate, session_factory: sessionmaker[Session]
) -> None:
    answer = plausible_answer(started.get("/items/1").get_data(as_text=True))
    started.post("/submit", {"confirm": "yes"})
    before = _snapshot(session_factory)
    late = started.autosave(1, answer, edit=9_000)
    assert late.status_code == 410 and late.get_json()["closed"] is True
    assert started.post("/items/1", {**answer, "go": "next"}).status_code == 410
    assert started.post("/start").status_code == 302  # to the confirmation, not a new attempt
    assert _snapshot(session_factory) == before


@pytest.mark.parametrize(
    "order",
    [
        {"revision": "\u0660"},  # an Arabic-Indic zero: a digit to str.isdigit(), not a revision
        {"revision": "0", "device": "candidate-tab-1", "edit": "\u0665\u0660\u0660\u0660"},
        {"revision": "0", "device": "candidate-tab-1", "edit": "1" * 30},
        {"revision": "0", "device": "bad device", "edit": "5"},
        {"revision": "0", "device": "candidate-tab-1"},
        {"revision": ""},
    ],
)
def test_a_plain_post_with_a_malformed_order_is_refused_and_not_reported_as_saved(
    started: Candidate, session_factory: sessionmaker[Session], order: dict[str, str]
) -> None:
    answer = plausible_answer(started.get("/items/1").get_data(as_text=True))
    before = _snapshot(session_factory)
    refused = started.post("/items/1", {**answer, **order, "go": "next"})
    assert refused.status_code == 400
    assert "Location" not in refused.headers
    assert _snapshot(session_factory) == before
