"""Greenhouse end to end: an admin connects it, the fake Greenhouse sends a test, the candidate takes it
in Chromium, the outbox PATCHes Greenhouse, which reads the status and links to the report.

The fake Greenhouse is a real HTTP server on 127.0.0.1 calling the served app over HTTP.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from ats_journey import (
    candidate_takes_the_emailed_test,
    catalogue,
    catalogue_path,
    connect_on_the_staff_page,
    deliver,
    form_id,
    serve_at_public_url,
)
from fakes.fake_greenhouse import FakeGreenhouse
from live_server import CAMPAIGN, LiveServer
from playwright.sync_api import BrowserContext, Page, expect

pytestmark = pytest.mark.browser
# The fixture bank's fixtures, in place of the shipped bank's.
__all__ = ["catalogue", "catalogue_path", "form_id"]


@pytest.fixture
def greenhouse_site(
    serve: Callable[..., LiveServer], database_url: str, catalogue_path: Path
) -> Iterator[LiveServer]:
    # The fake Greenhouse listens on 127.0.0.1: the one host its callback URLs may name here.
    yield serve_at_public_url(serve, database_url, catalogue_path, GREENHOUSE_ALLOWED_HOSTS={"127.0.0.1"})


def test_greenhouse_sends_the_test_the_candidate_takes_it_and_greenhouse_sees_it_complete(
    greenhouse_site: LiveServer, page: Page, context: BrowserContext
) -> None:
    server = greenhouse_site
    key = connect_on_the_staff_page(page, server, "Greenhouse")
    greenhouse = FakeGreenhouse(server.url, key)
    try:
        tests = greenhouse.list_tests()
        assert tests.status == 200
        assert tests.body == [{"partner_test_id": CAMPAIGN, "partner_test_name": "Account Manager, browser"}]

        # A double click in Greenhouse sends the test twice: one invitation, one email, one id.
        sent = [
            greenhouse.send_test(CAMPAIGN, "4242", "ada@example.com", "Ada", "Lovelace") for _ in range(2)
        ]
        assert [answer.status for answer in sent] == [200, 200]
        interview = sent[0].body["partner_interview_id"]
        assert sent[1].body["partner_interview_id"] == interview
        assert greenhouse.test_status(interview).body["partner_status"] == "not_started"

        candidate_takes_the_emailed_test(context, server, "ada@example.com")

        summary = deliver(server)
        assert summary.delivered == 1, summary
        (patch,) = greenhouse.server.requests("PATCH")
        assert patch.path.endswith("/take_home_tests/4242") and patch.body == b""
        assert greenhouse.read.wait(10), "Greenhouse never read the status after the PATCH"
        (status,) = greenhouse.statuses
        assert status.status == 200
        assert status.body["partner_status"] == "complete"
        assert isinstance(status.body["partner_score"], float)
        assert status.body["metadata"]["Completed At"] is not None

        # The profile link opens the candidate's report for staff (the admin is signed in).
        page.goto(status.body["partner_profile_url"])
        expect(page.get_by_role("heading", level=1)).to_contain_text("Ada Lovelace")
    finally:
        greenhouse.stop()
