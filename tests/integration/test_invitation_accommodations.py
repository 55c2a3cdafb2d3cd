"""The assistive-technology accommodation, given wherever extra time is: the staff form, a CSV
upload, the API. Staff see it beside extra time; the candidate is never shown it."""

from __future__ import annotations

import html
import io
import re
from typing import Any

import pytest
from api_client import Api, key_maker, problem_of
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import StaffClient, post

from assess.models import AuditEntry, Invitation, OutboxMessage
from assess.services.campaigns import create_campaign
from items.bank import Catalogue

LINK = re.compile(r"/t/([A-Za-z0-9_-]{16,})")
CSRF = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+')
HINT = "Focus changes, timing and pastes are then shown to reviewers but never counted against the candidate"


@pytest.fixture
def campaign_id(
    session_factory: sessionmaker[Session], catalogue: Catalogue, form_id: str, clock: Any
) -> int:
    with session_factory() as session:
        return create_campaign(
            session, "am", "Account Manager", "Account Manager (SMB)", form_id, catalogue, clock()
        ).id


def invite_one(client: FlaskClient, campaign_id: int, email: str, **fields: str):  # type: ignore[no-untyped-def]
    data = {"email": email, "name": "Ana Lopez", "extra_time": "1", "valid_days": "14", **fields}
    return post(client, f"/staff/campaigns/{campaign_id}/invite", data)


def upload(client: FlaskClient, campaign_id: int, text: str):  # type: ignore[no-untyped-def]
    return post(
        client,
        f"/staff/campaigns/{campaign_id}/invite/bulk",
        {"csv_file": (io.BytesIO(text.encode()), "candidates.csv"), "valid_days": "10"},
        content_type="multipart/form-data",
    )


def accommodations(session_factory: sessionmaker[Session]) -> dict[str, tuple[str, bool]]:
    """email -> (extra time, assistive technology) of every invitation."""
    with session_factory() as session:
        return {
            i.email: (str(i.extra_time), i.assistive_technology) for i in session.scalars(select(Invitation))
        }


def invitation_id(session_factory: sessionmaker[Session], email: str) -> int:
    with session_factory() as session:
        return session.scalars(select(Invitation.id).where(Invitation.email == email)).one()


def test_the_invite_form_marks_assistive_technology_and_staff_see_it_beside_extra_time(
    session_factory: sessionmaker[Session], campaign_id: int, recruiter: StaffClient
) -> None:
    form = recruiter.get(f"/staff/campaigns/{campaign_id}/invite").get_data(as_text=True)
    assert "Uses assistive technology (screen reader, dictation, word prediction...)" in form
    assert HINT in html.unescape(form)
    assert 'aria-describedby="assistive_technology-hint"' in form

    made = invite_one(recruiter, campaign_id, "ana@example.com", extra_time="1.5", assistive_technology="y")
    assert made.status_code == 302, made.get_data(as_text=True)
    assert invite_one(recruiter, campaign_id, "bo@example.com").status_code == 302
    assert accommodations(session_factory) == {
        "ana@example.com": ("1.50", True),
        "bo@example.com": ("1.00", False),
    }
    with session_factory() as session:
        created = select(AuditEntry).where(AuditEntry.action == "invitation.create").order_by(AuditEntry.id)
        details = [e.detail for e in session.scalars(created)]
    assert [(d["email"], d["assistive_technology"]) for d in details] == [
        ("ana@example.com", True),
        ("bo@example.com", False),
    ]

    # The candidate's page, from the pipeline, says it next to the extra time; the other's does not.
    pipeline = recruiter.get(f"/staff/campaigns/{campaign_id}").get_data(as_text=True)
    assert re.search(r"Extra time ×1\.50</span>\s*<br><span class=\"muted\">Assistive technology", pipeline)
    assert pipeline.count("Assistive technology") == 1
    page = recruiter.get(f"/staff/invitations/{invitation_id(session_factory, 'ana@example.com')}")
    assert "×1.50; uses assistive technology" in page.get_data(as_text=True)
    other = recruiter.get(f"/staff/invitations/{invitation_id(session_factory, 'bo@example.com')}")
    assert "assistive technology" not in other.get_data(as_text=True)


def test_the_candidate_is_never_shown_the_flag(
    app: Flask, session_factory: sessionmaker[Session], campaign_id: int, recruiter: StaffClient
) -> None:
    invite_one(recruiter, campaign_id, "ana@example.com", assistive_technology="y")
    invite_one(recruiter, campaign_id, "bo@example.com")
    with session_factory() as session:
        emails = {m.to: m.body for m in session.scalars(select(OutboxMessage))}
    seen = []
    for _, body in sorted(emails.items()):
        token = LINK.search(body)
        assert token is not None, body
        start_page = app.test_client().get(f"/t/{token.group(1)}").get_data(as_text=True)
        # The same email and start page as a candidate without it, but for their own link.
        seen.append([CSRF.sub(r"\1", text.replace(token.group(1), "TOKEN")) for text in (body, start_page)])
    assert seen[0] == seen[1]


