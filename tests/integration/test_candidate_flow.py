"""A candidate's attempt without JavaScript: the link, the instructions, every item, review, the end."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from candidate_client import Candidate, answers_of, attempt_of, item_numbers, plausible_answer
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assess.models import Attempt, AttemptItem, ItemScore, StoredItemVersion
from assess.services.attempt_phase import STARTED
from assess.services.invitations import open_link, revoke_invitation
from items.bank import Catalogue


def _text(response: Any) -> str:
    text: str = response.get_data(as_text=True)
    return text


def test_instructions_state_time_sections_saving_and_the_end(
    candidate: Callable[..., Candidate], catalogue: Catalogue, form_id: str
) -> None:
    page = candidate().get()
    assert page.status_code == 200
    html = _text(page)
    form = catalogue.form(form_id)
    assert form.title in html
    assert f"{form.time_limit_minutes} min" in html
    for section in form.sections:
        assert section.title in html
    assert "How your answers are saved" in html
    assert "ends by itself" in html
    assert "Start the test" in html


def test_instructions_show_the_extra_time_granted(
    candidate: Callable[..., Candidate], catalogue: Catalogue, form_id: str
) -> None:
    html = _text(candidate(extra_time=Decimal("1.5")).get())
    limit = catalogue.form(form_id).time_limit_minutes
    assert f"{int(limit * 1.5)} min" in html
    assert "1.5 times the standard" in html


def test_whole_attempt_without_javascript_is_saved_submitted_and_graded(
    candidate: Callable[..., Candidate], session_factory: sessionmaker[Session]
) -> None:
    person = candidate()
    first = person.start()
    assert first.headers["Location"].endswith("/items/1")
    html = _text(person.get("/items/1"))
    count = len(item_numbers(html))
    assert count >= 1
    for n in range(1, count + 1):
        page = person.get(f"/items/{n}")
        assert page.status_code == 200
        assert f"Item {n} of {count}" in _text(page)
        saved = person.post(f"/items/{n}", {**plausible_answer(_text(page)), "go": "next"})
        assert saved.status_code in (302, 422), _text(saved)
        if saved.status_code == 422:
            # A type that refuses the generic answer: the page names the field; leave it unanswered.
            assert "Your answer was not saved" in _text(saved)
            saved = person.post(f"/items/{n}", {"go": "next"})
        expected = f"/items/{n + 1}" if n < count else "/review"
        assert saved.headers["Location"].endswith(expected)

    review = person.get("/review")
    assert review.status_code == 200
    with session_factory() as session:
        attempt = attempt_of(session, person.token)
        stored = answers_of(session, attempt.id)
    unanswered = [position for position, (response, _) in stored.items() if response is None]
    if unanswered:
        assert "You have not answered" in _text(review)
    done = person.post("/submit", {"confirm": "yes"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/done")
    assert "Your test has been submitted" in _text(person.get("/done"))

    with session_factory() as session:
        attempt = attempt_of(session, person.token)
        assert attempt.finalized_by == "candidate"
        assert attempt.total_points is not None and attempt.max_points is not None
        scores = session.scalar(select(func.count()).where(ItemScore.attempt_id == attempt.id))
        assert scores == count


def test_saved_answers_come_back_on_the_page_and_mark_the_item_answered(
    candidate: Callable[..., Candidate],
) -> None:
    person = candidate()
    person.start()
    html = _text(person.get("/items/1"))
    answer = plausible_answer(html)
    assert person.post("/items/1", {**answer, "go": "next"}).status_code == 302
    again = _text(person.get("/items/1"))
    assert "(answered)" in again.split("Item 1:")[1].split("</button>")[0]
    first_value = next(iter(answer.values()))[0]
    assert f'value="{first_value}"' in again


def test_start_twice_from_two_tabs_keeps_one_attempt_and_one_deadline(
    candidate: Callable[..., Candidate], app: Any, session_factory: sessionmaker[Session], clock: Any
) -> None:
    first_tab = candidate()
    second_tab = Candidate(app.test_client(), first_tab.token)
    second_tab.get()  # both tabs show the instructions
    first_tab.start()
    with session_factory() as session:
        deadline = attempt_of(session, first_tab.token).deadline
    clock.advance(seconds=90)
    again = second_tab.post("/start")
    assert again.status_code == 302 and again.headers["Location"].endswith("/items/1")
    with session_factory() as session:
        attempts = session.scalars(select(Attempt)).all()
        assert len(attempts) == 1
        assert attempts[0].deadline == deadline


def test_the_link_of_a_running_attempt_resumes_at_the_first_unanswered_item(
    candidate: Callable[..., Candidate],
) -> None:
    person = candidate()
    person.start()
    person.post("/items/1", {**plausible_answer(_text(person.get("/items/1"))), "go": "next"})
    resumed = person.get()
    assert resumed.status_code == 302
    assert resumed.headers["Location"].endswith("/items/2")


def test_review_names_unanswered_items_and_submit_needs_a_confirmation(
    candidate: Callable[..., Candidate], session_factory: sessionmaker[Session]
) -> None:
    person = candidate()
    person.start()
    html = _text(person.get("/review"))
    assert "You have not answered" in html
    assert 'name="confirm"' in html
    refused = person.post("/submit")
    assert refused.status_code == 422
    assert "Tick the box to confirm" in _text(refused)
    with session_factory() as session:
        assert attempt_of(session, person.token).finalized_at is None
    assert person.post("/submit", {"confirm": "yes"}).status_code == 302
    with session_factory() as session:
        assert attempt_of(session, person.token).finalized_by == "candidate"


def test_a_finished_link_leads_to_the_confirmation_page(candidate: Callable[..., Candidate]) -> None:
    person = candidate()
    person.start()
    person.post("/submit", {"confirm": "yes"})
    for path in ("", "/items/1", "/review"):
        response = person.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith("/done"), path
    assert person.get("/done").status_code == 200
    assert person.get("/status").get_json() == {"seconds_left": 0, "finished": True}


def test_unknown_expired_and_revoked_links_get_polite_pages_with_their_status(
    candidate: Callable[..., Candidate],
    invite: Callable[..., str],
    clock: Any,
    session_factory: sessionmaker[Session],
) -> None:
    unknown = candidate(token="A" * 32).get()
    assert unknown.status_code == 404
    assert "This link does not work" in _text(unknown)

    expiring = candidate(valid_for=timedelta(hours=1))
    clock.advance(minutes=61)
    expired = expiring.get()
    assert expired.status_code == 410
    assert "This link has expired" in _text(expired)

    revoked = candidate()
    with session_factory() as session:
        invitation = open_link(session, revoked.token, clock())[0]
        revoke_invitation(session, invitation.id, clock())
    page = revoked.get()
    assert page.status_code == 410
    assert "no longer active" in _text(page)


def test_a_response_the_type_refuses_is_shown_at_its_field_and_changes_nothing(
    candidate: Callable[..., Candidate], session_factory: sessionmaker[Session]
) -> None:
    person = candidate()
    person.start()
    with session_factory() as session:
        attempt = attempt_of(session, person.token)
        types = dict(
            session.execute(
                select(AttemptItem.position, StoredItemVersion.type)
                .join(
                    StoredItemVersion,
                    (StoredItemVersion.item_id == AttemptItem.item_id)
                    & (StoredItemVersion.version == AttemptItem.version),
                )
                .where(AttemptItem.attempt_id == attempt.id)
            ).all()
        )
        before = answers_of(session, attempt.id)
    position = next(p for p, name in types.items() if name == "single_choice")
    refused = person.post(f"/items/{position + 1}", {"answer-choice": "not-an-option", "go": "next"})
    assert refused.status_code == 422
    assert "Your answer was not saved" in _text(refused)
    assert "is not one of the options" in _text(refused)
    with session_factory() as session:
        assert answers_of(session, attempt.id) == before


def test_autosave_stores_the_newest_edit_and_says_an_older_one_arriving_late_is_not_stored(
    candidate: Callable[..., Candidate], session_factory: sessionmaker[Session]
) -> None:
    person = candidate()
    person.start()
    html = _text(person.get("/items/1"))
    answer = plausible_answer(html)
    newer = person.autosave(1, answer, edit=2)
    assert newer.status_code == 200
    assert newer.get_json() == {"saved": True, "revision": 1, "answered": True, "observations": 0}
    older = person.autosave(1, {}, edit=1, base=0)
    assert older.status_code == 200
    assert older.get_json() == {
        "saved": False,
        "superseded": True,
        "revision": 1,
        "answered": True,
        "observations": 0,
    }
    with session_factory() as session:
        attempt = attempt_of(session, person.token)
        response, edit = answers_of(session, attempt.id)[0]
    assert response is not None and edit == 2


def test_a_save_from_another_device_on_an_older_revision_is_a_conflict_and_the_page_says_so(
    candidate: Callable[..., Candidate], session_factory: sessionmaker[Session]
) -> None:
    person = candidate()
    person.start()
    html = _text(person.get("/items/1"))
    answer = plausible_answer(html)
    assert person.autosave(1, answer, edit=1).get_json()["saved"] is True
    # A second device opened item 1 before that save, and its clock is far ahead: no matter.
    other = Candidate(person.client, person.token, csrf=person.csrf, device="second-device-0")
    conflict = other.autosave(1, {}, edit=9_000_000_000_000_000, base=0)
    assert conflict.status_code == 409
    reply = conflict.get_json()
    assert (reply["saved"], reply["conflict"], reply["revision"]) == (False, True, 1)
    assert "A newer answer from another window or device was kept" in reply["message"]
    # The same without JavaScript: the page stays on the item, shows what is stored and says why.
    stale_post = person.post("/items/1", {"revision": "0", "go": "next"})
    assert stale_post.status_code == 409
    assert "A newer answer from another window or device was kept" in _text(stale_post)
    assert 'name="revision" value="1"' in _text(stale_post)
    with session_factory() as session:
        attempt = attempt_of(session, person.token)
        response, edit = answers_of(session, attempt.id)[0]
    assert response is not None and edit == 1


def test_pages_carry_the_security_headers_and_are_never_cached(candidate: Callable[..., Candidate]) -> None:
    person = candidate()
    for response in (person.get(), person.get("/status"), person.client.get("/no-such-page")):
        headers = response.headers
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Cache-Control"] == "no-store"


def test_error_pages_are_polite_and_never_show_a_traceback(candidate: Callable[..., Candidate]) -> None:
    person = candidate()
    missing = person.client.get("/no-such-page")
    assert missing.status_code == 404
    assert "Page not found" in _text(missing)
    wrong_method = person.client.get(f"/t/{person.token}/start")
    assert wrong_method.status_code == 405
    for response in (missing, wrong_method):
        assert "Traceback" not in _text(response)
        assert "<!doctype html>" in _text(response)


def test_an_autosave_the_type_refuses_names_the_field_and_changes_nothing(
    candidate: Callable[..., Candidate], session_factory: sessionmaker[Session]
) -> None:
    person = candidate()
    person.start()
    with session_factory() as session:
        attempt = attempt_of(session, person.token)
        single_choice = session.scalars(
            select(AttemptItem.position)
            .join(
                StoredItemVersion,
                (StoredItemVersion.item_id == AttemptItem.item_id)
                & (StoredItemVersion.version == AttemptItem.version),
            )
            .where(AttemptItem.attempt_id == attempt.id, StoredItemVersion.type == "single_choice")
        ).first()
        before = answers_of(session, attempt.id)
    assert single_choice is not None
    person.get(f"/items/{single_choice + 1}")
    refused = person.autosave(single_choice + 1, {"answer-choice": ["not-an-option"]}, edit=5_000)
    assert refused.status_code == 422
    assert refused.get_json()["field"] == "choice"
    assert "is not one of the options" in refused.get_json()["reason"]
    with session_factory() as session:
        assert answers_of(session, attempt.id) == before


def test_nothing_can_be_saved_before_the_test_is_started(
    candidate: Callable[..., Candidate], session_factory: sessionmaker[Session]
) -> None:
    person = candidate()
    person.get()
    assert person.autosave(1, {}, edit=5_000).status_code == 409
    assert person.post("/items/1", {"go": "next"}).status_code == 409
    assert person.get("/status").status_code == 409
    assert person.get("/items/1").headers["Location"].endswith(f"/t/{person.token}")
    with session_factory() as session:
        # Prepared with the invitation, never started.
        assert session.scalars(select(Attempt).where(STARTED)).first() is None
