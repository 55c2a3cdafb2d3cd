"""Review and interview pages in Chromium: axe on each, and a rubric scored by keyboard alone."""

from __future__ import annotations

import random
from typing import Any

import pytest
from axe_check import violations
from live_server import CAMPAIGN, GRACE_SECONDS, LiveServer, sign_in_as_new
from playwright.sync_api import Page, expect
from saves import one_device, save_json
from sqlalchemy import select

from assess.models import AttemptItem, ItemScore, RubricReview, StoredItemVersion
from assess.services.attempt_start import create_attempt
from assess.services.campaigns import CampaignSettings, create_campaign
from assess.services.finalization import submit_attempt
from assess.services.invitations import create_invitation

pytestmark = pytest.mark.browser

ANSWER = "Hi team,\nSiobhan Keane called about the reminder outage. <b>Not bold</b>"


def finished_attempt(server: LiveServer, running: bool = False) -> tuple[int, int]:
    """A submitted attempt (written and single-choice items answered) and its written item's position."""
    catalogue = server.app.extensions["assess"].catalogue
    with server.session_factory() as session:
        invitation, _ = create_invitation(session, CAMPAIGN, "candidate@example.com", server.clock())
        attempt = create_attempt(session, invitation, catalogue, server.clock(), random.Random(1))
        rows = session.execute(
            select(AttemptItem, StoredItemVersion.type)
            .join(
                StoredItemVersion,
                (StoredItemVersion.item_id == AttemptItem.item_id)
                & (StoredItemVersion.version == AttemptItem.version),
            )
            .where(AttemptItem.attempt_id == attempt.id)
        ).all()
        written = -1
        for seq, (slot, type_name) in enumerate(rows, start=1):
            if type_name == "written":
                written = slot.position
                response: dict[str, Any] = {"text": ANSWER}
            elif type_name == "single_choice":
                response = {"choice": slot.variant["order"][0]}
            else:
                continue
            save_json(
                session, attempt.id, slot.position, response, one_device(seq), server.clock(), GRACE_SECONDS
            )
        if not running:
            submit_attempt(session, attempt.id, server.clock())
        return attempt.id, written


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_review_pages_pass_axe_and_a_rubric_is_scored_by_keyboard(page: Page, server: LiveServer) -> None:
    attempt_id, written = finished_attempt(server)
    running_id, _ = finished_attempt(server, running=True)
    if written < 0:
        pytest.skip("the banks in use have no written item")
    found: list[dict[str, Any]] = []
    sign_in_as_new(page, server, "recruiter")

    page.goto(f"{server.url}/staff/review/attempts/{attempt_id}")
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    found += violations(page)
    page.goto(f"{server.url}/staff/review/attempts/{running_id}")
    expect(page.get_by_role("heading", name="Grant extra time")).to_be_visible()
    found += violations(page)

    page.goto(f"{server.url}/staff/review/written")
    found += violations(page)
    page.get_by_role("button", name="Hide candidate names").click()
    expect(page.get_by_text("Candidates are shown by code only.")).to_be_visible()
    expect(page.get_by_text("candidate@example.com")).to_have_count(0)
    found += violations(page)

    page.get_by_role("link", name=f"Mark item {written + 1}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Mark item {written + 1}")
    expect(page.get_by_text("<b>Not bold</b>", exact=False)).to_be_visible()
    found += violations(page)

    # Keyboard only: Tab to each criterion's radio group, arrow keys to pick a mark, Enter to save.
    groups = page.locator("fieldset.criterion")
    count = groups.count()
    assert count > 0
    page.locator("fieldset.criterion").first.locator("input").first.focus()
    expected: dict[str, int] = {}
    for index in range(count):
        group = groups.nth(index)
        focused = group.locator("input:focus")
        expect(focused).to_have_count(1)
        # Arrow keys move through the group and select as they go: one step right is mark 1.
        page.keyboard.press("ArrowRight")
        expect(group.locator("input:checked")).to_have_value("1")
        expected[group.get_attribute("id") or ""] = 1
        page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Save marks")).to_be_focused()
    found += violations(page)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Written answers to review")
    expect(page.get_by_role("status")).to_contain_text(f"Marks saved for item {written + 1}")

    with server.session_factory() as session:
        review = session.scalars(select(RubricReview)).one()
        assert set(review.awards.values()) == {"1"} and len(review.awards) == count
        assert not session.get_one(ItemScore, (attempt_id, written)).pending_review

    assert found == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_interview_pages_pass_axe(page: Page, server: LiveServer) -> None:
    catalogue = server.app.extensions["assess"].catalogue
    with server.session_factory() as session:
        form_id = next(iter(catalogue.forms))
        settings = CampaignSettings(
            title="Partner AM", role="Partner AM", form_id=form_id, kit_id="partner-account-manager"
        )
        create_campaign(
            session,
            "partner-am",
            "Partner AM",
            "Partner AM",
            form_id,
            catalogue,
            server.clock(),
            settings=settings,
        )
        invitation, _ = create_invitation(
            session, "partner-am", "casey@example.com", server.clock(), name="Casey"
        )
    found: list[dict[str, Any]] = []
    sign_in_as_new(page, server, "interviewer")
    base = f"{server.url}/staff/interviews/candidates/{invitation.id}"

    for path in ("/staff/interviews/", "/staff/interviews/question-bank"):
        page.goto(server.url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        found += violations(page)
    page.goto(base)
    found += violations(page)
    page.goto(f"{base}/stages/partner-role-play/guide")
    expect(page.get_by_role("heading", name="Interviewer only: what you know and keep back")).to_be_visible()
    found += violations(page)

    page.goto(f"{base}/stages/partner-role-play/scorecard")
    found += violations(page)
    # Submitting with gaps shows every problem, then the page must still pass.
    page.get_by_role("button", name="Submit scorecard").click()
    expect(page.get_by_role("alert")).to_be_visible()
    found += violations(page)
    for group in page.locator("fieldset.level-group").all():
        group.locator("input").nth(3).check()
    page.get_by_role("button", name="Submit scorecard").click()
    expect(page.get_by_role("status")).to_contain_text("Scorecard submitted.")
    expect(page.get_by_role("heading", name="Correct your scorecard")).to_be_visible()
    found += violations(page)

    assert found == []
