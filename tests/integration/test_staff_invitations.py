"""Inviting from the staff pages: one or a CSV of many (all or nothing), revoke, resend, extend, outbox."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import StaffClient, post, sign_in

from assess.models import AuditEntry, Invitation, OutboxMessage
from assess.services.campaigns import create_campaign
from assess.services.invitations import token_hash
from items.bank import Catalogue

LINK = re.compile(r"http://127\.0\.0\.1:5000/t/([A-Za-z0-9_-]+)")


@pytest.fixture
def campaign_id(
    session_factory: sessionmaker[Session], catalogue: Catalogue, form_id: str, clock: object
) -> int:
    with session_factory() as session:
        return create_campaign(
            session,
            "am",
            "Account Manager",
            "Account Manager (SMB)",
            form_id,
            catalogue,
            clock(),  # type: ignore[operator]
        ).id


def invite_one(client: FlaskClient, campaign_id: int, email: str = "ana@example.com", **fields: str):  # type: ignore[no-untyped-def]
    data = {"email": email, "name": "Ana Lopez", "extra_time": "1", "valid_days": "14", **fields}
    return post(client, f"/staff/campaigns/{campaign_id}/invite", data)


def links_in_outbox(session_factory: sessionmaker[Session]) -> dict[str, str]:
    """recipient -> token of their newest message."""
    with session_factory() as session:
        messages = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        return {m.to: found.group(1) for m in messages if (found := LINK.search(m.body))}


def audit_actions(session_factory: sessionmaker[Session]) -> list[tuple[str, int | None]]:
    with session_factory() as session:
        return [(e.action, e.actor_id) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_invite_puts_the_email_with_a_working_link_in_the_outbox(
    app: Flask,
    session_factory: sessionmaker[Session],
    campaign_id: int,
    recruiter: StaffClient,
) -> None:
    response = invite_one(recruiter, campaign_id, extra_time="1.25")
    assert response.status_code == 302, response.get_data(as_text=True)
    token = links_in_outbox(session_factory)["ana@example.com"]
    with session_factory() as session:
        invitation = session.scalars(select(Invitation)).one()
        assert invitation.token_hash == token_hash(token)
        assert (invitation.name, invitation.extra_time) == ("Ana Lopez", Decimal("1.25"))
        message = session.scalars(select(OutboxMessage)).one()
        assert message.sent_at is None and message.invitation_id == invitation.id
        assert "Dear Ana Lopez" in message.body
    assert ("invitation.create", recruiter.user.id) in audit_actions(session_factory)
    outbox = recruiter.get("/staff/outbox").get_data(as_text=True)
    assert token in outbox and "ana@example.com" in outbox and "Not sent" in outbox
    candidate = app.test_client()
    assert candidate.get(f"/t/{token}").status_code == 200
    pipeline = recruiter.get(f"/staff/campaigns/{campaign_id}").get_data(as_text=True)
    assert "ana@example.com" in pipeline and "Invited, not started" in pipeline


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "Enter an email address"),
        ({"extra_time": "0.5"}, "extra_time", "From 1 to 3"),
        ({"extra_time": "many"}, "extra_time", "Not a valid decimal"),
        ({"valid_days": "0"}, "valid_days", "From 1 to 365"),
    ],
)
def test_bad_invitation_names_the_field_and_stores_nothing(
    session_factory: sessionmaker[Session],
    campaign_id: int,
    recruiter: StaffClient,
    fields: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = invite_one(recruiter, campaign_id, **fields)
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert f'id="{field}-error"' in page
    assert message in page
    with session_factory() as session:
        assert session.scalars(select(Invitation)).all() == []
        assert session.scalars(select(OutboxMessage)).all() == []


def test_an_open_invitation_is_not_duplicated(
    session_factory: sessionmaker[Session], campaign_id: int, recruiter: StaffClient
) -> None:
    invite_one(recruiter, campaign_id)
    response = invite_one(recruiter, campaign_id, email="ANA@example.com")
    assert response.status_code == 422
    assert "already has an open invitation" in response.get_data(as_text=True)


def test_invitation_without_csrf_token_is_refused(
    session_factory: sessionmaker[Session], campaign_id: int, recruiter: StaffClient
) -> None:
    response = recruiter.post(
        f"/staff/campaigns/{campaign_id}/invite",
        data={"email": "ana@example.com", "extra_time": "1", "valid_days": "14"},
    )
    assert response.status_code == 400
    with session_factory() as session:
        assert session.scalars(select(Invitation)).all() == []


def upload(client: FlaskClient, campaign_id: int, text: str):  # type: ignore[no-untyped-def]
    import io

    return post(
        client,
        f"/staff/campaigns/{campaign_id}/invite/bulk",
        {"csv_file": (io.BytesIO(text.encode()), "candidates.csv"), "valid_days": "10"},
        content_type="multipart/form-data",
    )


def test_bulk_invite_from_csv(
    session_factory: sessionmaker[Session], campaign_id: int, recruiter: StaffClient
) -> None:
    response = upload(
        recruiter,
        campaign_id,
        "email,name,extra_time\nana@example.com,Ana Lopez,\n\n"
        'sam@example.com,"Lee, Sam",1.5\nkim@example.com\n',
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with session_factory() as session:
        invitations = {i.email: i for i in session.scalars(select(Invitation))}
        assert set(invitations) == {"ana@example.com", "sam@example.com", "kim@example.com"}
        assert invitations["sam@example.com"].name == "Lee, Sam"
        assert invitations["sam@example.com"].extra_time == Decimal("1.5")
    assert set(links_in_outbox(session_factory)) == set(invitations)
    assert [a for a, _ in audit_actions(session_factory)].count("invitation.create") == 3


def test_bulk_invite_with_a_broken_line_names_it_and_imports_nothing(
    session_factory: sessionmaker[Session], campaign_id: int, recruiter: StaffClient
) -> None:
    response = upload(
        recruiter,
        campaign_id,
        "email,name,extra_time\nana@example.com,Ana,\nnot-an-email,Bob,\nsam@example.com,Sam,9\nana@example.com,,\n",
    )
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert "Nobody was invited" in page
    assert "line 3, column 1 (email): 'not-an-email' is not an email address" in page
    assert "line 4, column 3 (extra_time): extra time must be from 1 to 3" in page
    assert "line 5, column 1 (email): ana@example.com is already on line 2" in page
    with session_factory() as session:
        assert session.scalars(select(Invitation)).all() == []
        assert session.scalars(select(OutboxMessage)).all() == []
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "invitation.create")).all() == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file has no candidates"),
        ("email,phone\na@example.com,123\n", "line 1, column 2 (phone): unknown column 'phone'"),
        ("a@example.com,A,1,no,extra\n", "line 1, column 5: 5 columns; the file has at most 4"),
    ],
)
def test_unreadable_csv_is_refused_whole(
    session_factory: sessionmaker[Session],
    campaign_id: int,
    recruiter: StaffClient,
    text: str,
    message: str,
) -> None:
    response = upload(recruiter, campaign_id, text)
    assert response.status_code == 422
    assert message in html.unescape(response.get_data(as_text=True))
    with session_factory() as session:
        assert session.scalars(select(Invitation)).all() == []


def test_non_utf8_csv_is_refused(
    session_factory: sessionmaker[Session], campaign_id: int, recruiter: StaffClient
) -> None:
    import io

    response = post(
        recruiter,
        f"/staff/campaigns/{campaign_id}/invite/bulk",
        {"csv_file": (io.BytesIO(b"ana@example.com,Jos\xe9\n"), "c.csv"), "valid_days": "10"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "not UTF-8" in response.get_data(as_text=True)


def invitation_id_of(session_factory: sessionmaker[Session], email: str) -> int:
    with session_factory() as session:
        return session.scalars(select(Invitation.id).where(Invitation.email == email)).one()


def test_revoke_stops_the_link_and_is_logged(
    app: Flask,
    session_factory: sessionmaker[Session],
    campaign_id: int,
    recruiter: StaffClient,
) -> None:
    invite_one(recruiter, campaign_id)
    token = links_in_outbox(session_factory)["ana@example.com"]
    invitation_id = invitation_id_of(session_factory, "ana@example.com")
    assert post(recruiter, f"/staff/invitations/{invitation_id}/revoke").status_code == 302
    assert app.test_client().get(f"/t/{token}").status_code == 410
    assert ("invitation.revoke", recruiter.user.id) in audit_actions(session_factory)
    page = recruiter.get(f"/staff/invitations/{invitation_id}").get_data(as_text=True)
    assert "Revoked on" in page and "invitation.revoke" in page


def test_resend_makes_a_new_link_and_stops_the_old_one(
    app: Flask,
    session_factory: sessionmaker[Session],
    campaign_id: int,
    recruiter: StaffClient,
) -> None:
    invite_one(recruiter, campaign_id)
    old = links_in_outbox(session_factory)["ana@example.com"]
    invitation_id = invitation_id_of(session_factory, "ana@example.com")
    assert post(recruiter, f"/staff/invitations/{invitation_id}/resend").status_code == 302
    new = links_in_outbox(session_factory)["ana@example.com"]
    assert new != old
    candidate = app.test_client()
    assert candidate.get(f"/t/{old}").status_code == 404
    assert candidate.get(f"/t/{new}").status_code == 200
    assert ("invitation.resend", recruiter.user.id) in audit_actions(session_factory)
    with session_factory() as session:
        assert len(session.scalars(select(OutboxMessage)).all()) == 2


def test_resend_after_the_start_is_refused(
    app: Flask,
    session_factory: sessionmaker[Session],
    campaign_id: int,
    recruiter: StaffClient,
) -> None:
    from candidate_client import Candidate

    invite_one(recruiter, campaign_id)
    token = links_in_outbox(session_factory)["ana@example.com"]
    Candidate(app.test_client(), token).start()
    invitation_id = invitation_id_of(session_factory, "ana@example.com")
    response = post(recruiter, f"/staff/invitations/{invitation_id}/resend")
    assert response.status_code == 302
    page = recruiter.get(response.headers["Location"]).get_data(as_text=True)
    assert "Not resent" in page and "started the test" in page
    with session_factory() as session:
        assert session.get_one(Invitation, invitation_id).token_hash == token_hash(token)
    assert "invitation.resend" not in [a for a, _ in audit_actions(session_factory)]


def test_extend_gives_an_expired_link_a_new_expiry(
    app: Flask,
    session_factory: sessionmaker[Session],
    campaign_id: int,
    recruiter: StaffClient,
    clock: object,
) -> None:
    invite_one(recruiter, campaign_id, valid_days="1")
    token = links_in_outbox(session_factory)["ana@example.com"]
    clock.advance(minutes=60 * 24 * 2)  # type: ignore[attr-defined]
    # Two days on, the staff session (12 hours at most) has ended: the recruiter signs in again.
    assert sign_in(recruiter, recruiter.user.email).status_code == 302
    assert app.test_client().get(f"/t/{token}").status_code == 410
    invitation_id = invitation_id_of(session_factory, "ana@example.com")
    bad = post(recruiter, f"/staff/invitations/{invitation_id}/extend", {"valid_days": "0"})
    assert bad.status_code == 422 and "From 1 to 365" in bad.get_data(as_text=True)
    assert (
        post(recruiter, f"/staff/invitations/{invitation_id}/extend", {"valid_days": "5"}).status_code == 302
    )
    assert app.test_client().get(f"/t/{token}").status_code == 200
    with session_factory() as session:
        invitation = session.get_one(Invitation, invitation_id)
        assert invitation.expires_at == clock() + timedelta(days=5)  # type: ignore[operator]
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "invitation.extend")).one()
        assert entry.actor_id == recruiter.user.id


def test_actions_on_an_unknown_invitation_are_404(recruiter: StaffClient) -> None:
    for action in ("revoke", "resend", "extend"):
        assert post(recruiter, f"/staff/invitations/987654/{action}", {"valid_days": "3"}).status_code == 404


def test_campaign_window_caps_the_expiry_and_closes_inviting(
    app: Flask,
    session_factory: sessionmaker[Session],
    campaign_id: int,
    recruiter: StaffClient,
    clock: object,
) -> None:
    from assess.models import Campaign

    with session_factory() as session:
        campaign = session.get_one(Campaign, campaign_id)
        campaign.window_end = clock() + timedelta(days=3)  # type: ignore[operator]
        session.commit()
    invite_one(recruiter, campaign_id, valid_days="14")
    with session_factory() as session:
        assert session.scalars(select(Invitation)).one().expires_at == clock() + timedelta(days=3)  # type: ignore[operator]
    clock.advance(minutes=60 * 24 * 4)  # type: ignore[attr-defined]
    assert sign_in(recruiter, recruiter.user.email).status_code == 302
    response = invite_one(recruiter, campaign_id, email="late@example.com")
    assert response.status_code == 422
    assert "invitation window closed" in response.get_data(as_text=True)


def test_outbox_and_audit_pages(
    staff_client: Callable[..., StaffClient], campaign_id: int, recruiter: StaffClient
) -> None:
    invite_one(recruiter, campaign_id)
    assert recruiter.get("/staff/audit").status_code == 403
    admin = staff_client("admin", name="Ada Admin")
    page = admin.get("/staff/audit").get_data(as_text=True)
    assert "invitation.create" in page and "ana@example.com" in page
    assert admin.get("/staff/outbox?page=x").status_code == 400


def test_csv_columns_may_come_in_any_order_under_a_header(
    session_factory: sessionmaker[Session], campaign_id: int, recruiter: StaffClient
) -> None:
    response = upload(
        recruiter, campaign_id, "Name,Extra Time,Email\nAna Lopez,2,ana@example.com\nBob,,bob@\n"
    )
    assert response.status_code == 422
    assert "line 3, column 3 (email): 'bob@' is not an email address" in html.unescape(
        response.get_data(as_text=True)
    )
    fixed = upload(recruiter, campaign_id, "Name,Extra Time,Email\nAna Lopez,2,ana@example.com\n")
    assert fixed.status_code == 302
    with session_factory() as session:
        invitation = session.scalars(select(Invitation)).one()
        assert (invitation.email, invitation.name, invitation.extra_time) == (
            "ana@example.com",
            "Ana Lopez",
            2,
        )


def test_a_candidate_name_with_markup_shows_as_text(
    session_factory: sessionmaker[Session], campaign_id: int, recruiter: StaffClient
) -> None:
    assert invite_one(recruiter, campaign_id, name="<script>alert(1)</script>").status_code == 302
    invitation_id = invitation_id_of(session_factory, "ana@example.com")
    for path in (f"/staff/campaigns/{campaign_id}", "/staff/outbox", f"/staff/invitations/{invitation_id}"):
        page = recruiter.get(path).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
