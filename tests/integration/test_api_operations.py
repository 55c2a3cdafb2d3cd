"""The API's resend and extend, on both databases: through the staff pages' rules, audit-logged.

Each operation is checked on its happy path, a key without its scope, an unknown id and bad
input (a problem naming the field).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from api_client import Api, api_key, problem_of
from review_setup import finished_attempt, invitation_of, started_attempt
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assess.models import AuditEntry, Campaign, Invitation, OutboxMessage
from assess.services.invitations import MAX_VALID_DAYS, revoke_invitation, token_hash
from items.bank import Catalogue

# The key-holding client, from api_client.
__all__ = ["api_key"]


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
    refused = problem_of(api.post(f"/invitations/{second}/resend", headers=once), 422)
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
    details = [problem_of(api.post(f"/invitations/{number}/resend"), 409)["detail"] for number in ids]
    assert "revoked" in details[0] and "expired" in details[1] and "started" in details[2]
    # Refused: no email, no new link, nothing in the audit log.
    assert _actions(session_factory) == before
    with session_factory() as session:
        assert session.scalars(select(OutboxMessage)).all() == []
    problem_of(api.post("/invitations/987654/resend"), 404)
    problem_of(api_key("read").post(f"/invitations/{ids[1]}/resend"), 403)


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
    refused = problem_of(api.post(f"/invitations/{invitation.id}/extend", body), 422)
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
    refused = problem_of(api.post(f"/invitations/{waiting_id}/extend", {"expires_at": _stamp(too_far)}), 422)
    assert refused["errors"] == [
        {"pointer": "#/expires_at", "detail": f"must be at most {MAX_VALID_DAYS} days from now"}
    ]
    later = {"expires_at": _stamp(clock() + timedelta(days=3))}
    assert "started" in problem_of(api.post(f"/invitations/{started_id}/extend", later), 409)["detail"]
    problem_of(api.post("/invitations/987654/extend", later), 404)
    problem_of(api_key("read").post(f"/invitations/{waiting_id}/extend", later), 403)


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