def test_a_csv_column_marks_assistive_technology_in_any_order_or_by_position(
    session_factory: sessionmaker[Session], campaign_id: int, recruiter: StaffClient
) -> None:
    page = recruiter.get(f"/staff/campaigns/{campaign_id}/invite/bulk").get_data(as_text=True)
    assert "assistive_technology (optional, yes or no; blank is no)" in page
    assert "sam.lee@example.com,Sam Lee,1.25,yes" in page
    headed = (
        "Email,Assistive Technology,Extra time\n"
        "ana@example.com,Yes,1.25\nbo@example.com,,\ncy@example.com,no,\n"
    )
    assert upload(recruiter, campaign_id, headed).status_code == 302
    by_position = "di@example.com,Di,,true\nel@example.com,El,2\n"
    assert upload(recruiter, campaign_id, by_position).status_code == 302
    assert accommodations(session_factory) == {
        "ana@example.com": ("1.25", True),
        "bo@example.com": ("1.00", False),
        "cy@example.com": ("1.00", False),
        "di@example.com": ("1.00", True),
        "el@example.com": ("2.00", False),
    }


def test_a_bad_assistive_technology_value_names_line_and_field_and_stores_nothing(
    session_factory: sessionmaker[Session], campaign_id: int, recruiter: StaffClient
) -> None:
    text = (
        "email,name,extra_time,assistive_technology\nana@example.com,Ana,,yes\nbo@example.com,Bo,1.5,maybe\n"
    )
    response = upload(recruiter, campaign_id, text)
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert "Nobody was invited" in page
    problem = "assistive technology is yes or no (blank is no), got 'maybe'"
    assert f"line 3, column 4 (assistive_technology): {problem}" in page
    with session_factory() as session:
        assert session.scalars(select(Invitation)).all() == []
        assert session.scalars(select(OutboxMessage)).all() == []
        created = select(AuditEntry).where(AuditEntry.action == "invitation.create")
        assert session.scalars(created).all() == []


@pytest.fixture
def api(app: Flask, session_factory: sessionmaker[Session], clock: Any) -> Api:
    return key_maker(app, session_factory, clock)("invite", "read")


def test_the_api_invites_with_assistive_technology_and_reads_it_back(
    app: Flask, api: Api, session_factory: sessionmaker[Session], campaign_id: int
) -> None:
    body = {
        "candidates": [
            {"email": "ana@example.com", "extra_time": 1.25, "assistive_technology": True},
            {"email": "bo@example.com"},
        ]
    }
    made = api.post(f"/campaigns/{campaign_id}/invitations", body)
    assert made.status_code == 201, made.get_data(as_text=True)
    assert [(i["email"], i["assistive_technology"]) for i in made.get_json()["data"]] == [
        ("ana@example.com", True),
        ("bo@example.com", False),
    ]
    assert accommodations(session_factory) == {
        "ana@example.com": ("1.25", True),
        "bo@example.com": ("1.00", False),
    }
    read = api.get(f"/invitations/{invitation_id(session_factory, 'ana@example.com')}").get_json()
    assert read["assistive_technology"] is True

    schemas = app.test_client().get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    asked = schemas["Candidate"]["properties"]["assistive_technology"]
    assert asked["type"] == "boolean" and asked["default"] is False
    assert "never counted against the candidate" in asked["description"]
    assert "assistive_technology" not in schemas["Candidate"].get("required", [])
    assert "assistive_technology" in schemas["Invitation"]["required"]


def test_an_idempotency_key_is_refused_for_the_same_candidates_with_another_accommodation(
    api: Api, session_factory: sessionmaker[Session], campaign_id: int
) -> None:
    path = f"/campaigns/{campaign_id}/invitations"
    once = {"Idempotency-Key": "invite-ana-1"}
    plain = {"candidates": [{"email": "ana@example.com"}]}
    first = api.post(path, plain, headers=once)
    assert first.status_code == 201
    # Leaving the flag out and sending its default are one request: replayed, nobody invited twice.
    again = api.post(
        path, {"candidates": [{"email": "ana@example.com", "assistive_technology": False}]}, once
    )
    assert again.headers["Idempotent-Replayed"] == "true" and again.get_json() == first.get_json()
    assisted = {"candidates": [{"email": "ana@example.com", "assistive_technology": True}]}
    refused = problem_of(api.post(path, assisted, headers=once), 422)
    assert refused["errors"] == [{"header": "Idempotency-Key", "detail": "already used for another request"}]
    assert accommodations(session_factory) == {"ana@example.com": ("1.00", False)}


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_the_api_takes_only_a_json_boolean_and_stores_nothing_else(
    api: Api, session_factory: sessionmaker[Session], campaign_id: int, value: object
) -> None:
    body = {"candidates": [{"email": "ana@example.com", "assistive_technology": value}]}
    refused = problem_of(api.post(f"/campaigns/{campaign_id}/invitations", body), 422)
    assert [e["pointer"] for e in refused["errors"]] == ["#/candidates/0/assistive_technology"]
    assert accommodations(session_factory) == {}
