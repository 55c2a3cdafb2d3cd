"""The staff home: per role, the work waiting, counted, each count opening the page where it is done."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from flask.testing import FlaskClient
from report_campaign import CAMPAIGN, KIT, STAGE, ReportCampaign, build_report_campaign
from sqlalchemy.orm import Session, sessionmaker
from staff_client import PASSWORD, StaffClient, make_user, sign_in
from test_authoring_statistics import author, finish_attempts  # noqa: F401  (author is a fixture)
from test_staff_pipeline import statuses

from assess.models import Invitation, StaffUser
from assess.services.debrief import assign_interviewer, record_decision
from assess.services.invitations import create_invitation
from assess.services.scorecards import kit_catalogue
from items.bank import Catalogue

if TYPE_CHECKING:
    from conftest import ControllableClock


@pytest.fixture
def built(app: Flask, session_factory: sessionmaker[Session], clock: ControllableClock) -> ReportCampaign:
    """report_campaign, plus: a link expiring in a day, Dan's stage assigned to Owen (who has not
    submitted), and a decision on Cat. Ready for a decision: Ada and Ben; running: Fay's test;
    waiting for a reviewer: Dan's written answer."""
    built = build_report_campaign(session_factory, clock(), PASSWORD)
    owen = make_user(session_factory, "interviewer", email="owen@staff.example.com", name="Owen Owes")
    with session_factory() as session:
        create_invitation(session, CAMPAIGN, "soon@example.com", clock(), valid_for=timedelta(days=1))
        create_invitation(session, CAMPAIGN, "later@example.com", clock(), valid_for=timedelta(days=3))
        kit = kit_catalogue().kit(KIT)
        rex = session.get_one(StaffUser, built.rex.id)
        dan, cat = (session.get_one(Invitation, built.ids[name]) for name in ("Dan", "Cat"))
        assign_interviewer(session, kit, dan, STAGE, owen.id, rex, clock())
        record_decision(session, cat, "no_hire", "Red flag confirmed at the debrief.", rex, clock())
    return built


def links(page: str) -> dict[str, str]:
    """Link text (tags dropped, spaces folded) -> href, for the home page's work list and table."""
    found = re.findall(r'<a href="([^"]+)">(.*?)</a>', page, re.S)
    return {
        " ".join(re.sub(r"<[^>]+>", " ", text).split()): href.replace("&amp;", "&") for href, text in found
    }


def test_recruiter_home_counts_each_kind_of_work_and_links_to_exactly_those_rows(
    app: Flask, session_factory: sessionmaker[Session], built: ReportCampaign
) -> None:
    client = app.test_client()
    sign_in(client, built.rex.email)
    page = client.get("/staff/").get_data(as_text=True)
    found = links(page)
    assert found["1 written answer waiting for a reviewer"] == "/staff/review/written"
    assert "2 debriefs ready for a decision" in " ".join(re.sub(r"<[^>]+>", " ", page).split())
    ready = found["2 ready for a decision in Account Manager, reports"]
    running = found["1 running in Account Manager, reports"]
    expiring = found["1 expiring in Account Manager, reports"]
    assert "No scorecards you owe" in page
    assert "flagged by statistics" not in page  # authors' work

    assert list(statuses(client.get(ready).get_data(as_text=True))) == ["ada@example.com", "ben@example.com"]
    assert list(statuses(client.get(running).get_data(as_text=True))) == ["fay@example.com"]
    assert list(statuses(client.get(expiring).get_data(as_text=True))) == ["soon@example.com"]
    everyone = statuses(client.get(ready.split("?")[0]).get_data(as_text=True))
    # Owen still owes Dan's scorecard, and Cat's decision is recorded: neither is ready.
    assert (everyone["dan@example.com"], everyone["cat@example.com"]) == (
        "Interviews under way",
        "Decision recorded",
    )
    queue = client.get("/staff/review/written").get_data(as_text=True)
    assert queue.count("/staff/review/written/") - queue.count("/staff/review/written/names") == 1


def test_interviewer_home_shows_scorecards_owed_and_reviews_but_no_campaign_work(
    app: Flask, session_factory: sessionmaker[Session], built: ReportCampaign
) -> None:
    client = app.test_client()
    sign_in(client, "owen@staff.example.com")
    page = client.get("/staff/").get_data(as_text=True)
    found = links(page)
    assert found["1 scorecard you owe"] == "/staff/interviews/#my-interviews"
    assert found["1 written answer waiting for a reviewer"] == "/staff/review/written"
    assert "ready for a decision" not in page and "/staff/campaigns/" not in page
    mine = client.get("/staff/interviews/").get_data(as_text=True)
    table = mine[mine.index('id="my-interviews"') : mine.index("All candidates")]
    assert "Dan Candidate" in table and "Not submitted yet" in table

    ivy = app.test_client()
    sign_in(ivy, built.ivy.email)
    assert "No scorecards you owe" in ivy.get("/staff/").get_data(as_text=True)


def test_author_home_counts_items_flagged_by_statistics(
    author: FlaskClient,  # noqa: F811
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    clock: ControllableClock,
) -> None:
    assert "No items flagged by statistics" in author.get("/staff/").get_data(as_text=True)
    finish_attempts(session_factory, catalogue, clock, 32)
    page = author.get("/staff/").get_data(as_text=True)
    flagged = [text for text in links(page) if "flagged by statistics" in text]
    assert flagged and links(page)[flagged[0]] == "/staff/authoring/statistics"
    count = int(flagged[0].split()[0])
    statistics = author.get("/staff/authoring/statistics").get_data(as_text=True)
    assert statistics.count("(flagged: ") == count
    assert "written answer" not in page and "scorecard" not in page and "debrief" not in page


def test_admin_home_shows_every_kind_of_work(built: ReportCampaign, admin: StaffClient) -> None:
    page = " ".join(re.sub(r"<[^>]+>", " ", admin.get("/staff/").get_data(as_text=True)).split())
    for work in (
        "1 written answer waiting for a reviewer",
        "No scorecards you owe",
        "2 debriefs ready for a decision",
        "No items flagged by statistics",
        "Account Manager, reports 2 ready for a decision",
    ):
        assert work in page
