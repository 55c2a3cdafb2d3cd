"""The status poll answered from the status board (Redis), and every change reaching the open page.

The app here keeps its rate limits, and so its status board, in the Redis at 127.0.0.1:6379,
under a prefix of its own. Changes are made as staff and candidates make them, through pages.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from candidate_client import Candidate, attempt_of, plausible_answer
from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker
from staff_client import StaffClient, post

from assess import create_app
from assess.config import Settings
from assess.services.invitations import token_hash
from assess.services.status_board import STATUS_BOARD, StatusBoard, status_board_for

REDIS = "redis://127.0.0.1:6379"


@pytest.fixture
def app(settings: Settings, clock: Callable[[], Any]) -> Iterator[Flask]:
    prefix = f"test-{uuid.uuid4().hex}:"
    config = {"RATELIMIT_STORAGE_URI": REDIS, "RATELIMIT_KEY_PREFIX": prefix}
    app = create_app({"SETTINGS": settings, "CLOCK": clock, "TESTING": True, "START_SWEEP": False, **config})
    yield app
    board = board_of(app)
    for key in board.client.scan_iter(f"{prefix}*"):
        board.client.delete(key)
    app.extensions["assess"].engine.dispose()


def board_of(app: Flask) -> StatusBoard:
    board: StatusBoard = app.extensions["assess"].session_factory.kw["info"][STATUS_BOARD]
    return board


def statements_during(app: Flask, call: Callable[[], Any]) -> tuple[Any, int]:
    """What ``call`` returns, and how many SQL statements the app ran meanwhile."""
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    engine = app.extensions["assess"].engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        result = call()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return result, len(seen)


def attempt_id_of(session_factory: sessionmaker[Session], token: str) -> int:
    with session_factory() as session:
        return attempt_of(session, token).id


def test_a_poll_after_the_first_reads_no_row_and_tells_the_same_time(
    app: Flask, candidate: Callable[..., Candidate], clock: Any
) -> None:
    person = candidate()
    person.start()
    first, first_statements = statements_during(app, person.status)
    again, statements = statements_during(app, person.status)
    assert first_statements >= 1
    assert statements == 0
    assert again == first and again["finished"] is False
    clock.now = clock() + timedelta(seconds=90)
    assert person.status()["seconds_left"] == first["seconds_left"] - 90


def test_time_up_is_told_from_the_board_once_the_deadline_passes(
    app: Flask, candidate: Callable[..., Candidate], session_factory: sessionmaker[Session], clock: Any
) -> None:
    person = candidate()
    person.start()
    person.status()
    with session_factory() as session:
        deadline = attempt_of(session, person.token).deadline
    clock.now = deadline
    status, statements = statements_during(app, person.status)
    assert status == {"seconds_left": 0, "finished": True}
    assert statements == 0


def test_time_granted_on_the_staff_page_reaches_the_open_page_at_its_next_poll(
    app: Flask,
    candidate: Callable[..., Candidate],
    session_factory: sessionmaker[Session],
    recruiter: StaffClient,
) -> None:
    person = candidate()
    person.start()
    before = person.status()["seconds_left"]
    attempt_id = attempt_id_of(session_factory, person.token)
    granted = post(
        recruiter, f"/staff/review/attempts/{attempt_id}/time", {"minutes": "10", "reason": "Power cut"}
    )
    assert granted.status_code == 302
    assert person.status()["seconds_left"] == before + 600
    # The grant's tombstone keeps the polls on the database until no poll begun before it remains.
    again, statements = statements_during(app, person.status)
    assert again["seconds_left"] == before + 600 and statements >= 1


def test_a_submit_on_a_second_device_finishes_the_first_devices_page(
    app: Flask, candidate: Callable[..., Candidate]
) -> None:
    laptop = candidate()
    laptop.start()
    assert laptop.status()["finished"] is False
    phone = candidate(laptop.token)
    phone.get("/review")
    submitted = phone.post("/submit", {"confirm": "yes"})
    assert submitted.status_code == 302 and submitted.location.endswith("/done")
    assert laptop.status() == {"seconds_left": 0, "finished": True}


def test_a_save_on_a_second_device_leaves_the_first_devices_poll_right(
    app: Flask, candidate: Callable[..., Candidate]
) -> None:
    laptop = candidate()
    laptop.start()
    told = laptop.status()
    phone = candidate(laptop.token)
    phone.device = "candidate-phone"
    item = phone.get("/items/1").get_data(as_text=True)
    assert phone.autosave(1, plausible_answer(item), edit=1).get_json()["saved"] is True
    # The poll carries no answer, so a save changes nothing it says, and it stays on the board.
    status, statements = statements_during(app, laptop.status)
    assert status == told and statements == 0


def test_revoking_the_link_on_the_staff_page_closes_the_open_page(
    app: Flask,
    candidate: Callable[..., Candidate],
    session_factory: sessionmaker[Session],
    recruiter: StaffClient,
) -> None:
    person = candidate()
    person.start()
    person.status()
    with session_factory() as session:
        invitation_id = attempt_of(session, person.token).invitation_id
    assert post(recruiter, f"/staff/invitations/{invitation_id}/revoke").status_code == 302
    assert person.get("/status").status_code == 410


def test_a_poll_that_read_the_row_before_a_change_cannot_cache_it_after(app: Flask) -> None:
    board = board_of(app)
    digest = token_hash("a-link-being-granted-time")
    stale = app.extensions["assess"].clock()
    board.forget(digest)  # the grant's commit, then its tombstone
    board.remember(digest, stale)  # the poll that had read the deadline before the grant
    assert board.deadline(digest) is None


def test_an_unreachable_board_leaves_the_poll_to_the_database(
    settings: Settings, clock: Callable[[], Any], invite: Callable[..., str]
) -> None:
    unreachable = "redis://127.0.0.1:9"
    assert status_board_for(unreachable) is not None
    config = {"RATELIMIT_STORAGE_URI": unreachable, "TESTING": True, "START_SWEEP": False}
    app = create_app({"SETTINGS": settings, "CLOCK": clock, **config})
    try:
        person = Candidate(app.test_client(), invite())
        person.start()
        status = person.status()
        assert status["finished"] is False and status["seconds_left"] > 0
    finally:
        app.extensions["assess"].engine.dispose()


def test_without_redis_there_is_no_board() -> None:
    assert status_board_for("memory://") is None
