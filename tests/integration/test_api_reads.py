"""The API's reads beyond the basics, on both databases: an attempt's timeline, a candidate's
complete results, and the campaign report as JSON and as the staff page's CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime
from typing import Any

from api_client import Api, api_key, problem_of
from flask import Flask
from review_setup import answer, finished_attempt, invitation_of, slot_types, started_attempt
from scorecard_setup import ROLE_PLAY, KitCandidate, complete_form
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import StaffClient, post

from assess.models import Attempt, Campaign
from assess.services.debrief import record_decision
from assess.services.finalization import finalize_expired
from assess.services.invitations import create_invitation
from assess.services.staff import create_user
from assess.services.time_grants import grant_extra_time
from items.bank import Catalogue
from reports.campaign_report import RANKING_COLUMNS

WRITTEN = "Dear Siobhan, the renewal quote is attached"


# The key-holding client, from api_client.
__all__ = ["api_key"]


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
    problem_of(api.get("/attempts/987654/timeline"), 404)
    problem_of(api_key("invite").get(f"/attempts/{attempt_id}/timeline"), 403)


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
    problem_of(api_key().get(f"/attempts/{prepared}/timeline"), 404)


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
    problem_of(api.get("/campaigns/987654/report"), 404)
    problem_of(api.get("/campaigns/987654/report", format="csv"), 404)
    refused = problem_of(api.get("/campaigns/1/report", format="xml"), 422)
    assert [error["parameter"] for error in refused["errors"]] == ["format"]
    problem_of(api_key("invite").get("/campaigns/1/report"), 403)


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
