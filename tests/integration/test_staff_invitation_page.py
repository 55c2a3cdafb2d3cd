"""The invitation page's links all lead somewhere, and its email promises what the start page does."""

from __future__ import annotations

import html
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from scorecard_setup import kit_candidate
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import post

from assess.models import Invitation, OutboxMessage
from assess.services.campaigns import create_campaign
from items.bank import Catalogue

HREF = re.compile(r'href="(/staff/[^"#]*)')


def invited(client: FlaskClient, session_factory: sessionmaker[Session], campaign_id: int) -> Invitation:
    data = {"email": "ana@example.com", "name": "Ana Lopez", "extra_time": "1", "valid_days": "14"}
    assert post(client, f"/staff/campaigns/{campaign_id}/invite", data).status_code == 302
    with session_factory() as session:
        return session.scalars(select(Invitation).where(Invitation.campaign_id == campaign_id)).one()


def broken_links(client: FlaskClient, path: str) -> list[tuple[str, int]]:
    page = client.get(path)
    assert page.status_code == 200
    links = sorted(set(HREF.findall(page.get_data(as_text=True))) - {"/staff/logout"})
    return [(link, status) for link in links if (status := client.get(link).status_code) >= 400]


def test_without_an_interview_kit_the_page_says_so_instead_of_linking_to_a_404(
    recruiter: FlaskClient,
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    form_id: str,
    clock: Any,
) -> None:
    with session_factory() as session:
        campaign = create_campaign(
            session, "no-kit", "No kit", "Account Manager", form_id, catalogue, clock()
        )
    invitation = invited(recruiter, session_factory, campaign.id)
    path = f"/staff/invitations/{invitation.id}"
    text = html.unescape(recruiter.get(path).get_data(as_text=True))
    assert "Interviews and scorecards" not in text
    assert "this campaign has no interview kit" in text
    assert f'href="/staff/campaigns/{campaign.id}/edit"' in text
    assert broken_links(recruiter, path) == []


def test_with_an_interview_kit_the_interviews_link_opens(
    recruiter: FlaskClient,
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    form_id: str,
    clock: Any,
) -> None:
    candidate = kit_candidate(session_factory, catalogue, form_id, clock())
    path = f"/staff/invitations/{candidate.invitation.id}"
    page = recruiter.get(path).get_data(as_text=True)
    link = f"/staff/interviews/candidates/{candidate.invitation.id}"
    assert f'<a href="{link}">Interviews and scorecards</a>' in page
    assert recruiter.get(link).status_code == 200
    assert broken_links(recruiter, path) == []


def test_the_invitation_email_says_the_link_reopens_the_test_as_the_start_page_does(
    app: Flask,
    recruiter: FlaskClient,
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    form_id: str,
    clock: Any,
) -> None:
    with session_factory() as session:
        campaign = create_campaign(session, "mail", "Mail", "Account Manager", form_id, catalogue, clock())
    invited(recruiter, session_factory, campaign.id)
    with session_factory() as session:
        message = session.scalars(select(OutboxMessage)).one()
    body = " ".join(message.body.split())
    assert "works once" not in body
    assert "until you submit it or the time runs out, the same link reopens it where you left off" in body
    token = re.search(r"/t/([A-Za-z0-9_-]+)", message.body)
    assert token
    start = html.unescape(app.test_client().get(f"/t/{token.group(1)}").get_data(as_text=True))
    assert "close it and reopen this link" in " ".join(start.split())
