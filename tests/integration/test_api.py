"""The REST API on the real app and both databases: keys, scopes, pages, problems, reads, revocation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from api_client import Api, api_key, problem_of
from flask import Flask
from review_setup import finished_attempt, invitation_of
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assess.api.quota import KEY_LIMIT
from assess.models import AttemptItem, AuditEntry, Campaign, Invitation, ItemScore
from assess.services.api_keys import revoke_api_key
from assess.services.campaigns import create_campaign
from assess.services.catalogue import pinned_item
from items.bank import Catalogue

# The key-holding client, from api_client.
__all__ = ["api_key"]


def test_a_request_without_a_working_key_is_refused_with_a_problem(
    app: Flask, api_key: Callable[..., Api], session_factory: sessionmaker[Session], clock: Any
) -> None:
    client = app.test_client()
    missing = client.get("/api/v1/campaigns")
    assert problem_of(missing, 401)["title"] == "Unauthorized"
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    good = api_key()
    text = good.headers["Authorization"].removeprefix("Bearer ")
    wrong_secret = text[:-4] + ("AAAA" if not text.endswith("AAAA") else "BBBB")
    for header in (f"Bearer {wrong_secret}", "Bearer nonsense", f"Basic {text}"):
        problem_of(client.get("/api/v1/campaigns", headers={"Authorization": header}), 401)
    assert good.get("/campaigns").status_code == 200
    with session_factory() as session:
        revoke_api_key(session, 1, None, clock())
    problem_of(good.get("/campaigns"), 401)


def test_each_operation_needs_its_scope(api_key: Callable[..., Api], invite: Callable[..., str]) -> None:
    invite()
    inviter = api_key("invite")
    body = problem_of(inviter.get("/campaigns"), 403)
    assert "'read'" in body["detail"]
    reader = api_key("read")
    problem_of(reader.post("/invitations/1/revoke"), 403)
    assert api_key("admin").get("/campaigns").status_code == 200


def test_campaigns_are_paged_by_an_opaque_cursor(
    api_key: Callable[..., Api],
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    form_id: str,
    clock: Any,
) -> None:
    with session_factory() as session:
        for number in range(5):
            create_campaign(session, f"role-{number}", f"Role {number}", "Role", form_id, catalogue, clock())
    api = api_key()
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = api.get("/campaigns", limit=2, **({"cursor": cursor} if cursor else {})).get_json()
        seen += [campaign["slug"] for campaign in page["data"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"role-{number}" for number in range(5)] and pages == 3

    one = api.get("/campaigns/1").get_json()
    assert one["slug"] == "role-0" and one["form_id"] == form_id
    assert problem_of(api.get("/campaigns/999"), 404)["detail"] == "No campaign 999."
    refused = problem_of(api.get("/campaigns", cursor="bm90IGEgY3Vyc29y"), 422)
    assert refused["errors"] == [{"parameter": "cursor", "detail": "not a cursor from this API"}]
    too_many = problem_of(api.get("/campaigns", limit=201), 422)
    assert too_many["errors"][0]["parameter"] == "limit"


def test_forms_list_what_candidates_are_shown(api_key: Callable[..., Api], catalogue: Catalogue) -> None:
    forms = api_key().get("/forms", limit=200).get_json()
    assert [form["id"] for form in forms["data"]] == sorted(catalogue.forms)
    first = catalogue.forms[forms["data"][0]["id"]]
    assert forms["data"][0]["time_limit_minutes"] == first.time_limit_minutes
    assert [section["id"] for section in forms["data"][0]["sections"]] == [s.id for s in first.sections]


def test_an_invitation_is_read_listed_and_revoked_with_the_key_in_the_audit_log(
    api_key: Callable[..., Api], invite: Callable[..., str], session_factory: sessionmaker[Session]
) -> None:
    token = invite("pat@example.com")
    with session_factory() as session:
        invitation_id = invitation_of(session, token).id
        campaign_id = session.scalars(select(Campaign.id)).one()
    api = api_key("read", "invite")
    read = api.get(f"/invitations/{invitation_id}").get_json()
    assert read["email"] == "pat@example.com" and read["status"] == "invited" and read["attempt_id"] is None
    listed = api.get(f"/campaigns/{campaign_id}/invitations").get_json()
    assert [row["id"] for row in listed["data"]] == [invitation_id] and listed["next_cursor"] is None

    revoked = api.post(f"/invitations/{invitation_id}/revoke")
    assert revoked.status_code == 200 and revoked.get_json()["status"] == "revoked"
    assert (
        api.post(f"/invitations/{invitation_id}/revoke").get_json()["revoked_at"]
        == revoked.get_json()["revoked_at"]
    )
    problem_of(api.post("/invitations/987654/revoke"), 404)
    with session_factory() as session:
        actions = session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.action.in_(["api_key.use", "invitation.revoke"]))
            .order_by(AuditEntry.id)
        ).all()
    # The refused revocation (no such invitation) changed nothing, so it is not in the log.
    assert actions == ["api_key.use", "invitation.revoke", "api_key.use"]


def _bank_and_attempt_secrets(session: Session, catalogue: Catalogue, attempt_id: int) -> set[str]:
    """Long strings of the keys, rationales and score explanations: none may be in a response."""

    def leaves(value: Any) -> Iterator[str]:
        if isinstance(value, dict):
            for inner in value.values():
                yield from leaves(inner)
        elif isinstance(value, list | tuple):
            for inner in value:
                yield from leaves(inner)
        elif isinstance(value, str):
            yield value

    found: list[str] = []
    for item in catalogue.items.values():
        found += leaves(item.key.model_dump(mode="json"))
        found += [item.rationale] if item.rationale else []
    for slot in session.scalars(select(AttemptItem).where(AttemptItem.attempt_id == attempt_id)):
        _, key = pinned_item(session, slot.item_id, slot.version).realize(slot.variant)
        found += leaves(key.model_dump(mode="json"))
    for score in session.scalars(select(ItemScore).where(ItemScore.attempt_id == attempt_id)):
        found += [part["explanation"] for part in score.parts]
    # Short strings (option ids, small figures) appear in any JSON by chance and prove nothing.
    return {text for text in found if len(text) >= 12}


def test_a_finished_attempt_reads_its_status_scores_timeline_results_and_report_without_any_key(
    api_key: Callable[..., Api],
    invite: Callable[..., str],
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    clock: Any,
) -> None:
    token = invite()
    attempt_id = finished_attempt(session_factory, catalogue, token, clock)
    with session_factory() as session:
        invitation_id = invitation_of(session, token).id
        secrets = _bank_and_attempt_secrets(session, catalogue, attempt_id)
    api = api_key()
    responses = [
        api.get(f"/attempts/{attempt_id}"),
        api.get(f"/attempts/{attempt_id}/scores"),
        api.get(f"/invitations/{invitation_id}/results"),
        api.get(f"/invitations/{invitation_id}"),
        api.get(f"/attempts/{attempt_id}/timeline"),
        api.get("/campaigns/1/report"),
        api.get("/campaigns/1/report", format="csv"),
    ]
    assert [response.status_code for response in responses] == [200] * 7
    status, scores, results, invitation = (response.get_json() for response in responses[:4])
    assert status["phase"] == "finalized" and status["invitation_id"] == invitation_id
    assert scores["finalized"] and scores["sections"]
    assert all(section["max_points"] > 0 for section in scores["sections"])
    # Written answers await a reviewer: the test is not complete, and the results say why.
    assert scores["complete"] is (not any(section["pending_review"] for section in scores["sections"]))
    assert results["status"] in {"complete", "incomplete"} and results["decision"] is None
    assert results["missing"] or results["combined_score"] is not None
    assert invitation["status"] == "finished" and invitation["attempt_id"] == attempt_id
    leaked = [
        secret for secret in secrets for response in responses if secret in response.get_data(as_text=True)
    ]
    assert leaked == []
    assert secrets, "the bank has keys to look for"


def test_a_prepared_or_unknown_attempt_is_not_found(api_key: Callable[..., Api]) -> None:
    problem_of(api_key().get("/attempts/987654"), 404)
    problem_of(api_key().get("/attempts/987654/scores"), 404)
    problem_of(api_key().get("/invitations/987654/results"), 404)


def test_each_key_has_its_own_rate_limit(api_key: Callable[..., Api]) -> None:
    flooding, other = api_key(), api_key()
    for _ in range(KEY_LIMIT.amount):
        assert flooding.get("/campaigns/987654").status_code == 404
    refused = problem_of(flooding.get("/campaigns/987654"), 429)
    assert refused["title"] == "Too Many Requests"
    assert 1 <= int(flooding.get("/campaigns").headers["Retry-After"]) <= 60
    assert other.get("/campaigns").status_code == 200


def test_a_body_that_is_not_json_is_refused_and_changes_nothing(
    api_key: Callable[..., Api], invite: Callable[..., str], session_factory: sessionmaker[Session]
) -> None:
    api = api_key("invite")  # ``invite`` made the campaign
    sent = api.client.post(
        "/api/v1/campaigns/1/invitations", data={"email": "x@example.com"}, headers=api.headers
    )
    assert problem_of(sent, 415)["detail"] == "Send the body as JSON (Content-Type: application/json)."
    with session_factory() as session:
        assert session.scalars(select(Invitation)).all() == []


def test_a_refusal_made_before_the_api_is_a_problem_too(api_key: Callable[..., Api]) -> None:
    # The request guard refuses a NUL in the query before any view runs.
    refused = problem_of(api_key().get("/campaigns", cursor="a\x00b"), 400)
    assert refused["title"] == "Bad Request"


def test_the_api_needs_no_csrf_token_and_sets_no_cookie(
    api_key: Callable[..., Api], invite: Callable[..., str]
) -> None:
    invite()
    api = api_key("invite")
    response = api.post("/invitations/1/revoke")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
