"""What the attempt page reports for the integrity rules is stored as events, bounded and dated by the server.

Focus lapses, paste sizes and time on items ride on the page's autosaves, or arrive alone at
``/signals`` when no save comes (and by sendBeacon when the page closes), as "milliseconds ago";
the server dates them with its own clock within the attempt, stores them only while the
attempt accepts saves, refuses a bad report whole with the field and why, and puts the
request's browser family and network prefix (never the address) on every candidate event.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from candidate_client import GRACE_SECONDS, Candidate, answers_of, attempt_of, plausible_answer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.test import TestResponse

from assess.models import AttemptEvent
from assess.services.integrity_recording import MAX_OBSERVATIONS

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
OBSERVED = ("focus", "paste", "viewed")


def _from(person: Candidate, user_agent: str, address: str) -> Candidate:
    person.client.environ_base.update({"HTTP_USER_AGENT": user_agent, "REMOTE_ADDR": address})
    return person


def _report(person: Candidate, *observations: dict[str, Any], csrf: bool = True) -> TestResponse:
    report = json.dumps({"observations": list(observations)})
    return person.post("/signals", {"observations": report}, csrf=csrf)


def _events(session_factory: sessionmaker[Session], token: str, *kinds: str) -> list[AttemptEvent]:
    with session_factory() as session:
        attempt = attempt_of(session, token)
        query = select(AttemptEvent).where(
            AttemptEvent.attempt_id == attempt.id, AttemptEvent.kind.in_(kinds)
        )
        return list(session.scalars(query.order_by(AttemptEvent.id)))


def _started_at(session_factory: sessionmaker[Session], token: str) -> datetime:
    with session_factory() as session:
        started = attempt_of(session, token).started_at
    assert started is not None
    return started


def test_a_report_is_stored_as_events_dated_by_the_server_with_the_requests_origin(
    candidate: Callable[..., Candidate], session_factory: sessionmaker[Session], clock: Any
) -> None:
    person = _from(candidate(), FIREFOX, "203.0.113.7")
    person.start()
    clock.advance(seconds=90)
    now = clock()
    reply = _report(
        person,
        {"kind": "focus", "position": 0, "lost_ms_ago": 40_000, "regained_ms_ago": 10_000, "hidden": True},
        {"kind": "paste", "position": 1, "ms_ago": 5_000, "characters": 412, "from_page": False},
        {"kind": "paste", "position": 1, "ms_ago": 4_000, "characters": 80, "from_page": True},
        {"kind": "viewed", "position": 0, "ms_ago": 2_500, "seconds": 61.5},
    )
    assert reply.status_code == 204 and reply.get_data() == b""

    focus, paste, from_page, viewed = _events(session_factory, person.token, *OBSERVED)
    origin = {"agent": "Firefox on Windows", "network": "203.0.113.0/24"}
    assert (focus.kind, focus.position, focus.at) == ("focus", 0, now - timedelta(seconds=40))
    regained = (now - timedelta(seconds=10)).isoformat()
    assert focus.detail == {"regained_at": regained, "hidden": True, **origin}
    assert (paste.position, paste.at) == (1, now - timedelta(seconds=5))
    assert paste.detail == {"characters": 412, "from_page": False, **origin}
    assert from_page.detail == {"characters": 80, "from_page": True, **origin}
    assert (viewed.position, viewed.at) == (0, now - timedelta(milliseconds=2_500))
    assert viewed.detail == {"seconds": 61.5, **origin}


def test_starts_and_saves_carry_the_browser_family_and_network_never_the_address(
    candidate: Callable[..., Candidate], session_factory: sessionmaker[Session]
) -> None:
    person = _from(candidate(), FIREFOX, "203.0.113.7")
    person.start()
    answer = plausible_answer(person.get("/items/1").get_data(as_text=True))
    assert person.autosave(1, answer, edit=1).status_code == 200
    # The same attempt continued on a phone on another network, by plain posts.
    _from(person, SAFARI_IPHONE, "2001:db8:abcd:12::5")
    second = plausible_answer(person.get("/items/2").get_data(as_text=True))
    assert person.post("/items/2", {**second, "go": "next"}).status_code == 302

    started, autosaved, posted = _events(session_factory, person.token, "started", "saved")
    assert started.detail["agent"] == autosaved.detail["agent"] == "Firefox on Windows"
    assert started.detail["network"] == autosaved.detail["network"] == "203.0.113.0/24"
    assert started.detail["items"] > 0 and autosaved.detail["device"] == person.device
    assert (posted.detail["agent"], posted.detail["network"]) == ("Safari on iOS", "2001:db8:abcd::/48")
    stored = json.dumps([e.detail for e in _events(session_factory, person.token, "started", "saved")])
    assert "203.0.113.7" not in stored and "12::5" not in stored and "Gecko" not in stored


def test_times_are_kept_between_the_start_and_the_servers_now_whatever_the_browser_says(
    candidate: Callable[..., Candidate], session_factory: sessionmaker[Session], clock: Any
) -> None:
    person = candidate()
    person.start()
    clock.advance(seconds=20)
    week = 7 * 24 * 3600 * 1000
    reply = _report(
        person,
        # Lost "a week ago": before the Start, so at the Start; regained just now.
        {"kind": "focus", "position": 0, "lost_ms_ago": week, "regained_ms_ago": 0, "hidden": False},
        {"kind": "paste", "position": 0, "ms_ago": 0, "characters": 0, "from_page": False},
    )
    assert reply.status_code == 204
    focus, paste = _events(session_factory, person.token, *OBSERVED)
    assert focus.at == _started_at(session_factory, person.token)
    assert focus.detail["regained_at"] == clock().isoformat()
    assert paste.at == clock()
    # The deadline is 30 minutes or more away: the browser's clock was never asked.
    assert focus.detail["agent"] and focus.detail["network"] == "unknown network"


BAD_ENTRIES: list[tuple[Any, str]] = [
    ([{"kind": "paste", "position": 0, "ms_ago": 0, "characters": -1, "from_page": False}], "[0].characters"),
    (
        [{"kind": "paste", "position": 0, "ms_ago": 0, "characters": 1_000_001, "from_page": False}],
        "[0].characters",
    ),
    ([{"kind": "paste", "position": 0, "ms_ago": 0, "characters": 5, "from_page": "yes"}], "[0].from_page"),
    (
        [{"kind": "paste", "position": 0, "ms_ago": 0, "characters": 5, "from_page": False, "text": "x"}],
        "[0].text",
    ),
    ([{"kind": "paste", "position": 0, "ms_ago": -5, "characters": 5, "from_page": False}], "[0].ms_ago"),
    ([{"kind": "paste", "position": 999, "ms_ago": 0, "characters": 5, "from_page": False}], "[0].position"),
    ([{"kind": "viewed", "position": 0, "ms_ago": 0, "seconds": 86_400}], "[0].seconds"),
    ([{"kind": "viewed", "position": 0, "ms_ago": 0, "seconds": -1}], "[0].seconds"),
    (
        [{"kind": "focus", "position": 0, "lost_ms_ago": 10, "regained_ms_ago": 20, "hidden": False}],
        "[0].regained_ms_ago",
    ),
    ([{"kind": "keystrokes", "position": 0}], "[0]"),
    ([{"kind": "viewed", "position": 0, "ms_ago": 0, "seconds": 1}] * (MAX_OBSERVATIONS + 1), "observations"),
]


def test_a_bad_report_is_refused_whole_naming_the_field_and_nothing_is_stored(
    candidate: Callable[..., Candidate], session_factory: sessionmaker[Session]
) -> None:
    person = candidate()
    person.start()
    good = {"kind": "viewed", "position": 0, "ms_ago": 0, "seconds": 3}
    for entries, field in BAD_ENTRIES:
        reply = _report(person, good, *entries)
        assert reply.status_code == 422, (entries, reply.get_data(as_text=True))
        refusal = reply.get_json()
        # The good entry comes first, so the bad one is the second.
        expected = "observations" + field.replace("[0]", "[1]") if field.startswith("[") else field
        assert refusal["field"] == expected, refusal
        assert refusal["reason"]
    for raw in ("not json", '{"observations": {}}', "[]", "x" * 20_000):
        reply = person.post("/signals", {"observations": raw})
        assert reply.status_code == 422 and reply.get_json()["field"].startswith("observations"), raw
    assert person.post("/signals", {}).get_json() == {"field": "observations", "reason": "is missing"}
    assert _events(session_factory, person.token, *OBSERVED) == []


def test_a_report_without_the_pages_csrf_token_or_as_a_json_body_is_refused(
    candidate: Callable[..., Candidate], session_factory: sessionmaker[Session]
) -> None:
    person = candidate()
    person.start()
    entry = {"kind": "paste", "position": 0, "ms_ago": 0, "characters": 50, "from_page": False}
    assert _report(person, entry, csrf=False).status_code == 400
    as_json = person.client.post(
        f"{person.base}/signals", json={"observations": [entry]}, headers={"X-CSRFToken": person.csrf}
    )
    assert as_json.status_code == 415
    assert _events(session_factory, person.token, *OBSERVED) == []


def test_nothing_is_recorded_before_start_or_once_the_attempt_is_closed(
    candidate: Callable[..., Candidate], session_factory: sessionmaker[Session], clock: Any
) -> None:
    entry = {"kind": "focus", "position": 0, "lost_ms_ago": 5_000, "regained_ms_ago": 0, "hidden": True}
    early = candidate()
    early.get()
    assert _report(early, entry).status_code == 409
    assert early.get("/status").status_code == 409

    late = candidate()
    late.start()
    clock.advance(minutes=24 * 60)
    assert _report(late, entry).status_code == 410
    submitted = candidate()
    submitted.start()
    submitted.post("/submit", {"confirm": "yes"})
    assert _report(submitted, entry).status_code == 410

    with session_factory() as session:
        events = session.scalars(select(AttemptEvent).where(AttemptEvent.kind.in_(OBSERVED))).all()
        assert events == []
        assert attempt_of(session, early.token).started_at is None


def test_a_report_sent_within_the_grace_after_the_deadline_is_still_stored(
    candidate: Callable[..., Candidate], session_factory: sessionmaker[Session], clock: Any
) -> None:
    person = candidate()
    person.start()
    with session_factory() as session:
        deadline = attempt_of(session, person.token).deadline
    assert deadline is not None
    clock.now = deadline + timedelta(seconds=GRACE_SECONDS - 1)
    entry = {"kind": "focus", "position": 0, "lost_ms_ago": 3_000, "regained_ms_ago": 0, "hidden": True}
    assert _report(person, entry).status_code == 204
    (focus,) = _events(session_factory, person.token, "focus")
    assert focus.at == clock() - timedelta(seconds=3)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_instructions_page_tells_what_is_recorded_and_loads_no_recorder(
    candidate: Callable[..., Candidate],
) -> None:
    page = candidate().get().get_data(as_text=True)
    assert "attempt.js" not in page
    assert "how many characters are pasted into an answer (not what you paste)" in " ".join(page.split())
    assert "Nothing is recorded before you" in page


def test_observations_riding_on_a_save_are_stored_in_its_commit_whether_or_not_the_answer_changes(
    candidate: Callable[..., Candidate], session_factory: sessionmaker[Session], clock: Any
) -> None:
    person = _from(candidate(), FIREFOX, "203.0.113.7")
    person.start()
    answer = plausible_answer(person.get("/items/1").get_data(as_text=True))
    clock.advance(seconds=30)
    focus = {"kind": "focus", "position": 0, "lost_ms_ago": 12_000, "regained_ms_ago": 2_000, "hidden": True}
    reply = person.autosave(1, answer, edit=1, observations=[focus])
    assert reply.status_code == 200 and reply.get_json()["saved"] is True
    assert reply.get_json()["observations"] == 1
    # The same answer again: nothing is written to the answer, the observation is stored all the same.
    viewed = {"kind": "viewed", "position": 0, "ms_ago": 0, "seconds": 28.0}
    again = person.autosave(1, answer, edit=1, observations=[viewed])
    assert again.status_code == 200 and again.get_json()["observations"] == 1
    assert person.autosave(1, answer, edit=2).get_json()["observations"] == 0

    stored_focus, stored_viewed = _events(session_factory, person.token, *OBSERVED)
    assert stored_focus.at == clock() - timedelta(seconds=12)
    assert stored_focus.detail["network"] == "203.0.113.0/24" and stored_viewed.detail["seconds"] == 28.0
    (saved,) = _events(session_factory, person.token, "saved")
    assert saved.at == clock()


def test_a_bad_observation_riding_on_a_save_is_refused_by_name_and_the_answer_is_saved_all_the_same(
    candidate: Callable[..., Candidate], session_factory: sessionmaker[Session]
) -> None:
    person = candidate()
    person.start()
    answer = plausible_answer(person.get("/items/1").get_data(as_text=True))
    good = {"kind": "viewed", "position": 0, "ms_ago": 0, "seconds": 3}
    for edit, (entries, field) in enumerate(BAD_ENTRIES[:-1], start=1):
        reply = person.autosave(1, answer, edit=edit, observations=[good, *entries])
        assert reply.status_code == 200, (entries, reply.get_data(as_text=True))
        body = reply.get_json()
        assert body["observations"] == 0
        assert body["observations_refused"]["field"] == "observations" + field.replace("[0]", "[1]")
        assert body["observations_refused"]["reason"]
    assert _events(session_factory, person.token, *OBSERVED) == []
    with session_factory() as session:
        assert answers_of(session, attempt_of(session, person.token).id)[0][0] is not None
    # More entries than a report may hold is not a request any page of ours sends: refused whole.
    too_many = [good] * (MAX_OBSERVATIONS + 1)
    assert person.autosave(1, answer, edit=99, observations=too_many).status_code == 400


def test_observations_riding_on_a_save_after_the_grace_are_refused_with_the_save(
    candidate: Callable[..., Candidate], session_factory: sessionmaker[Session], clock: Any
) -> None:
    person = candidate()
    person.start()
    answer = plausible_answer(person.get("/items/1").get_data(as_text=True))
    clock.advance(minutes=24 * 60)
    entry = {"kind": "paste", "position": 0, "ms_ago": 0, "characters": 9, "from_page": False}
    assert person.autosave(1, answer, edit=1, observations=[entry]).status_code == 410
    assert _events(session_factory, person.token, *OBSERVED, "saved") == []
