"""Events from real changes: a candidate finishes in the app, a reviewer marks, a recruiter decides,
a link expires; the receiver gets each once, signed, with ids and public facts only."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from candidate_client import Candidate, attempt_of, item_numbers, plausible_answer
from flask import Flask
from review_setup import positions_of
from scorecard_setup import KitCandidate
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import StaffClient, post
from webhook_receiver import Receiver, running_receiver, verify

from assess.models import Answer, AttemptItem, Invitation
from assess.services.domain_events import EVENTS
from assess.services.invitations import revoke_invitation
from assess.services.outbox import deliver_due
from assess.services.webhooks import create_endpoint
from assess.sweep import DeadlineSweep
from items.bank import Catalogue

if TYPE_CHECKING:
    from conftest import ControllableClock

#: Words of answer keys and explanations that must never leave in an event.
PRIVATE_WORDS = ("key", "rationale", "model_answer", "response", "explanation", "parts")
#: What ``plausible_answer`` writes into a written item.
WRITTEN_TEXT = "Thank you for the call today"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


@pytest.fixture
def secret(
    app: Flask, session_factory: sessionmaker[Session], receiver: Receiver, clock: ControllableClock
) -> str:
    # The app registers its SECRET_KEY, which seals the endpoint's secret and opens it to sign.
    with session_factory() as session:
        return create_endpoint(
            session,
            receiver.url,
            EVENTS,
            None,
            clock(),
            allow_private=True,
            secret_key=app.extensions["assess"].settings.secret_key,
        )[1]


def received(
    session_factory: sessionmaker[Session], receiver: Receiver, secret: str, clock: ControllableClock
) -> list[dict[str, Any]]:
    """Deliver what is due and return every payload so far, each verified."""
    deliver_due(session_factory, clock, allow_private_targets=True)
    return [
        verify(secret, request.headers, request.body, int(clock().timestamp()))
        for request in receiver.received
    ]


def assert_public(payload: dict[str, Any], *private_texts: str) -> None:
    text = json.dumps(payload)
    assert not any(f'"{word}' in text for word in PRIVATE_WORDS), text
    assert not any(private in text for private in private_texts if private), text


def test_a_candidate_finishing_in_the_app_sends_finalized_then_graded_once_marking_is_done(
    candidate: Callable[..., Candidate],
    interviewer: StaffClient,
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    receiver: Receiver,
    secret: str,
    clock: ControllableClock,
) -> None:
    person = candidate()
    person.start()
    count = len(item_numbers(person.get("/items/1").get_data(as_text=True)))
    for n in range(1, count + 1):
        page = person.get(f"/items/{n}").get_data(as_text=True)
        if person.post(f"/items/{n}", {**plausible_answer(page), "go": "next"}).status_code == 422:
            person.post(f"/items/{n}", {"go": "next"})
    assert person.post("/submit", {"confirm": "yes"}).status_code == 302
    with session_factory() as session:
        attempt = attempt_of(session, person.token)
    written = positions_of(session_factory, attempt.id, "written")

    payloads = received(session_factory, receiver, secret, clock)
    finalized = payloads[0]
    assert finalized["type"] == "attempt.finalized"
    assert finalized["data"] == {
        "attempt_id": attempt.id,
        "invitation_id": attempt.invitation_id,
        "campaign": "account-manager-test",
        "finalized_at": attempt.finalized_at.isoformat() if attempt.finalized_at else None,
        "finalized_by": "candidate",
    }
    for payload in payloads:
        assert_public(payload, WRITTEN_TEXT)

    answered_written = []
    for position in written:
        with session_factory() as session:
            answer = session.get_one(Answer, (attempt.id, position))
            slot = session.get_one(AttemptItem, (attempt.id, position))
        if answer.response:
            answered_written.append((position, catalogue.items[slot.item_id].key))
    assert answered_written or not written, "the written items were answered above"
    if answered_written:
        # Written answers wait for a reviewer: graded comes when the last one is marked.
        assert [p["type"] for p in payloads] == ["attempt.finalized"]
        for position, key in answered_written:
            marks = {f"criterion_{c.id}": str(int(c.max_points)) for c in key.rubric}  # type: ignore[attr-defined]
            link = f"/staff/review/written/{attempt.id}/{position + 1}"
            assert post(interviewer, link, {"based_on": "0", **marks}).status_code == 302
        payloads = received(session_factory, receiver, secret, clock)
        assert [p["type"] for p in payloads] == ["attempt.finalized", "review.completed", "attempt.graded"]
        for payload in payloads:
            assert_public(payload, WRITTEN_TEXT)
    else:
        assert [p["type"] for p in payloads] == ["attempt.finalized", "attempt.graded"]

    graded = payloads[-1]["data"]
    with session_factory() as session:
        final = attempt_of(session, person.token)
    assert graded["attempt_id"] == attempt.id and graded["invitation_id"] == attempt.invitation_id
    assert (graded["points"], graded["max_points"]) == (
        float(final.total_points or 0),
        float(final.max_points or 0),
    )
    assert received(session_factory, receiver, secret, clock) == payloads, "each event once"


def test_an_unanswered_attempt_at_the_deadline_is_finalized_and_graded_by_the_sweep(
    app: Flask,
    candidate: Callable[..., Candidate],
    session_factory: sessionmaker[Session],
    receiver: Receiver,
    secret: str,
    clock: ControllableClock,
) -> None:
    person = candidate()
    person.start()
    clock.advance(minutes=24 * 60)
    state = app.extensions["assess"]
    sweep = DeadlineSweep(state.session_factory, clock, 30, 60, allow_private_targets=True)
    assert sweep.sweep_once() == 1
    assert sweep.deliver_once().delivered == 2
    types = [request.json()["type"] for request in receiver.received]
    assert types == ["attempt.finalized", "attempt.graded"]
    assert receiver.received[0].json()["data"]["finalized_by"] == "deadline"
    assert receiver.received[1].json()["data"]["points"] == 0


def test_a_recorded_decision_is_announced_without_its_rationale(
    staff_client: Callable[..., StaffClient],
    interviewee: KitCandidate,
    session_factory: sessionmaker[Session],
    receiver: Receiver,
    secret: str,
    clock: ControllableClock,
) -> None:
    recruiter = staff_client("recruiter")
    url = f"/staff/interviews/candidates/{interviewee.invitation.id}/debrief/decision"
    rationale = "Confidential: strong references from the last employer"
    assert post(recruiter, url, {"decision": "hire", "rationale": rationale}).status_code == 302
    (payload,) = received(session_factory, receiver, secret, clock)
    assert payload["type"] == "decision.recorded"
    data = payload["data"]
    assert (data["invitation_id"], data["decision"]) == (interviewee.invitation.id, "hire")
    assert_public(payload, rationale, interviewee.invitation.email)


def test_links_that_expire_unused_are_announced_once_by_the_sweep(
    app: Flask,
    invite: Callable[..., str],
    candidate: Callable[..., Candidate],
    session_factory: sessionmaker[Session],
    receiver: Receiver,
    secret: str,
    clock: ControllableClock,
) -> None:
    unused = invite("unused@example.com", valid_for=timedelta(days=1))
    revoked = invite("revoked@example.com", valid_for=timedelta(days=1))
    started = candidate(email="started@example.com", valid_for=timedelta(days=1))
    started.start()
    with session_factory() as session:
        by_email = {i.email: i for i in session.scalars(select(Invitation))}
        revoke_invitation(session, by_email["revoked@example.com"].id, clock())
    assert unused and revoked

    state = app.extensions["assess"]
    sweeps = [
        DeadlineSweep(state.session_factory, clock, 30, 60, allow_private_targets=True) for _ in range(2)
    ]
    assert sweeps[0].deliver_once().claimed == 0, "nothing has expired yet"
    clock.advance(minutes=25 * 60)
    for sweep in sweeps:
        sweep.deliver_once()
    expired = [r.json() for r in receiver.received if r.json()["type"] == "invitation.expired"]
    assert [payload["data"]["invitation_id"] for payload in expired] == [by_email["unused@example.com"].id]
    assert expired[0]["data"]["expired_at"] == by_email["unused@example.com"].expires_at.isoformat()
    assert_public(expired[0], "unused@example.com")
