"""Report pages and the self-identification form in Chromium, each passing axe at WCAG 2.1 A/AA."""

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
def test_candidate_answers_the_optional_questions_by_keyboard(page: Page, server: LiveServer) -> None:
    built = build_report_campaign(server.session_factory, server.clock(), PASSWORD)
    found: list[dict[str, Any]] = []
    page.goto(f"{server.url}/t/{built.tokens['Ada']}/done")
    page.get_by_role("link", name="Answer the optional questions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Optional questions about you")
    found += violations(page)

    page.get_by_label("Woman").focus()
    page.keyboard.press("Space")
    expect(page.get_by_label("Woman")).to_be_checked()
    page.get_by_role("group", name="Age group (optional)").get_by_label("Prefer not to say").check()
    page.get_by_role("button", name="Save my answers").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Your answers are saved")
    expect(page.get_by_label("Woman")).to_be_checked()
    found += violations(page)
    assert found == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_report_pages_pass_axe(page: Page, server: LiveServer) -> None:
    built = build_report_campaign(server.session_factory, server.clock(), PASSWORD)
    found: list[dict[str, Any]] = []
    sign_in_as_new(page, server, "admin", "ada.admin@example.com", "Ada Admin")

    page.get_by_role("link", name="Reports").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    found += violations(page)

    page.get_by_role("link", name=re.compile("Account Manager, reports")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report: Account Manager, reports")
    expect(page.locator("img[alt^='Bar chart of candidates']")).to_be_visible()
    found += violations(page)

    for name in ("Ada", "Cat", "Dan"):
        page.goto(f"{server.url}{built.candidate_url(name)}")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"{name} Candidate")
        found += violations(page)
    expect(page.get_by_text("Incomplete: 1 answer(s) awaiting review").first).to_be_visible()

    page.goto(f"{server.url}{built.url}/fairness")
    expect(page.get_by_role("heading", level=1)).to_have_text("Fairness: Account Manager, reports")
    found += violations(page)

    page.goto(f"{server.url}{built.url}/print")
    expect(page.get_by_role("heading", level=1)).to_have_text("Account Manager, reports")
    # The print view's own styles apply under its policy: the table header is the report's blue.
    header = page.locator("thead th").first
    assert header.evaluate("cell => getComputedStyle(cell).backgroundColor") == "rgb(31, 78, 121)"
    found += violations(page)
    assert found == []
