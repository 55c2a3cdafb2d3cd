"""A test with a written answer is complete for the ATS only once a reviewer has marked it.

On the shipped form (its communication section is a written answer): after the Submit Greenhouse
reads "awaiting_review" and nothing is sent; the reviewer's marks send the PATCH (Greenhouse) or
Started and the result (Ashby), whose score is the report's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from ats_setup import CAMPAIGN, ashby_order, basic, connect, greenhouse_order, start_ordered
from flask import Flask
from flask.testing import FlaskClient
from review_setup import answer, first_option, positions_of, slot_types
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import StaffClient

from assess.models import Attempt, AttemptItem, Delivery
from assess.services.finalization import submit_attempt
from assess.services.pipeline import assessment_result
from assess.services.rubric import score_rubric
from items.bank import Catalogue
from items.types.written import Key


def finish_with_a_written_answer(
    session_factory: sessionmaker[Session], catalogue: Catalogue, public_id: str, clock: Any
) -> tuple[int, int]:
    """Answer the written item and the single-choice ones, then submit: (attempt id, written position)."""
    attempt_id = start_ordered(session_factory, catalogue, public_id, clock)
    for position, type_name in sorted(slot_types(session_factory, attempt_id).items()):
        clock.advance(seconds=30)
        if type_name == "written":
            answer(session_factory, attempt_id, position, {"text": "Hello team, three concerns."}, clock)
        elif type_name == "single_choice":
            choice = first_option(session_factory, attempt_id, position)
            answer(session_factory, attempt_id, position, {"choice": choice}, clock)
    with session_factory() as session:
        submit_attempt(session, attempt_id, clock())
    return attempt_id, positions_of(session_factory, attempt_id, "written")[0]


def mark_full(
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    attempt_id: int,
    position: int,
    reviewer: Any,
    clock: Any,
) -> None:
    with session_factory() as session:
        slot = session.get_one(AttemptItem, (attempt_id, position))
        key = catalogue.items[slot.item_id].key
        assert isinstance(key, Key)
        score_rubric(
            session, attempt_id, position, {c.id: c.max_points for c in key.rubric}, reviewer, clock(), 0
        )


def invitation_of(session_factory: sessionmaker[Session], attempt_id: int) -> int:
    with session_factory() as session:
        return session.get_one(Attempt, attempt_id).invitation_id


def deliveries(session_factory: sessionmaker[Session]) -> list[Delivery]:
    with session_factory() as session:
        return list(session.scalars(select(Delivery).order_by(Delivery.id)))


@pytest.fixture
def client(app: Flask, invite: Callable[..., str], catalogue: Catalogue) -> FlaskClient:
    if not any(item.type == "written" for item in catalogue.items.values()):
        pytest.fail("the shipped bank has no written item to review")
    return app.test_client()


def test_greenhouse_hears_of_completion_only_once_the_written_answer_is_marked(
    client: FlaskClient,
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    clock: Any,
    recruiter: StaffClient,
) -> None:
    _, key = connect(session_factory, "greenhouse", CAMPAIGN, clock())
    public_id = client.post(
        "/partners/greenhouse/send_test", json=greenhouse_order(CAMPAIGN), headers=basic(key)
    ).json["partner_interview_id"]
    attempt_id, position = finish_with_a_written_answer(session_factory, catalogue, public_id, clock)

    def status() -> dict[str, Any]:
        query = {"partner_interview_id": public_id}
        return client.get("/partners/greenhouse/test_status", query_string=query, headers=basic(key)).json

    waiting = status()
    assert waiting["partner_status"] == "awaiting_review"
    assert waiting["partner_score"] is None and waiting["metadata"]["Completed At"] is not None
    assert deliveries(session_factory) == []

    mark_full(session_factory, catalogue, attempt_id, position, recruiter.user, clock)
    assert [delivery.event for delivery in deliveries(session_factory)] == ["greenhouse.completed"]
    done = status()
    assert done["partner_status"] == "complete"
    with session_factory() as session:
        report = assessment_result(session, invitation_of(session_factory, attempt_id))
    assert Decimal(str(done["partner_score"])) == report.percent


def test_ashby_gets_the_result_with_the_marked_answer_counted(
    client: FlaskClient,
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    clock: Any,
    recruiter: StaffClient,
) -> None:
    _, key = connect(session_factory, "ashby", CAMPAIGN, clock())
    started = client.post("/partners/ashby/assessment.start", json=ashby_order(CAMPAIGN), headers=basic(key))
    public_id = started.json["results"]["assessment_id"]
    attempt_id, position = finish_with_a_written_answer(session_factory, catalogue, public_id, clock)
    assert [delivery.event for delivery in deliveries(session_factory)] == ["ashby.started"]

    mark_full(session_factory, catalogue, attempt_id, position, recruiter.user, clock)
    started_update, result_update = deliveries(session_factory)
    assert result_update.event == "ashby.completed"
    body = json.loads(result_update.body)
    with session_factory() as session:
        report = assessment_result(session, invitation_of(session_factory, attempt_id))
    assert report.pending == 0
    assert Decimal(str(body["assessment_result"]["value"])) == report.percent
