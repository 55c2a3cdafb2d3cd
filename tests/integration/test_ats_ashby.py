"""Ashby's calls on us, through the real app on both databases: list, start (409, 422), cancel, updates."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from ats_setup import (
    ASHBY_API_KEY,
    CAMPAIGN,
    ashby_order,
    basic,
    catalogue,
    catalogue_path,
    client,
    connect,
    count,
    form_id,
    take_and_submit,
)
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assess.models import AuditEntry, Delivery, Invitation
from assess.models.ats import AtsAssessment
from assess.services.ats_notices import basic_auth
from items.bank import Catalogue

BASE = "/partners/ashby"
# The fixture bank and the test client, from ats_setup.
__all__ = ["catalogue", "catalogue_path", "client", "form_id"]


@pytest.fixture
def app(app: Flask) -> Flask:
    app.config["ASHBY_API_URL"] = "https://api.ashbyhq.example"
    return app


@pytest.fixture
def ashby(app: Flask, invite: Callable[..., str], session_factory: sessionmaker[Session], clock: Any) -> str:
    """The key of an Ashby connection offering the test campaign (``invite`` made it)."""
    return connect(session_factory, "ashby", CAMPAIGN, clock())[1]


def test_assessment_list_names_each_offered_campaign(client: FlaskClient, ashby: str) -> None:
    response = client.post(f"{BASE}/assessment.list", json={}, headers=basic(ashby))
    assert response.status_code == 200
    assert response.json["success"] is True
    (offered,) = response.json["results"]
    assert offered["assessment_type_id"] == CAMPAIGN
    assert offered["name"] == "Account Manager, spring"
    assert "Account Manager (SMB)" in offered["description"]


def test_a_greenhouse_key_or_none_is_a_401(
    client: FlaskClient, ashby: str, session_factory: sessionmaker[Session], clock: Any
) -> None:
    _, greenhouse_key = connect(session_factory, "greenhouse", CAMPAIGN, clock())
    assert client.post(f"{BASE}/assessment.list", json={}, headers=basic(greenhouse_key)).status_code == 401
    assert client.post(f"{BASE}/assessment.start", json=ashby_order(CAMPAIGN)).status_code == 401


def test_start_is_idempotent_per_candidate_and_application(
    client: FlaskClient, ashby: str, session_factory: sessionmaker[Session]
) -> None:
    first = client.post(f"{BASE}/assessment.start", json=ashby_order(CAMPAIGN), headers=basic(ashby))
    again = client.post(f"{BASE}/assessment.start", json=ashby_order(CAMPAIGN), headers=basic(ashby))
    assert first.status_code == again.status_code == 200
    assert first.json["success"] is True
    assert first.json["results"]["assessment_id"] == again.json["results"]["assessment_id"]
    assert count(session_factory, Invitation) == 1


def test_start_for_a_candidate_already_being_assessed_is_a_409(
    client: FlaskClient, ashby: str, session_factory: sessionmaker[Session]
) -> None:
    client.post(
        f"{BASE}/assessment.start", json=ashby_order(CAMPAIGN, application="app-1"), headers=basic(ashby)
    )
    other = client.post(
        f"{BASE}/assessment.start", json=ashby_order(CAMPAIGN, application="app-2"), headers=basic(ashby)
    )
    assert other.status_code == 409
    assert "already being assessed" in other.json["message"]
    assert count(session_factory, Invitation) == 1


@pytest.mark.parametrize(
    ("change", "names"),
    [
        (lambda body: body.pop("candidate"), "candidate: Field required"),
        (lambda body: body["application"].pop("ashby_id"), "application.ashby_id: Field required"),
        (lambda body: body.update(assessment_type_id="nope"), "assessment_type_id: no test 'nope'"),
        (lambda body: body["candidate"].update(email="nobody"), "is not an email address"),
    ],
)
def test_a_start_that_cannot_be_taken_is_a_422_with_a_message_for_the_ashby_user(
    client: FlaskClient,
    ashby: str,
    session_factory: sessionmaker[Session],
    change: Callable[[dict[str, Any]], Any],
    names: str,
) -> None:
    body = ashby_order(CAMPAIGN)
    change(body)
    response = client.post(f"{BASE}/assessment.start", json=body, headers=basic(ashby))
    assert response.status_code == 422
    assert names in response.json["message"]
    assert count(session_factory, Invitation) == 0


def test_cancel_revokes_the_link_and_frees_the_candidate_for_another_start(
    client: FlaskClient, ashby: str, session_factory: sessionmaker[Session]
) -> None:
    started = client.post(f"{BASE}/assessment.start", json=ashby_order(CAMPAIGN), headers=basic(ashby))
    assessment_id = started.json["results"]["assessment_id"]
    for _ in range(2):
        cancelled = client.post(
            f"{BASE}/assessment.cancel", json={"assessment_id": assessment_id}, headers=basic(ashby)
        )
        assert cancelled.status_code == 200
    with session_factory() as session:
        invitation = session.scalars(select(Invitation)).one()
        assert invitation.revoked_at is not None
        revocations = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "invitation.revoke")
        ).all()
        assert len(revocations) == 1
    unknown = client.post(f"{BASE}/assessment.cancel", json={"assessment_id": "nope"}, headers=basic(ashby))
    assert unknown.status_code == 404
    retry = client.post(
        f"{BASE}/assessment.start", json=ashby_order(CAMPAIGN, application="app-2"), headers=basic(ashby)
    )
    assert retry.status_code == 200


def test_a_finished_attempt_queues_its_start_then_its_result_for_ashby_with_the_customers_key(
    client: FlaskClient,
    ashby: str,
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    clock: Any,
) -> None:
    started = client.post(f"{BASE}/assessment.start", json=ashby_order(CAMPAIGN), headers=basic(ashby))
    assessment_id = started.json["results"]["assessment_id"]
    taken = clock()
    take_and_submit(session_factory, catalogue, assessment_id, clock)
    with session_factory() as session:
        started, update = session.scalars(select(Delivery).order_by(Delivery.id)).all()
        assert (started.event, update.event) == ("ashby.started", "ashby.completed")
        row = session.scalars(select(AtsAssessment)).one()
        assert (update.method, update.url) == ("POST", "https://api.ashbyhq.example/assessment.update")
        assert update.allowed_hosts == ["api.ashbyhq.example"]
        assert basic_auth(session, update.auth.partition(":")[2], update, clock()) == basic(ASHBY_API_KEY)
    started_body = json.loads(started.body)
    assert started_body["assessment_status"] == {
        "identifier": "status",
        "label": "Status",
        "type": "string",
        "value": "Started",
    }
    # The Start's own time, though the update is queued when the attempt ends.
    assert started_body["timestamp"] == int(taken.timestamp() * 1000)
    assert started_body["timestamp"] < json.loads(update.body)["timestamp"]
    body = json.loads(update.body)
    assert body["assessment_id"] == assessment_id
    assert body["assessment_status"]["value"] == "Completed"
    assert body["assessment_result"]["type"] == "numeric_score"
    assert isinstance(body["assessment_result"]["value"], float)
    assert body["assessment_profile_url"] == {
        "identifier": "report",
        "label": "Report",
        "type": "url",
        "value": row.profile_url,
    }
    assert body["metadata"] == [
        {"identifier": "duration", "label": "Time used", "type": "numeric_duration_minutes", "value": 8}
    ]
