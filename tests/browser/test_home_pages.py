"""The staff home in Chromium, followed to the pipeline, the debrief and the campaign form; axe on each."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_check import violations
from live_server import PASSWORD, LiveServer, sign_in_as_new
from playwright.sync_api import Page, expect
from report_campaign import build_report_campaign

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_admin_follows_the_home_counts_to_the_work(page: Page, server: LiveServer) -> None:
    built = build_report_campaign(server.session_factory, server.clock(), PASSWORD)
    found: list[dict[str, Any]] = []
    sign_in_as_new(page, server, "admin", "ada.admin@example.com", "Ada Admin")
    expect(page.get_by_role("link", name="1 written answer waiting for a reviewer")).to_be_visible()
    found += violations(page)

    page.get_by_role("link", name=re.compile("ready for a decision in Account Manager, reports")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Account Manager, reports")
    expect(page.get_by_role("status")).to_have_text("Showing 4 of 7 candidates.")
    found += violations(page)

    page.get_by_role("row", name=re.compile("ada@example.com")).get_by_role(
        "link", name="Open the debrief"
    ).click()
    expect(page.get_by_role("heading", name="Test result")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Test total"))).to_contain_text("87.5 %")
    found += violations(page)

    page.goto(f"{server.url}/staff/campaigns/{built.campaign_id}/edit")
    page.get_by_label("Must-have 1", exact=True).select_option(label="Empathy and Customer Focus")
    page.get_by_label("Must-have 1: lowest acceptable mean rating").select_option("3")
    found += violations(page)
    page.get_by_role("button", name="Save campaign").click()
    expect(page.get_by_text("Empathy and Customer Focus at least 3")).to_be_visible()
    assert found == []
