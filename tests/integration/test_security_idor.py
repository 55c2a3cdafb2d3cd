"""A candidate's link reaches their own attempt and nothing of anyone else's (no IDOR).

The token in the URL is a candidate's only credential and ``n`` is a position within
that token's attempt: no attempt, invitation or answer id is in a candidate URL, in the
session, or read from a request. These tests try what a curious candidate would.
Altered tokens, forged positions and another browser's CSRF token are in
test_candidate_tampering.py; staff pages without a staff login in test_staff_roles.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from candidate_client import Candidate, answers_of, attempt_of, item_numbers, plausible_answer
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from assess.services.time_grants import grant_extra_time

#: What the other candidate writes: it must never show on my pages.
THEIR_WORDS = "Zephyrine Oakhurst signed the renewal on the quay"


@pytest.fixture
def pair(candidate: Callable[..., Candidate]) -> tuple[Candidate, Candidate]:
    """Me and another candidate of the same campaign, both started."""
    mine, theirs = candidate(email="me@example.com"), candidate(email="them@example.com")
    mine.start()
    theirs.start()
    mine.get("/items/1")
    theirs.get("/items/1")
    return mine, theirs


def _item_count(person: Candidate) -> int:
    return len(item_numbers(person.get("/items/1").get_data(as_text=True)))


def _answer_everything(person: Candidate, words: str, seq: int) -> None:
    """Every item answered; free-text answers (the written one) say ``words``."""
    for n in range(1, _item_count(person) + 1):
        html = person.get(f"/items/{n}").get_data(as_text=True)
        answer = plausible_answer(html)
        for name in answer:
            if f'<textarea id="{name}"' in html:
                answer[name] = [words]
        saved = person.autosave(n, answer, edit=seq + n)
        assert saved.status_code in (200, 422), saved.get_data(as_text=True)


def test_another_candidates_answers_never_appear_on_my_pages(pair: tuple[Candidate, Candidate]) -> None:
    mine, theirs = pair
    _answer_everything(theirs, THEIR_WORDS, seq=1_000)
    assert THEIR_WORDS in theirs.get("/items/" + str(_written_item(theirs))).get_data(as_text=True)
    _answer_everything(mine, "My own summary of the call.", seq=1_000)
    pages = [mine.get(), mine.get("/review"), mine.get("/status")]
    pages += [mine.get(f"/items/{n}") for n in range(1, _item_count(mine) + 1)]
    for page in pages:
        assert THEIR_WORDS not in page.get_data(as_text=True)


def _written_item(person: Candidate) -> int:
    for n in range(1, _item_count(person) + 1):
        if "<textarea" in person.get(f"/items/{n}").get_data(as_text=True):
            return n
    raise AssertionError("the form has no written item")


def test_saving_through_my_link_never_touches_another_attempt(
    pair: tuple[Candidate, Candidate], session_factory: sessionmaker[Session]
) -> None:
    mine, theirs = pair
    with session_factory() as session:
        their_attempt = attempt_of(session, theirs.token)
        before = answers_of(session, their_attempt.id)
    ids = {"attempt_id": str(their_attempt.id), "invitation_id": str(their_attempt.invitation_id)}
    for n in range(1, _item_count(mine) + 1):
        answer = plausible_answer(mine.get(f"/items/{n}").get_data(as_text=True))
        # Ids of the other attempt in the query string and in the form are not read.
        mine.client.post(
            f"{mine.base}/answers/{n}?attempt_id={their_attempt.id}",
            json={"base": 0, "device": mine.device, "edit": 2_000 + n, "fields": answer},
            headers={"X-CSRFToken": mine.csrf},
        )
        mine.post(f"/items/{n}", {**answer, **ids, "token": theirs.token, "go": str(n)})
    with session_factory() as session:
        assert answers_of(session, their_attempt.id) == before
        mine_now = answers_of(session, attempt_of(session, mine.token).id)
    assert any(response is not None for response, _ in mine_now.values())


def test_my_status_and_deadline_are_mine_alone(
    pair: tuple[Candidate, Candidate], session_factory: sessionmaker[Session], clock: Any
) -> None:
    mine, theirs = pair
    with session_factory() as session:
        their_attempt = attempt_of(session, theirs.token)
        grant_extra_time(session, their_attempt.id, 20, "proctor@example.com", "fire alarm", clock())
    mine_left = mine.status()["seconds_left"]
    theirs_left = theirs.status()["seconds_left"]
    assert theirs_left - mine_left == pytest.approx(20 * 60, abs=2)
    asked = mine.get(f"/status?attempt_id={their_attempt.id}&token={theirs.token}").get_json()
    assert asked["seconds_left"] == mine_left


def test_submitting_through_my_link_finishes_my_attempt_only(
    pair: tuple[Candidate, Candidate], session_factory: sessionmaker[Session]
) -> None:
    mine, theirs = pair
    with session_factory() as session:
        their_id = attempt_of(session, theirs.token).id
    done = mine.post("/submit", {"confirm": "yes", "attempt_id": str(their_id)})
    assert done.status_code == 302
    with session_factory() as session:
        assert attempt_of(session, mine.token).finalized_by == "candidate"
        assert attempt_of(session, theirs.token).finalized_at is None
    assert theirs.status()["finished"] is False


def test_the_session_cookie_names_no_attempt(app: Flask, pair: tuple[Candidate, Candidate]) -> None:
    """Identity comes from the link alone: the signed session holds no attempt, invitation or token."""
    mine, _ = pair
    cookie = mine.client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    assert cookie is not None
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    stored = serializer.loads(cookie.value)
    assert "csrf_token" in stored
    assert not [key for key in stored if any(word in key for word in ("attempt", "invitation", "answer"))]
    assert mine.token not in repr(stored)


def test_a_link_past_its_attempt_leads_nowhere_else(
    pair: tuple[Candidate, Candidate], session_factory: sessionmaker[Session], clock: Any
) -> None:
    """After my deadline, my link shows my end page, never another attempt's items."""
    mine, theirs = pair
    with session_factory() as session:
        deadline = attempt_of(session, mine.token).deadline
        grant_extra_time(
            session, attempt_of(session, theirs.token).id, 60, "proctor@example.com", "", clock()
        )
    clock.now = deadline + timedelta(minutes=5)
    assert mine.get("/items/1").headers["Location"].endswith(f"{mine.base}/done")
    assert theirs.get("/items/1").status_code == 200
