"""A recruiter's staff pages in Chromium: keyboard sign-in, a campaign, invitations, the outbox; axe."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from axe_check import violations
from live_server import PASSWORD, LiveServer
from playwright.sync_api import Page, expect

from assess.services.staff import create_user

pytestmark = pytest.mark.browser


def make_recruiter(server: LiveServer) -> str:
    with server.session_factory() as session:
        create_user(session, "rita@example.com", "recruiter", PASSWORD, name="Rita Recruiter")
    return "rita@example.com"


def sign_in_by_keyboard(page: Page, server: LiveServer, email: str) -> None:
    """By keyboard alone, as the accessibility check: not live_server's sign_in, which clicks."""
    page.goto(f"{server.url}/staff/")
    expect(page).to_have_url(re.compile(r"/staff/login"))
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Rita Recruiter")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_recruiter_signs_in_creates_a_campaign_invites_and_reads_the_outbox(
    page: Page, server: LiveServer, tmp_path: Path
) -> None:
    found: list[dict[str, Any]] = []
    email = make_recruiter(server)

    page.goto(f"{server.url}/staff/login")
    found += violations(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    found += violations(page)

    sign_in_by_keyboard(page, server, email)
    found += violations(page)

    page.get_by_role("link", name="Campaigns").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Campaigns")
    found += violations(page)

    page.get_by_role("link", name="Create a campaign").click()
    page.get_by_label("Title").fill("Account Manager, autumn")
    page.get_by_label("Role being hired for").fill("Account Manager (SMB)")
    page.get_by_label("Short name").fill("am-autumn")
    page.get_by_label("Interview weight (%)").fill("70")
    page.get_by_role("button", name="Save campaign").click()
    expect(page.locator("#interview_weight-error")).to_contain_text("must sum to 100")
    found += violations(page)  # the form with an error shown at its field
    page.get_by_label("Interview weight (%)").fill("60")
    page.get_by_label("Interview kit").select_option("key-account-manager")
    page.get_by_role("button", name="Save campaign").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Account Manager, autumn")

    page.get_by_role("link", name="Invite a candidate").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Invite a candidate")
    found += violations(page)
    page.get_by_label("Candidate's email").fill("ana@example.com")
    page.get_by_label("Candidate's name (optional)").fill("Ana Lopez")
    page.get_by_label("Extra time multiplier").fill("1.25")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status").first).to_contain_text("ana@example.com invited")
    expect(page.locator("#pipeline")).to_contain_text("Invited, not started")
    found += violations(page)

    page.get_by_label("Status").select_option("invited")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"status=invited"))
    page.get_by_role("link", name=re.compile("^Candidate")).click()
    expect(page).to_have_url(re.compile(r"sort=email"))
    found += violations(page)

    page.get_by_role("link", name="Invite from a CSV file").click()
    csv = tmp_path / "candidates.csv"
    csv.write_text("email,name,extra_time\nsam@example.com,Sam Lee,\nnot-an-email,Bob,\n", encoding="utf-8")
    page.get_by_label("CSV file").set_input_files(str(csv))
    page.get_by_role("button", name="Invite everyone in the file").click()
    expect(page.get_by_role("alert")).to_contain_text("line 3, column 1 (email)")
    found += violations(page)

    page.get_by_role("link", name="Outbox").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Outbox")
    message = page.locator(".outbox-message").first
    expect(message).to_contain_text("ana@example.com")
    expect(message).to_contain_text("Dear Ana Lopez")
    link = re.search(r"http://127\.0\.0\.1:\d+/t/[A-Za-z0-9_-]+", message.inner_text())
    assert link is not None
    found += violations(page)

    page.get_by_role("link", name="Invitation", exact=False).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ana Lopez")
    found += violations(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/staff/login"))

    assert found == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_candidate_link_from_the_outbox_opens_the_test(page: Page, server: LiveServer) -> None:
    email = make_recruiter(server)
    sign_in_by_keyboard(page, server, email)
    page.goto(f"{server.url}/staff/campaigns")
    page.get_by_role("link", name="Account Manager, browser").click()
    page.get_by_role("link", name="Invite a candidate").click()
    page.get_by_label("Candidate's email").fill("kim@example.com")
    page.get_by_role("button", name="Send invitation").click()
    page.goto(f"{server.url}/staff/outbox")
    body = page.locator(".message-body").first.inner_text()
    token = re.search(r"/t/([A-Za-z0-9_-]+)", body)
    assert token is not None
    candidate = page.context.browser.new_context()  # type: ignore[union-attr]
    try:
        other = candidate.new_page()
        # The test server's public URL is the default one; the path is what carries the invitation.
        other.goto(f"{server.url}/t/{token.group(1)}")
        expect(other.get_by_role("button", name="Start the test")).to_be_visible()
    finally:
        candidate.close()
