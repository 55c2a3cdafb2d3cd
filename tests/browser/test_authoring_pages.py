"""An item author in Chromium: create an item, preview it, save a second version, retire it; an attempt
started before an edit keeps showing and scoring its version; axe-core on every authoring page."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from axe_check import violations
from live_server import LiveServer, sign_in_as_new
from playwright.sync_api import Page, expect
from sqlalchemy import select

from assess.models import AttemptItem, ItemScore

pytestmark = pytest.mark.browser

EDITED = "process-renewal-first-step"
BODY = """\
prompt: A client asks for a feature you do not have. What do you do first?
options:
  - id: a
    text: Promise it for next quarter.
  - id: b
    text: Ask what problem the feature would solve for them.
  - id: c
    text: Say no.
"""


def position_of(server: LiveServer, link: str, item_id: str) -> int:
    attempt = server.attempt(link)
    assert attempt is not None
    with server.session_factory() as session:
        return session.scalars(
            select(AttemptItem.position).where(
                AttemptItem.attempt_id == attempt.id, AttemptItem.item_id == item_id
            )
        ).one()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_author_creates_previews_versions_and_retires_an_item_and_old_attempts_keep_their_version(
    page: Page, server: LiveServer
) -> None:
    found: list[dict[str, Any]] = []
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    # A candidate starts before any edit.
    candidate_context = page.context.browser.new_context()  # type: ignore[union-attr]
    candidate = candidate_context.new_page()
    link = server.invite("early@example.com")
    candidate.goto(link)
    candidate.get_by_role("button", name="Start the test").click()
    expect(candidate.get_by_role("heading", level=1)).to_be_visible()
    position = position_of(server, link, EDITED)

    sign_in_as_new(page, server, "author", "ada@example.com", "Ada Author")
    page.get_by_role("link", name="Item banks").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Item banks")
    found += violations(page)

    # Create an item: a wrong key first, shown at its field, then fixed.
    page.get_by_role("link", name="Create an item").click()
    found += violations(page)
    page.get_by_label("Bank", exact=True).fill("browser-bank")
    page.get_by_label("Item id").fill("feature-request-first")
    page.get_by_label("Item type").select_option("single_choice")
    page.get_by_label("Title").fill("A feature you do not have")
    page.get_by_label("Section", exact=True).fill("process_analysis")
    page.get_by_label("Minutes").fill("1")
    page.get_by_label("Rationale").fill("Asking finds the need behind the request.")
    page.get_by_label("Body", exact=True).fill(BODY)
    page.get_by_label("Key", exact=True).fill("correct: e\n")
    page.get_by_role("button", name="Save a new version").click()
    expect(page.locator("#key-error")).to_contain_text(
        "key.correct (line 1): names option 'e', which is not one of: a, b, c"
    )
    found += violations(page)
    expect(page.locator("#key-position")).to_have_text("Cursor on line 1.")
    page.get_by_label("Key", exact=True).fill("correct: b\n")
    page.get_by_role("button", name="Save a new version").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("A feature you do not have")
    expect(page.get_by_role("status")).to_contain_text("Saved feature-request-first as version")
    found += violations(page)

    # Preview as a candidate, then with the key, then try an answer.
    page.get_by_role("link", name="Preview as a candidate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("A feature you do not have")
    expect(page.get_by_role("group", name=re.compile("A client asks"))).to_be_visible()
    expect(page.get_by_text("Asking finds the need")).to_have_count(0)
    found += violations(page)
    page.get_by_role("link", name="Show the key and rationale").click()
    expect(page.get_by_role("heading", name="Key (staff only)")).to_be_visible()
    expect(page.get_by_text("Asking finds the need behind the request.")).to_be_visible()
    found += violations(page)
    page.get_by_label("Ask what problem the feature would solve for them.").check()
    page.get_by_role("button", name="Score this answer").click()
    expect(page.get_by_text("1 of 1 points")).to_be_visible()
    found += violations(page)
    page.get_by_role("link", name="Back to the item").click()

    # A second version, its history and the diff.
    page.get_by_role("link", name="Edit", exact=True).click()
    found += violations(page)
    page.get_by_label("Title").fill("A feature the product does not have")
    page.get_by_label("What changed").fill("clearer title")
    page.get_by_role("button", name="Save a new version").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("A feature the product does not have")
    expect(page.get_by_role("table", name=re.compile("Saved versions"))).to_contain_text("clearer title")
    page.get_by_role("link", name="Changes in version 2").click()
    expect(page.locator("pre.diff del")).to_contain_text("title: A feature you do not have")
    expect(page.locator("pre.diff ins")).to_contain_text("title: A feature the product does not have")
    found += violations(page)
    page.get_by_role("link", name="Item feature-request-first").click()

    # Retire it.
    page.get_by_role("button", name="Retire feature-request-first").click()
    expect(page.get_by_role("status")).to_contain_text("Retired feature-request-first")
    expect(page.locator(".summary-list")).to_contain_text("Retired")
    found += violations(page)

    # Edit an item the running attempt already showed: new title, and only "a" is right now.
    page.goto(f"{server.url}/staff/authoring/items/{EDITED}/edit")
    old_title = page.get_by_label("Title").input_value()
    page.get_by_label("Title").fill("Renewal in 90 days: first step (edited)")
    page.get_by_label("Key", exact=True).fill("correct: a\n")
    page.get_by_role("button", name="Save a new version").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Renewal in 90 days: first step (edited)")

    # The other authoring pages, for axe.
    for path in (
        "/staff/authoring/banks/am-smb-process",
        "/staff/authoring/statistics",
        "/staff/authoring/forms/account-manager-smb",
        "/staff/authoring/forms/account-manager-smb/edit",
        "/staff/authoring/import",
    ):
        page.goto(server.url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        found += violations(page)
    page.get_by_label("File").set_input_files(
        {"name": "broken.txt", "mimeType": "text/plain", "buffer": b"A question\nA) only\nANSWER: A\n"}
    )
    page.get_by_label("Format").select_option("aiken")
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name=re.compile("broken.txt"))).to_be_visible()
    found += violations(page)

    # The candidate who started before the edit sees and is scored on the old version.
    candidate.goto(f"{link}/items/{position + 1}")
    expect(candidate.get_by_role("heading", level=1)).to_have_text(old_title)
    candidate.get_by_label(re.compile("^Schedule a meeting with your main contact")).check()
    candidate.get_by_role("button", name="Save and review your answers").first.click()
    candidate.get_by_label(re.compile("^I want to submit now")).check()
    candidate.get_by_role("button", name="Submit my answers").click()
    expect(candidate.locator("h1")).to_have_text("Your test has been submitted")
    attempt = server.attempt(link)
    assert attempt is not None
    with server.session_factory() as session:
        score = session.get_one(ItemScore, (attempt.id, position))
        assert (score.points, score.max_points) == (Decimal(1), Decimal(1))
    candidate_context.close()

    # A candidate who starts now sees the new version.
    fresh_context = page.context.browser.new_context()  # type: ignore[union-attr]
    try:
        fresh = fresh_context.new_page()
        late = server.invite("late@example.com")
        fresh.goto(late)
        fresh.get_by_role("button", name="Start the test").click()
        fresh.goto(f"{late}/items/{position_of(server, late, EDITED) + 1}")
        expect(fresh.get_by_role("heading", level=1)).to_have_text("Renewal in 90 days: first step (edited)")
    finally:
        fresh_context.close()

    assert found == []
    assert script_errors == []
