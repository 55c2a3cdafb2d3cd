"""The API's resend, extend, attempt timeline and campaign report, on both databases.

Each operation is checked on its happy path, a key without its scope, an unknown id and bad
input (a problem naming the field), through the real app and the services the staff pages use.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from review_setup import answer, finished_attempt, invitation_of, slot_types, started_attempt
from scorecard_setup import ROLE_PLAY, KitCandidate, complete_form
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import StaffClient, post
from werkzeug.test import TestResponse

from assess.models import Attempt, AuditEntry, Campaign, Invitation, OutboxMessage
from assess.services.api_keys import create_api_key
from assess.services.debrief import record_decision
from assess.services.finalization import finalize_expired
from assess.services.invitations import MAX_VALID_DAYS, create_invitation, revoke_invitation, token_hash
from assess.services.staff import create_user
from assess.services.time_grants import grant_extra_time
from items.bank import Catalogue
from reports.campaign_report import RANKING_COLUMNS

PROBLEM = "application/problem+json"
WRITTEN = "Dear Siobhan, the renewal quote is attached"


class Api:
    """A program holding an API key, calling /api/v1 as an ATS would."""

    def __init__(self, client: FlaskClient, key: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {key}"}

    def get(self, path: str, headers: dict[str, str] | None = None, **query: Any) -> TestResponse:
        return self.client.get(f"/api/v1{path}", query_string=query, headers=self.headers | (headers or {}))

    def post(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> TestResponse:
        return self.client.post(f"/api/v1{path}", json=body, headers=self.headers | (headers or {}))


@pytest.fixture
def api_key(app: Flask, session_factory: sessionmaker[Session], clock: Any) -> Callable[..., Api]:
    def make(*scopes: str) -> Api:
        with session_factory() as session:
            _, text = create_api_key(session, "ATS", scopes or ("read",), None, clock())
        return Api(app.test_client(), text)

    return make


def _problem(response: TestResponse, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body: dict[str, Any] = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def _stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _actions(session_factory: sessionmaker[Session]) -> list[str]:
    with session_factory() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_resend_emails_a_new_link_and_the_old_one_stops_working(
    api_key: Callable[..., Api], invite: Callable[..., str], session_factory: sessionmaker[Session]
) -> None:
    token = invite("pat@example.com")
    with session_factory() as session:
        invitation_id = invitation_of(session, token).id
    api = api_key("invite")
    resent = api.post(f"/invitations/{invitation_id}/resend")
    assert resent.status_code == 200, resent.get_data(as_text=True)
    assert resent.get_json()["status"] == "invited" and resent.get_json()["email"] == "pat@example.com"
    with session_factory() as session:
        invitation = session.get_one(Invitation, invitation_id)
        assert invitation.token_hash != token_hash(token)
        emails = session.scalars(
            select(OutboxMessage).where(OutboxMessage.invitation_id == invitation_id)
        ).all()
    assert [message.to for message in emails] == ["pat@example.com"]
    assert _actions(session_factory)[-2:] == ["api_key.use", "invitation.resend"]


def test_a_retried_resend_with_an_idempotency_key_sends_once_and_keeps_the_new_link(
    api_key: Callable[..., Api], invite: Callable[..., str], session_factory: sessionmaker[Session]
) -> None:
    with session_factory() as session:
        first, second = (
            invitation_of(session, invite(email)).id for email in ("a@example.com", "b@example.com")
        )
    api = api_key("invite")
    once = {"Idempotency-Key": "resend-a-1"}
    sent = api.post(f"/invitations/{first}/resend", headers=once)
    with session_factory() as session:
        link = session.get_one(Invitation, first).token_hash
    again = api.post(f"/invitations/{first}/resend", headers=once)
    assert sent.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true" and again.get_json() == sent.get_json()
    refused = _problem(api.post(f"/invitations/{second}/resend", headers=once), 422)
    assert refused["errors"] == [{"header": "Idempotency-Key", "detail": "already used for another request"}]
    with session_factory() as session:
        assert session.get_one(Invitation, first).token_hash == link
        assert len(session.scalars(select(OutboxMessage)).all()) == 1
    assert _actions(session_factory).count("invitation.resend") == 1


def test_resend_is_refused_for_a_revoked_expired_or_finished_invitation(
    api_key: Callable[..., Api],
    invite: Callable[..., str],
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    clock: Any,
) -> None:
    revoked, expired, finished = (
        invite("r@example.com"),
        invite("e@example.com", valid_for=timedelta(hours=1)),
        invite(),
    )
    finished_attempt(session_factory, catalogue, finished, clock)
    with session_factory() as session:
        ids = [invitation_of(session, token).id for token in (revoked, expired, finished)]
        revoke_invitation(session, ids[0], clock())
    clock.advance(minutes=120)
    api = api_key("invite")
    before = _actions(session_factory)
    details = [_problem(api.post(f"/invitations/{number}/resend"), 409)["detail"] for number in ids]
    assert "revoked" in details[0] and "expired" in details[1] and "started" in details[2]
    # Refused: no email, no new link, nothing in the audit log.
    assert _actions(session_factory) == before
    with session_factory() as session:
        assert session.scalars(select(OutboxMessage)).all() == []
    _problem(api.post("/invitations/987654/resend"), 404)
    _problem(api_key("read").post(f"/invitations/{ids[1]}/resend"), 403)


def test_extend_moves_the_expiry_and_is_in_the_audit_log(
    api_key: Callable[..., Api],
    invite: Callable[..., str],
    session_factory: sessionmaker[Session],
    clock: Any,
) -> None:
    token = invite(valid_for=timedelta(hours=1))
    with session_factory() as session:
        invitation_id = invitation_of(session, token).id
    clock.advance(minutes=120)
    api = api_key("invite")
    assert api.get(f"/invitations/{invitation_id}").status_code == 403  # invite alone reads nothing
    wanted = clock() + timedelta(days=10)
    extended = api.post(f"/invitations/{invitation_id}/extend", {"expires_at": _stamp(wanted)})
    assert extended.status_code == 200, extended.get_data(as_text=True)
    body = extended.get_json()
    assert body["status"] == "invited"
    assert datetime.fromisoformat(body["expires_at"]) == wanted
    assert _actions(session_factory)[-2:] == ["api_key.use", "invitation.extend"]


@pytest.mark.parametrize(
    ("body", "pointer", "words"),
    [
        ({"expires_at": "2020-01-01T00:00:00Z"}, "#/expires_at", "later than now"),
        ({"expires_at": "in a week"}, "#/expires_at", "datetime"),
        ({"expires_at": "2030-01-01T00:00:00"}, "#/expires_at", "timezone"),
        ({}, "#/expires_at", "required"),
        ({"expires_at": "2030-01-01T00:00:00Z", "valid_days": 3}, "#/valid_days", "not permitted"),
    ],
)
def test_extend_names_the_field_of_a_bad_expiry_and_changes_nothing(
    api_key: Callable[..., Api],
    invite: Callable[..., str],
    session_factory: sessionmaker[Session],
    body: dict[str, Any],
    pointer: str,
    words: str,
) -> None:
    token = invite()
    with session_factory() as session:
        invitation = invitation_of(session, token)
    api = api_key("invite")
    before = _actions(session_factory)
    refused = _problem(api.post(f"/invitations/{invitation.id}/extend", body), 422)
    assert [error["pointer"] for error in refused["errors"]] == [pointer]
    assert words in refused["errors"][0]["detail"]
    with session_factory() as session:
        assert session.get_one(Invitation, invitation.id).expires_at == invitation.expires_at
    assert _actions(session_factory) == before


def test_extend_is_bounded_and_refused_once_the_candidate_started(
    api_key: Callable[..., Api],
    invite: Callable[..., str],
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    clock: Any,
) -> None:
    waiting, started = invite("w@example.com"), invite("s@example.com")
    started_attempt(session_factory, catalogue, started, clock)
    with session_factory() as session:
        waiting_id, started_id = (invitation_of(session, token).id for token in (waiting, started))
    api = api_key("invite")
    too_far = clock() + timedelta(days=MAX_VALID_DAYS, minutes=1)
    refused = _problem(api.post(f"/invitations/{waiting_id}/extend", {"expires_at": _stamp(too_far)}), 422)
    assert refused["errors"] == [
        {"pointer": "#/expires_at", "detail": f"must be at most {MAX_VALID_DAYS} days from now"}
    ]
    later = {"expires_at": _stamp(clock() + timedelta(days=3))}
    assert "started" in _problem(api.post(f"/invitations/{started_id}/extend", later), 409)["detail"]
    _problem(api.post("/invitations/987654/extend", later), 404)
    _problem(api_key("read").post(f"/invitations/{waiting_id}/extend", later), 403)


def test_extend_never_passes_the_campaigns_window(
    api_key: Callable[..., Api],
    invite: Callable[..., str],
    session_factory: sessionmaker[Session],
    clock: Any,
) -> None:
    token = invite()
    window_end = clock() + timedelta(days=5)
    with session_factory() as session:
        invitation_id = invitation_of(session, token).id
        session.get_one(Campaign, 1).window_end = window_end
        session.commit()
    asked = {"expires_at": _stamp(clock() + timedelta(days=30))}
    extended = api_key("invite").post(f"/invitations/{invitation_id}/extend", asked).get_json()
    assert datetime.fromisoformat(extended["expires_at"]) == window_end


def test_the_timeline_shows_starts_saves_gaps_extra_time_and_the_end_without_answers(
    api_key: Callable[..., Api],
    invite: Callable[..., str],
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    clock: Any,
) -> None:
    attempt_id = started_attempt(session_factory, catalogue, invite(), clock)
    types = slot_types(session_factory, attempt_id)
    position = next(number for number, kind in sorted(types.items()) if kind == "written")
    clock.advance(seconds=30)
    answer(session_factory, attempt_id, position, {"text": WRITTEN}, clock)
    clock.advance(minutes=5)
    with session_factory() as session:
        grant_extra_time(session, attempt_id, 10, "Sam", "screen reader", clock())
    clock.advance(minutes=120)
    with session_factory() as session:
        finalize_expired(session, clock(), 30)
    api = api_key()
    response = api.get(f"/attempts/{attempt_id}/timeline")
    assert response.status_code == 200, response.get_data(as_text=True)
    timeline = response.get_json()
    kinds = [entry["kind"] for entry in timeline["data"]]
    assert timeline["attempt_id"] == attempt_id
    assert kinds[0] == "started" and kinds[-1] == "finalized"
    assert {"saved", "gap", "time_granted"} <= set(kinds)
    assert "10 minutes of extra time granted by Sam (screen reader)" in [e["text"] for e in timeline["data"]]
    gap = next(entry for entry in timeline["data"] if entry["kind"] == "gap")
    assert datetime.fromisoformat(gap["until"]) > datetime.fromisoformat(gap["at"])
    assert WRITTEN not in response.get_data(as_text=True)
    _problem(api.get("/attempts/987654/timeline"), 404)
    _problem(api_key("invite").get(f"/attempts/{attempt_id}/timeline"), 403)


def test_a_prepared_attempt_has_no_timeline(
    api_key: Callable[..., Api],
    invite: Callable[..., str],
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    clock: Any,
) -> None:
    with session_factory() as session:
        slug = session.scalars(select(Campaign.slug)).one()
        invitation, _ = create_invitation(session, slug, "p@example.com", clock(), catalogue=catalogue)
        prepared = session.scalars(select(Attempt.id).where(Attempt.invitation_id == invitation.id)).one()
    # Not started: it has no time and no events, and the API shows only started attempts.
    _problem(api_key().get(f"/attempts/{prepared}/timeline"), 404)


def test_the_report_is_the_staff_ranking_as_json_and_as_the_same_csv(
    api_key: Callable[..., Api],
    invite: Callable[..., str],
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    clock: Any,
    recruiter: Any,
) -> None:
    first, second = invite("ana@example.com"), invite("bo@example.com")
    invite("cy@example.com")
    for token in (first, second):
        finished_attempt(session_factory, catalogue, token, clock)
    api = api_key()
    report = api.get("/campaigns/1/report")
    assert report.status_code == 200 and report.mimetype == "application/json"
    body = report.get_json()
    assert body["campaign_id"] == 1 and body["title"] == "Account Manager, spring"
    assert sorted(row["email"] for row in body["ranking"]) == [
        "ana@example.com",
        "bo@example.com",
        "cy@example.com",
    ]
    assert all(set(row) == set(RANKING_COLUMNS) for row in body["ranking"])
    assert all(isinstance(row["missing"], list) for row in body["ranking"])

    by_query = api.get("/campaigns/1/report", format="csv")
    by_accept = api.get("/campaigns/1/report", headers={"Accept": "text/csv"})
    staff = recruiter.get("/staff/reports/1/download/csv")
    assert by_query.content_type == by_accept.content_type == "text/csv; charset=utf-8"
    assert (
        by_query.headers["Content-Disposition"] == 'attachment; filename="account-manager-test-ranking.csv"'
    )
    # The same file the staff page downloads: one export, read by both.
    assert by_query.data == by_accept.data == staff.data
    rows = list(csv.DictReader(io.StringIO(by_query.data.decode("utf-8-sig"))))
    assert [row["email"] for row in rows] == [row["email"] for row in body["ranking"]]
    assert api.get("/campaigns/1/report", format="json", headers={"Accept": "text/csv"}).mimetype == (
        "application/json"
    )


def test_the_report_shows_the_recorded_decision(
    api_key: Callable[..., Api],
    invite: Callable[..., str],
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    clock: Any,
) -> None:
    token = invite()
    finished_attempt(session_factory, catalogue, token, clock)
    with session_factory() as session:
        rex = create_user(session, "rex@example.com", "recruiter", "a long enough password", now=clock())
        invitation = invitation_of(session, token)
        record_decision(session, invitation, "hold", "Waiting for references.", rex, clock())
    row = api_key().get("/campaigns/1/report").get_json()["ranking"][0]
    assert row["candidate_id"] == invitation.id and row["decision"] == "Hold"
    assert row["decided_by"] and datetime.fromisoformat(row["decided_at"]) == clock()


def test_the_report_refuses_an_unknown_campaign_format_or_scope(
    api_key: Callable[..., Api], invite: Callable[..., str]
) -> None:
    invite()
    api = api_key()
    _problem(api.get("/campaigns/987654/report"), 404)
    _problem(api.get("/campaigns/987654/report", format="csv"), 404)
    refused = _problem(api.get("/campaigns/1/report", format="xml"), 422)
    assert [error["parameter"] for error in refused["errors"]] == ["format"]
    _problem(api_key("invite").get("/campaigns/1/report"), 403)


def test_results_carry_the_test_sections_percentile_and_interview_competencies(
    api_key: Callable[..., Api],
    interviewee: KitCandidate,
    interviewer: StaffClient,
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    clock: Any,
) -> None:
    finished_attempt(session_factory, catalogue, interviewee.token, clock)
    stage = interviewee.stage(ROLE_PLAY)
    assert post(interviewer, interviewee.scorecard_url(), complete_form(stage)).status_code == 302
    results = api_key().get(f"/invitations/{interviewee.invitation.id}/results").get_json()
    # The written answer awaits review: its section has no percent yet, so neither has the test.
    sections = {section["title"]: section for section in results["sections"]}
    assert sections["Written communication"] == {
        "section_id": "communication",
        "title": "Written communication",
        "percent": None,
        "pending_review": 1,
    }
    assert sections["Process and analysis"]["percent"] is not None
    assert results["test_percent"] is None and results["percentile"] is None
    assert "1 answer(s) awaiting review" in results["missing"]
    rated = {competency.competency for competency in stage.scorecard.competencies}
    names = {competency.id: competency.name for competency in interviewee.kit.competencies}
    assert {(c["competency_id"], c["name"]) for c in results["competencies"]} == {
        (competency, names[competency]) for competency in rated
    }
    assert all(c["mean"] == 3.0 and c["ratings"] == 1 for c in results["competencies"])
    assert results["interview_mean"] == 3.0


def test_the_document_describes_the_report_as_json_and_as_csv(app: Flask) -> None:
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    report = document["paths"]["/api/v1/campaigns/{campaign_id}/report"]["get"]
    assert set(report["responses"]["200"]["content"]) == {"application/json", "text/csv"}
    assert [parameter["name"] for parameter in report["parameters"]] == ["campaign_id", "format"]
    extend = document["paths"]["/api/v1/invitations/{invitation_id}/extend"]["post"]
    schema = extend["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert document["components"]["schemas"][schema]["required"] == ["expires_at"]
