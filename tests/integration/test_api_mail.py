"""Emails of invitations made or resent through the API go out by SMTP when it is configured,
as the staff pages' do: a real SMTP server on 127.0.0.1 receives them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from test_staff_mail import campaign_id, make_app, smtp_server  # noqa: F401  (fixtures)

from assess.config import SmtpSettings
from assess.models import OutboxMessage
from assess.services.api_keys import create_api_key


def test_invited_and_resent_links_are_emailed_by_smtp(
    make_app: Callable[[SmtpSettings], Flask],  # noqa: F811
    smtp_server: tuple[int, list[str]],  # noqa: F811
    campaign_id: int,  # noqa: F811
    session_factory: sessionmaker[Session],
    clock: Any,
) -> None:
    port, received = smtp_server
    app = make_app(SmtpSettings(host="127.0.0.1", port=port, sender="hiring@example.com", security="none"))
    with session_factory() as session:
        _, key = create_api_key(session, "ATS", ["read", "invite"], None, clock())
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    made = client.post(
        f"/api/v1/campaigns/{campaign_id}/invitations",
        json={"candidates": [{"email": "ana@example.com"}, {"email": "bo@example.com"}]},
        headers=headers,
    )
    assert made.status_code == 201, made.get_data(as_text=True)
    assert len(received) == 2 and "ana@example.com" in received[0] and "bo@example.com" in received[1]
    invitation_id = made.get_json()["data"][0]["id"]
    assert client.post(f"/api/v1/invitations/{invitation_id}/resend", headers=headers).status_code == 200
    assert len(received) == 3 and "ana@example.com" in received[2]
    with session_factory() as session:
        unsent = session.scalars(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))).all()
    assert unsent == []
