"""Invariant 1: time belongs to the server. The deadline, the end, the sweep and extra time."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from candidate_client import GRACE_SECONDS, Candidate, attempt_of, plausible_answer
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assess import create_app
from assess.config import Settings
from assess.models import ItemScore
from assess.services.finalization import finalize_expired
from assess.services.time_grants import grant_extra_time
from items.bank import Catalogue


def test_nothing_the_browser_sends_changes_the_deadline(
    candidate: Callable[..., Candidate],
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    form_id: str,
    clock: Any,
) -> None:
    person = candidate(extra_time=Decimal("1.25"))
    person.get()
    started_at = clock()
    person.start()
    with session_factory() as session:
        deadline = attempt_of(session, person.token).deadline
    limit = timedelta(minutes=catalogue.form(form_id).time_limit_minutes) * 1.25
    assert deadline == started_at + limit

    clock.advance(seconds=30)
    answer = plausible_answer(person.get("/items/1").get_data(as_text=True))
    forged_time = {
        "deadline": "2099-01-01T00:00:00+00:00",
        "seconds_left": "99999",
        "started_at": "2000-01-01T00:00:00+00:00",
        "extra_time": "3",
        "now": "2000-01-01T00:00:00+00:00",
    }
    person.post("/start", forged_time)
    person.post("/items/1", {**answer, **forged_time, "go": "next"})
    person.post("/items/1?deadline=2099-01-01&seconds_left=99999", {**answer, "go": "next"})
    person.autosave(
        1,
        answer,
        edit=10_000,
        body={"base": 0, "device": person.device, "edit": 10_000, "fields": answer, **forged_time},
    )
    person.autosave(1, {**answer, "answer-deadline": ["2099-01-01"]}, edit=10_001)
    person.client.get(
        f"/t/{person.token}/status?seconds_left=99999",
        headers={"Date": "Wed, 01 Jan 2099 00:00:00 GMT", "X-Seconds-Left": "99999"},
    )
    assert person.client.post(f"/t/{person.token}/status", data=forged_time).status_code == 405
    assert person.status()["seconds_left"] == int(limit.total_seconds()) - 30
    with session_factory() as session:
        assert attempt_of(session, person.token).deadline == deadline


def test_status_counts_down_by_the_server_clock(candidate: Callable[..., Candidate], clock: Any) -> None:
    person = candidate()
    person.start()
    first = person.status()
    assert first["finished"] is False
    clock.advance(seconds=61)
    assert person.status() == {"seconds_left": first["seconds_left"] - 61, "finished": False}


def test_at_the_deadline_pages_lead_to_the_end_and_after_the_grace_the_sweep_grades_it(
    candidate: Callable[..., Candidate], session_factory: sessionmaker[Session], clock: Any
) -> None:
    person = candidate()
    person.start()
    person.post("/items/1", {**plausible_answer(person.get("/items/1").get_data(as_text=True)), "go": "next"})
    with session_factory() as session:
        attempt = attempt_of(session, person.token)
    clock.now = attempt.deadline
    assert person.status() == {"seconds_left": 0, "finished": True}
    for path in ("/items/2", "/review", ""):
        response = person.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith("/done"), path
    assert "The time for this test is up" in person.get("/done").get_data(as_text=True)
    with session_factory() as session:
        assert attempt_of(session, person.token).finalized_at is None  # saves in flight may still land

    clock.advance(seconds=GRACE_SECONDS + 1)
    assert person.status() == {"seconds_left": 0, "finished": True}
    assert "The time for this test is up" in person.get("/done").get_data(as_text=True)
    with session_factory() as session:
        assert attempt_of(session, person.token).finalized_at is None  # a GET never writes
        assert finalize_expired(session, clock(), GRACE_SECONDS) == 1
    assert person.status() == {"seconds_left": 0, "finished": True}
    with session_factory() as session:
        attempt = attempt_of(session, person.token)
        assert attempt.finalized_by == "deadline"
        assert attempt.total_points is not None
        assert session.scalar(select(func.count()).where(ItemScore.attempt_id == attempt.id))


def test_extra_time_granted_by_staff_reaches_the_status(
    candidate: Callable[..., Candidate], session_factory: sessionmaker[Session]
) -> None:
    person = candidate()
    person.start()
    before = person.status()["seconds_left"]
    with session_factory() as session:
        attempt = attempt_of(session, person.token)
        grant_extra_time(
            session, attempt.id, 10, "recruiter@example.com", "connection trouble", attempt.started_at
        )
    assert person.status()["seconds_left"] == before + 600


@pytest.fixture
def swept_app(settings: Settings, clock: Any) -> Iterator[Flask]:
    """The app as served: its own sweep thread, here every second."""
    fast = Settings(
        database_url=settings.database_url,
        secret_key=settings.secret_key,
        bank_paths=settings.bank_paths,
        grace_seconds=settings.grace_seconds,
        sweep_interval_seconds=1,
    )
    app = create_app({"SETTINGS": fast, "CLOCK": clock, "TESTING": True, "START_SWEEP": True})
    yield app
    app.extensions["assess.sweep"].stop()
    app.extensions["assess"].engine.dispose()


def test_the_sweep_finalizes_an_attempt_nobody_came_back_to(
    swept_app: Flask, invite: Callable[..., str], session_factory: sessionmaker[Session], clock: Any
) -> None:
    person = Candidate(swept_app.test_client(), invite())
    person.start()
    with session_factory() as session:
        deadline = attempt_of(session, person.token).deadline
    clock.now = deadline + timedelta(seconds=GRACE_SECONDS + 1)
    waited = 0.0
    while waited < 10:
        with session_factory() as session:
            attempt = attempt_of(session, person.token)
            if attempt.finalized_at is not None:
                break
        time.sleep(0.2)
        waited += 0.2
    assert attempt.finalized_by == "deadline"
    assert attempt.total_points is not None
