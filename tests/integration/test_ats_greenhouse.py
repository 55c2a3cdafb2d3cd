"""Greenhouse's calls on us, through the real app on both databases: keys, bodies, idempotency, status."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from ats_setup import (
    CAMPAIGN,
    SECRET_KEY,
    basic,
    catalogue,
    catalogue_path,
    client,
    connect,
    count,
    form_id,
    greenhouse_order,
    take_and_submit,
)
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assess.models import AuditEntry, Delivery, Invitation, OutboxMessage
from assess.models.ats import AtsAssessment, AtsConnection, AtsResponseError
from assess.services.ats_connections import revoke_connection
from assess.services.ats_notices import basic_auth
from assess.services.ats_secrets import unseal
from items.bank import Catalogue

BASE = "/partners/greenhouse"
# The fixture bank and the test client, from ats_setup.
__all__ = ["catalogue", "catalogue_path", "client", "form_id"]


@pytest.fixture
def greenhouse(
    app: Flask, invite: Callable[..., str], session_factory: sessionmaker[Session], clock: Any
) -> tuple[int, str]:
    """A Greenhouse connection offering the test campaign (``invite`` made it)."""
    return connect(session_factory, "greenhouse", CAMPAIGN, clock())


def test_list_tests_is_a_bare_array_of_the_offered_campaigns(
    client: FlaskClient, greenhouse: tuple[int, str]
) -> None:
    response = client.get(f"{BASE}/list_tests", headers=basic(greenhouse[1]))
    assert response.status_code == 200
    assert response.json == [{"partner_test_id": CAMPAIGN, "partner_test_name": "Account Manager, spring"}]


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer ats_aaaaaaaaaaaa_" + "b" * 43,
        "Basic " + base64.b64encode(b"ats_aaaaaaaaaaaa_" + b"b" * 43 + b":").decode(),
        "Basic not-base64!",
    ],
)
def test_a_missing_or_unknown_key_is_a_401_that_says_how_to_authenticate(
    client: FlaskClient, greenhouse: tuple[int, str], authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = client.get(f"{BASE}/list_tests", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="assess"'
    assert "HTTP Basic user name" in response.json["message"]


def test_a_revoked_key_and_an_ashby_key_do_not_open_greenhouse_endpoints(
    client: FlaskClient, greenhouse: tuple[int, str], session_factory: sessionmaker[Session], clock: Any
) -> None:
    _, ashby_key = connect(session_factory, "ashby", CAMPAIGN, clock())
    assert client.get(f"{BASE}/list_tests", headers=basic(ashby_key)).status_code == 401
    with session_factory() as session:
        revoke_connection(session, greenhouse[0], None, clock())
    assert client.get(f"{BASE}/list_tests", headers=basic(greenhouse[1])).status_code == 401


def test_send_test_invites_and_emails_once_however_often_greenhouse_sends_it(
    client: FlaskClient, greenhouse: tuple[int, str], session_factory: sessionmaker[Session]
) -> None:
    answers = [
        client.post(f"{BASE}/send_test", json=greenhouse_order(CAMPAIGN), headers=basic(greenhouse[1]))
        for _ in range(3)
    ]
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    ids = {answer.json["partner_interview_id"] for answer in answers}
    assert len(ids) == 1 and isinstance(ids.pop(), str)
    assert count(session_factory, Invitation) == 1
    with session_factory() as session:
        message = session.scalars(select(OutboxMessage)).one()
        assert message.to == "ada@example.com"
        assert "Dear Ada Lovelace" in message.body and "/t/" in message.body


def test_a_second_take_home_test_for_a_candidate_with_an_open_link_is_a_conflict(
    client: FlaskClient, greenhouse: tuple[int, str], session_factory: sessionmaker[Session]
) -> None:
    first = client.post(
        f"{BASE}/send_test", json=greenhouse_order(CAMPAIGN, "1"), headers=basic(greenhouse[1])
    )
    second = client.post(
        f"{BASE}/send_test", json=greenhouse_order(CAMPAIGN, "2"), headers=basic(greenhouse[1])
    )
    assert first.status_code == 200
    assert second.status_code == 409
    assert "already has an open invitation" in second.json["message"]
    assert count(session_factory, Invitation) == 1
    assert count(session_factory, AtsAssessment) == 1


@pytest.mark.parametrize(
    ("change", "status", "names"),
    [
        (lambda body: body.pop("url"), 422, "url: Field required"),
        (lambda body: body["candidate"].pop("email"), 422, "candidate.email: Field required"),
        (lambda body: body.update(partner_test_id=7), 422, "partner_test_id: Input should be a valid string"),
        (
            lambda body: body.update(url="https://evil.example/take_home_tests/1"),
            422,
            "url: the host 'evil.example'",
        ),
        (
            lambda body: body.update(url="http://app.greenhouse.io/take_home_tests/1"),
            422,
            "url: must start with https",
        ),
        (lambda body: body.update(url="https://app.greenhouse.io/"), 422, "url: names no take-home test"),
        (lambda body: body["candidate"].update(email="not an address"), 422, "is not an email address"),
        (
            lambda body: body.update(partner_test_id="no-such-test"),
            404,
            "partner_test_id: no test 'no-such-test'",
        ),
    ],
)
def test_a_bad_send_test_body_is_refused_naming_the_field_and_invites_nobody(
    client: FlaskClient,
    greenhouse: tuple[int, str],
    session_factory: sessionmaker[Session],
    change: Callable[[dict[str, Any]], Any],
    status: int,
    names: str,
) -> None:
    body = greenhouse_order(CAMPAIGN)
    change(body)
    response = client.post(f"{BASE}/send_test", json=body, headers=basic(greenhouse[1]))
    assert response.status_code == status, response.json
    assert names in response.json["message"]
    assert count(session_factory, Invitation) == 0
    assert count(session_factory, AtsAssessment) == 0


def test_a_body_that_is_not_json_is_a_400(client: FlaskClient, greenhouse: tuple[int, str]) -> None:
    headers = {**basic(greenhouse[1]), "Content-Type": "application/json"}
    broken = client.post(f"{BASE}/send_test", data="{not json", headers=headers)
    assert broken.status_code == 400
    assert "JSON" in broken.json["message"]
    plain = client.post(f"{BASE}/send_test", data="partner_test_id=x", headers=basic(greenhouse[1]))
    assert plain.status_code == 400


def test_status_is_not_started_then_complete_with_a_number_and_the_report_link(
    app: Flask,
    client: FlaskClient,
    greenhouse: tuple[int, str],
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    clock: Any,
) -> None:
    public_id = client.post(
        f"{BASE}/send_test", json=greenhouse_order(CAMPAIGN), headers=basic(greenhouse[1])
    ).json["partner_interview_id"]
    before = client.get(
        f"{BASE}/test_status", query_string={"partner_interview_id": public_id}, headers=basic(greenhouse[1])
    )
    assert before.json["partner_status"] == "not_started"
    assert before.json["partner_score"] is None and before.json["partner_profile_url"] is None

    take_and_submit(session_factory, catalogue, public_id, clock)
    after = client.get(
        f"{BASE}/test_status", query_string={"partner_interview_id": public_id}, headers=basic(greenhouse[1])
    )
    body = after.json
    assert body["partner_status"] == "complete"
    assert isinstance(body["partner_score"], float) and 0 <= body["partner_score"] <= 100
    with session_factory() as session:
        row = session.scalars(select(AtsAssessment)).one()
    assert body["partner_profile_url"] == (
        f"{app.config['SETTINGS'].public_url}/staff/reports/{row.campaign_id}/candidates/{row.invitation_id}"
    )
    assert body["metadata"]["Time Used (minutes)"] == 8
    assert body["metadata"]["Started At"].endswith("Z") and body["metadata"]["Completed At"].endswith("Z")
    assert all(not isinstance(value, dict | list) for value in body["metadata"].values())


def test_status_of_an_unknown_or_another_connections_test_is_a_404(
    client: FlaskClient, greenhouse: tuple[int, str], session_factory: sessionmaker[Session], clock: Any
) -> None:
    public_id = client.post(
        f"{BASE}/send_test", json=greenhouse_order(CAMPAIGN), headers=basic(greenhouse[1])
    ).json["partner_interview_id"]
    _, other_key = connect(session_factory, "greenhouse", CAMPAIGN, clock(), name="Other customer")
    foreign = client.get(
        f"{BASE}/test_status", query_string={"partner_interview_id": public_id}, headers=basic(other_key)
    )
    assert foreign.status_code == 404
    unknown = client.get(
        f"{BASE}/test_status", query_string={"partner_interview_id": "nope"}, headers=basic(greenhouse[1])
    )
    assert unknown.status_code == 404
    missing = client.get(f"{BASE}/test_status", headers=basic(greenhouse[1]))
    assert missing.status_code == 400
    assert "partner_interview_id" in missing.json["message"]


def test_completion_queues_one_patch_to_greenhouse_with_the_connection_key(
    client: FlaskClient,
    greenhouse: tuple[int, str],
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    clock: Any,
) -> None:
    order = greenhouse_order(CAMPAIGN, "98765")
    public_id = client.post(f"{BASE}/send_test", json=order, headers=basic(greenhouse[1])).json[
        "partner_interview_id"
    ]
    take_and_submit(session_factory, catalogue, public_id, clock)
    with session_factory() as session:
        patch = session.scalars(select(Delivery).where(Delivery.event == "greenhouse.completed")).one()
        assert (patch.method, patch.url, patch.body) == ("PATCH", order["url"], b"")
        assert patch.allowed_hosts == ["app.greenhouse.io"]
        assert "Authorization" not in patch.headers
        assert basic_auth(session, patch.auth.partition(":")[2], patch, clock()) == basic(greenhouse[1])


def test_response_errors_are_kept_audited_and_shown_to_admins(
    client: FlaskClient,
    greenhouse: tuple[int, str],
    session_factory: sessionmaker[Session],
    staff_client: Callable[..., FlaskClient],
) -> None:
    report = {
        "api_call": "test_status",
        "errors": ["partner_status is 'complete' but partner_profile url is missing"],
        "partner_interview_id": "abc",
        "candidate_email": "ada@example.com",
        "a_property_added_later": 1,
    }
    response = client.post(f"{BASE}/response_error", json=report, headers=basic(greenhouse[1]))
    assert response.status_code == 200
    with session_factory() as session:
        stored = session.scalars(select(AtsResponseError)).one()
        assert (stored.api_call, stored.errors) == ("test_status", report["errors"])
        audit = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "ats_connection.response_error")
        ).one()
        assert audit.subject_id == str(greenhouse[0])
    page = staff_client("admin").get("/staff/ats").get_data(as_text=True)
    assert "partner_profile url is missing" in page
    refused = client.post(f"{BASE}/response_error", json={"api_call": "x"}, headers=basic(greenhouse[1]))
    assert refused.status_code == 422 and "errors: Field required" in refused.json["message"]


def test_the_key_is_kept_as_a_hash_and_an_encrypted_copy_never_as_text(
    greenhouse: tuple[int, str], session_factory: sessionmaker[Session]
) -> None:
    with session_factory() as session:
        connection = session.get_one(AtsConnection, greenhouse[0])
    secret = greenhouse[1].split("_", 2)[2]  # ats_<prefix>_<secret>; the secret may hold "_"
    assert connection.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in connection.outbound_key
    assert unseal(SECRET_KEY, connection.outbound_key) == greenhouse[1]
