"""A reviewer's re-mark that changes a graded score is announced again, to webhooks and to the ATS.

On the shipped form (its communication section is a written answer): marked in full, the attempt
is graded and announced; marked again with nothing, ``attempt.graded`` goes out a second time,
``"regraded": true``, and the ATS that ordered the test is sent the lower score.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from ats_setup import CAMPAIGN, ashby_order, basic, connect, greenhouse_order, start_ordered
from flask import Flask
from review_setup import answer, first_option, positions_of, slot_types
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import StaffClient
from webhook_receiver import Receiver, running_receiver

from assess.models import AttemptItem, Delivery
from assess.services.finalization import submit_attempt
from assess.services.outbox import deliver_due
from assess.services.rubric import latest_review_id, score_rubric
from assess.services.webhooks import create_endpoint
from items.bank import Catalogue
from items.types.written import Key

# CAMPAIGN comes from ats_setup, never "from conftest": in a test process that ran browser tests
# first, that name is the browser tests' conftest, with another campaign.


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


def finish_with_a_written_answer(
    session_factory: sessionmaker[Session], catalogue: Catalogue, public_id: str, clock: Any
) -> tuple[int, int]:
    attempt_id = start_ordered(session_factory, catalogue, public_id, clock)
    for position, type_name in sorted(slot_types(session_factory, attempt_id).items()):
        if type_name == "written":
            answer(session_factory, attempt_id, position, {"text": "Hello team, three concerns."}, clock)
        elif type_name == "single_choice":
            answer(
                session_factory,
                attempt_id,
                position,
                {"choice": first_option(session_factory, attempt_id, position)},
                clock,
            )
    with session_factory() as session:
        submit_attempt(session, attempt_id, clock())
    return attempt_id, positions_of(session_factory, attempt_id, "written")[0]


def mark(
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    attempt_id: int,
    position: int,
    reviewer: Any,
    clock: Any,
    *,
    full: bool,
) -> None:
    with session_factory() as session:
        slot = session.get_one(AttemptItem, (attempt_id, position))
        key = catalogue.items[slot.item_id].key
        assert isinstance(key, Key)
        awards = {c.id: c.max_points if full else Decimal(0) for c in key.rubric}
        based_on = latest_review_id(session, attempt_id, position)
        score_rubric(session, attempt_id, position, awards, reviewer, clock(), based_on)


def events(session_factory: sessionmaker[Session]) -> list[Delivery]:
    with session_factory() as session:
        return list(session.scalars(select(Delivery).order_by(Delivery.id)))


@pytest.mark.usefixtures("invite")  # it makes the campaign the ATS orders
@pytest.mark.parametrize("provider", ["greenhouse", "ashby"])
def test_a_re_mark_that_lowers_the_score_is_announced_again_to_the_webhook_and_the_ats(
    provider: str,
    app: Flask,
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    clock: Any,
    recruiter: StaffClient,
    receiver: Receiver,
) -> None:
    client = app.test_client()
    with session_factory() as session:
        create_endpoint(
            session,
            receiver.url,
            ["attempt.graded"],
            None,
            clock(),
            allow_private=True,
            secret_key=app.extensions["assess"].settings.secret_key,
        )
    _, key = connect(session_factory, provider, CAMPAIGN, clock())
    if provider == "greenhouse":
        ordered = client.post(
            "/partners/greenhouse/send_test", json=greenhouse_order(CAMPAIGN), headers=basic(key)
        )
        public_id = ordered.json["partner_interview_id"]
    else:
        ordered = client.post(
            "/partners/ashby/assessment.start", json=ashby_order(CAMPAIGN), headers=basic(key)
        )
        public_id = ordered.json["results"]["assessment_id"]
    attempt_id, position = finish_with_a_written_answer(session_factory, catalogue, public_id, clock)

    mark(session_factory, catalogue, attempt_id, position, recruiter.user, clock, full=True)
    mark(session_factory, catalogue, attempt_id, position, recruiter.user, clock, full=False)
    # Marked again with the same (nothing) changes no score: nothing more is announced.
    mark(session_factory, catalogue, attempt_id, position, recruiter.user, clock, full=False)

    graded = [d for d in events(session_factory) if d.event == "attempt.graded"]
    first, again = (json.loads(d.body)["data"] for d in graded)
    assert (first["regraded"], again["regraded"]) == (False, True)
    assert again["points"] < first["points"] and graded[0].message_id != graded[1].message_id
    told = [d for d in events(session_factory) if d.event == f"{provider}.completed"]
    assert len(told) == 2, "the ATS hears of the new score as of the first"
    if provider == "greenhouse":
        # Greenhouse reads the score back from test_status after each PATCH: it is the new one.
        query = {"partner_interview_id": public_id}
        status = client.get("/partners/greenhouse/test_status", query_string=query, headers=basic(key)).json
        assert status["partner_status"] == "complete"
        assert status["partner_score"] < 100
    else:
        values = [json.loads(d.body)["assessment_result"]["value"] for d in told]
        assert values[1] < values[0]
    assert deliver_due(session_factory, clock, allow_private_targets=True).delivered >= 2
    assert [r.json()["data"]["regraded"] for r in receiver.received] == [False, True]
