"""Attempt review: items as the candidate saw them, the timeline, extra time from the page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from flask import Flask
from markupsafe import escape
from review_setup import (
    WRITTEN_ANSWER,
    XSS,
    answer,
    attempt,
    finished_attempt,
    first_option,
    positions_of,
    started_attempt,
)
from saves import one_device, save_json
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import StaffClient, post

from assess.models import AttemptEvent, AttemptItem, AuditEntry, TimeGrant
from assess.services.finalization import finalize_expired
from items.bank import Catalogue

if TYPE_CHECKING:
    from conftest import ControllableClock


def events(session_factory: sessionmaker[Session], attempt_id: int) -> list[tuple[str, int | None]]:
    with session_factory() as session:
        rows = session.scalars(
            select(AttemptEvent).where(AttemptEvent.attempt_id == attempt_id).order_by(AttemptEvent.id)
        ).all()
        return [(e.kind, e.position) for e in rows]


def test_services_log_start_saves_and_submit_in_order(
    app: Flask,
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    invite: Callable[..., str],
    clock: ControllableClock,
) -> None:
    attempt_id = finished_attempt(session_factory, catalogue, invite(), clock)
    logged = events(session_factory, attempt_id)
    assert logged[0] == ("started", None)
    assert logged[-1] == ("submitted", None)
    saves = [position for kind, position in logged if kind == "saved"]
    answered = positions_of(session_factory, attempt_id, "written") + positions_of(
        session_factory, attempt_id, "single_choice"
    )
    assert saves == sorted(answered)


def test_an_older_save_that_loses_is_not_logged(
    app: Flask,
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    invite: Callable[..., str],
    clock: ControllableClock,
) -> None:
    attempt_id = started_attempt(session_factory, catalogue, invite(), clock)
    position = positions_of(session_factory, attempt_id, "written")[0]
    with session_factory() as session:
        save_json(session, attempt_id, position, {"text": "newer"}, one_device(200), clock(), 30)
        save_json(session, attempt_id, position, {"text": "older"}, one_device(100), clock(), 30)
    assert events(session_factory, attempt_id) == [("started", None), ("saved", position)]


def test_review_page_shows_each_item_with_key_response_and_timeline(
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    invite: Callable[..., str],
    clock: ControllableClock,
    interviewer: StaffClient,
) -> None:
    attempt_id = finished_attempt(session_factory, catalogue, invite(), clock)
    page = interviewer.get(f"/staff/review/attempts/{attempt_id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    # Every item, through its type's reviewer macro: single-choice keys and the written rubric.
    for position in range(14 if "account-manager-smb" in catalogue.forms else 4):
        assert f'id="item-{position + 1}-heading"' in text
    assert "best (" in text and "chosen" in text
    assert "Rubric" in text and "awaiting review" in text
    assert "Started" in text and "Submitted by the candidate" in text
    # Interviewers read; only recruiters grant time.
    assert "Grant extra time" not in text


def test_written_answer_with_html_shows_as_text_to_reviewers(
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    invite: Callable[..., str],
    clock: ControllableClock,
    recruiter: StaffClient,
) -> None:
    attempt_id = finished_attempt(session_factory, catalogue, invite(), clock)
    position = positions_of(session_factory, attempt_id, "written")[0]
    for path in (
        f"/staff/review/attempts/{attempt_id}",
        f"/staff/review/written/{attempt_id}/{position + 1}",
    ):
        text = recruiter.get(path).get_data(as_text=True)
        assert XSS not in text and "<script>alert" not in text and "<img src=x" not in text
        assert str(escape(XSS)) in text
    assert WRITTEN_ANSWER.splitlines()[1] in text


def other_option(session_factory: sessionmaker[Session], attempt_id: int, position: int) -> str:
    with session_factory() as session:
        return str(session.get_one(AttemptItem, (attempt_id, position)).variant["order"][1])


def test_timeline_shows_a_gap_of_more_than_two_minutes_without_saves(
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    invite: Callable[..., str],
    clock: ControllableClock,
    recruiter: StaffClient,
) -> None:
    attempt_id = started_attempt(session_factory, catalogue, invite(), clock)
    position = positions_of(session_factory, attempt_id, "single_choice")[0]
    # Each save changes the answer: a save of what is already stored is no event.
    choice = {"choice": first_option(session_factory, attempt_id, position)}
    clock.advance(seconds=30)
    answer(session_factory, attempt_id, position, choice, clock)
    clock.advance(minutes=2)  # exactly two minutes: not a gap
    answer(
        session_factory,
        attempt_id,
        position,
        {"choice": other_option(session_factory, attempt_id, position)},
        clock,
    )
    clock.advance(minutes=7, seconds=5)
    answer(session_factory, attempt_id, position, choice, clock)
    clock.advance(minutes=1)
    text = recruiter.get(f"/staff/review/attempts/{attempt_id}").get_data(as_text=True)
    assert text.count("No save for") == 1
    assert "No save for 7 min 05 s" in text
    # Autosave writes often: consecutive saves of one item are one line of the timeline.
    assert f"Saved item {position + 1} (2 saves)" in text

    # Once time runs out and the server finalizes, the last stretch without a save is a gap too.
    clock.advance(minutes=40)
    with session_factory() as session:
        assert finalize_expired(session, clock(), 30) == 1
    text = recruiter.get(f"/staff/review/attempts/{attempt_id}").get_data(as_text=True)
    assert "Finalized by the server: time was up" in text
    assert text.count("No save for") == 2
    assert ("finalized", None) in events(session_factory, attempt_id)


def test_recruiter_grants_extra_time_from_the_page_and_it_is_audited(
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    invite: Callable[..., str],
    clock: ControllableClock,
    recruiter: StaffClient,
) -> None:
    attempt_id = started_attempt(session_factory, catalogue, invite(), clock)
    deadline = attempt(session_factory, attempt_id).deadline
    page = recruiter.get(f"/staff/review/attempts/{attempt_id}").get_data(as_text=True)
    assert "Grant extra time" in page
    response = post(
        recruiter,
        f"/staff/review/attempts/{attempt_id}/time",
        {"minutes": "7", "reason": "Power cut at home"},
    )
    assert response.status_code == 302
    assert attempt(session_factory, attempt_id).deadline == deadline + timedelta(minutes=7)
    with session_factory() as session:
        grant = session.scalars(select(TimeGrant)).one()
        assert (grant.minutes, grant.granted_by, grant.reason) == (
            7,
            recruiter.user.email,
            "Power cut at home",
        )
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "attempt.grant_time")).one()
        assert entry.actor_id == recruiter.user.id and entry.detail["minutes"] == 7
        assert entry.detail["attempt_id"] == attempt_id and entry.detail["reason"] == "Power cut at home"
    text = recruiter.get(f"/staff/review/attempts/{attempt_id}").get_data(as_text=True)
    assert f"7 minutes of extra time granted by {recruiter.user.email} (Power cut at home)" in text


def _grant(client: Any, attempt_id: int, data: dict[str, str], csrf: bool = True) -> Any:
    if csrf:
        return post(client, f"/staff/review/attempts/{attempt_id}/time", data)
    return client.post(f"/staff/review/attempts/{attempt_id}/time", data=data)


def test_bad_or_unauthorised_grants_change_nothing(
    staff_client: Callable[..., StaffClient],
    app: Flask,
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    invite: Callable[..., str],
    clock: ControllableClock,
) -> None:
    attempt_id = started_attempt(session_factory, catalogue, invite(), clock)
    deadline = attempt(session_factory, attempt_id).deadline
    recruiter = staff_client("recruiter")

    response = _grant(recruiter, attempt_id, {"minutes": "0", "reason": "x"})
    assert response.status_code == 422 and "From 1 to 600 minutes." in response.get_data(as_text=True)
    response = _grant(recruiter, attempt_id, {"minutes": "5", "reason": ""})
    assert response.status_code == 422 and "Say why the time is granted." in response.get_data(as_text=True)
    assert _grant(recruiter, attempt_id, {"minutes": "5", "reason": "x"}, csrf=False).status_code == 400
    assert _grant(recruiter, 999_999, {"minutes": "5", "reason": "x"}).status_code == 404

    interviewer = staff_client("interviewer")
    assert _grant(interviewer, attempt_id, {"minutes": "5", "reason": "x"}).status_code == 403
    # Signed out, the CSRF check refuses before the login check would redirect.
    assert app.test_client().post(f"/staff/review/attempts/{attempt_id}/time").status_code == 400

    with session_factory() as session:
        assert session.scalars(select(TimeGrant)).all() == []
        assert (
            session.scalars(select(AuditEntry).where(AuditEntry.action == "attempt.grant_time")).all() == []
        )
    assert attempt(session_factory, attempt_id).deadline == deadline


def test_a_finished_attempt_gets_no_extra_time(
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    invite: Callable[..., str],
    clock: ControllableClock,
    admin: StaffClient,
) -> None:
    attempt_id = finished_attempt(session_factory, catalogue, invite(), clock)
    assert "Grant extra time" not in admin.get(f"/staff/review/attempts/{attempt_id}").get_data(as_text=True)
    response = _grant(admin, attempt_id, {"minutes": "5", "reason": "late"})
    assert response.status_code == 409
    with session_factory() as session:
        assert session.scalars(select(TimeGrant)).all() == []


def test_attempt_list_links_every_attempt(
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    invite: Callable[..., str],
    clock: ControllableClock,
    recruiter: StaffClient,
) -> None:
    finished = finished_attempt(session_factory, catalogue, invite("done@example.com"), clock)
    running = started_attempt(session_factory, catalogue, invite("running@example.com"), clock)
    text = recruiter.get("/staff/review/").get_data(as_text=True)
    assert f"/staff/review/attempts/{finished}" in text and f"/staff/review/attempts/{running}" in text
    assert "done@example.com" in text and "Running" in text and "Submitted" in text
