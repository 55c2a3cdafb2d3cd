"""Ashby end to end: an admin connects it with the customer's Ashby key, the fake Ashby starts an
assessment, the candidate takes it in Chromium, and the outbox tells Ashby it started and its result.

The fake Ashby is a real HTTP server on 127.0.0.1: it calls the served app over HTTP and is
the ASHBY_API_URL the app posts assessment.update to.
"""

from __future__ import annotations

from collections.abc import Callable
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
from fakes.fake_ashby import FakeAshby
from live_server import CAMPAIGN, LiveServer
from playwright.sync_api import BrowserContext, Page, expect

pytestmark = pytest.mark.browser
# The fixture bank's fixtures, in place of the shipped bank's.
__all__ = ["catalogue", "catalogue_path", "form_id"]

ASHBY_API_KEY = "customer-ashby-key-0123456789"


def test_ashby_starts_the_assessment_the_candidate_takes_it_and_ashby_gets_start_and_result(
    serve: Callable[..., LiveServer],
    database_url: str,
    catalogue_path: Path,
    page: Page,
    context: BrowserContext,
) -> None:
    # Ashby's side listens first: its URL is the app's ASHBY_API_URL. The key is known once connected.
    ashby = FakeAshby("", "", ASHBY_API_KEY)
    try:
        server = serve_at_public_url(serve, database_url, catalogue_path, ASHBY_API_URL=ashby.api_url)
        ashby.base = f"{server.url}/partners/ashby"
        ashby.key = connect_on_the_staff_page(page, server, "Ashby", ASHBY_API_KEY)

        listed = ashby.list()
        assert listed.status == 200 and listed.body["success"] is True
        assert [test["assessment_type_id"] for test in listed.body["results"]] == [CAMPAIGN]

        started = ashby.start(CAMPAIGN, "cand-7", "app-7", "grace@example.com")
        assert started.status == 200, started.body
        assessment_id = started.body["results"]["assessment_id"]
        # The same candidate on another application while this one is open: already being assessed.
        assert ashby.start(CAMPAIGN, "cand-7", "app-8", "grace@example.com").status == 409

        candidate_takes_the_emailed_test(context, server, "grace@example.com")

        summary = deliver(server)
        assert summary.delivered == 2, summary
        start_update, result_update = ashby.updates()
        assert start_update["assessment_id"] == result_update["assessment_id"] == assessment_id
        assert start_update["assessment_status"]["value"] == "Started"
        assert result_update["assessment_status"]["value"] == "Completed"
        assert result_update["assessment_result"]["type"] == "numeric_score"
        assert isinstance(result_update["assessment_result"]["value"], float)
        (duration,) = result_update["metadata"]
        assert duration["type"] == "numeric_duration_minutes"

        # Ashby's user follows the profile link to the candidate's report (the admin is signed in).
        page.goto(result_update["assessment_profile_url"]["value"])
        expect(page.get_by_role("heading", level=1)).to_contain_text("Grace Hopper")

        # Cancelled afterwards, the finished assessment keeps its result; nothing more is sent.
        assert ashby.cancel(assessment_id).status == 200
        assert deliver(server).claimed == 0
    finally:
        ashby.stop()
