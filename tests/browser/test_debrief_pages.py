"""The debrief in Chromium: two interviewers score a stage (one by keyboard alone), the recruiter decides.

axe-core checks "My interviews" and the debrief page (before and after the decision).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_check import violations
from live_server import PASSWORD, LiveServer, sign_in
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from assess.models import AuditEntry, HiringDecision, Invitation, StaffUser
from assess.services.campaigns import CampaignSettings, create_campaign
from assess.services.debrief import assign_interviewer
from assess.services.invitations import create_invitation
from assess.services.scorecards import kit_catalogue
from assess.services.staff import create_user

pytestmark = pytest.mark.browser

KIT = "partner-account-manager"
STAGE = "partner-role-play"


def kit_invitation(server: LiveServer) -> Invitation:
    catalogue = server.app.extensions["assess"].catalogue
    with server.session_factory() as session:
        form_id = next(iter(catalogue.forms))
        settings = CampaignSettings(title="Partner AM", role="Partner AM", form_id=form_id, kit_id=KIT)
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
    return invitation


def account(server: LiveServer, email: str, role: str, name: str) -> StaffUser:
    with server.session_factory() as session:
        return create_user(session, email, role, PASSWORD, name=name)


def score_by_keyboard(page: Page, steps: int) -> None:
    """Tab from group to group; ``steps`` presses of ArrowRight pick a level; type evidence on the way."""
    groups = page.locator("fieldset.level-group")
    count = groups.count()
    assert count > 0
    groups.first.locator("input").first.focus()
    for index in range(count):
        group = groups.nth(index)
        expect(group.locator("input:focus")).to_have_count(1)
        for _ in range(steps):
            page.keyboard.press("ArrowRight")
        expect(group.locator("input:checked")).to_have_count(1)
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "TEXTAREA" and index + 1 < count:
            page.keyboard.type("Evidence typed at the keyboard")
            page.keyboard.press("Tab")
    # Past the red flags and notes to the submit button, still by keyboard.
    for _ in range(40):
        if page.evaluate("document.activeElement.value") == "Submit scorecard":
            break
        page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Submit scorecard")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Scorecard submitted.")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_two_interviewers_score_and_the_recruiter_records_the_decision(
    page: Page, browser: Browser, server: LiveServer
) -> None:
    invitation = kit_invitation(server)
    kit = kit_catalogue().kit(KIT)
    ana = account(server, "ana@example.com", "interviewer", "Ana Interviewer")
    account(server, "ben@example.com", "interviewer", "Ben Interviewer")
    rita = account(server, "rita@example.com", "recruiter", "Rita Recruiter")
    with server.session_factory() as session:
        assign_interviewer(session, kit, invitation, STAGE, ana.id, rita, server.clock())
    found: list[dict[str, Any]] = []
    scorecard = f"{server.url}/staff/interviews/candidates/{invitation.id}/stages/{STAGE}/scorecard"
    debrief = f"{server.url}/staff/interviews/candidates/{invitation.id}/debrief"

    # Ana finds her assignment under "My interviews" and scores the stage by keyboard (all 3s, Strong Hire).
    sign_in(page, server.url, "ana@example.com", name="Ana Interviewer")
    page.goto(f"{server.url}/staff/interviews/")
    expect(page.get_by_role("heading", name="My interviews")).to_be_visible()
    found += violations(page)
    title = re.escape(kit.stage(STAGE).title)
    page.get_by_role("link", name=re.compile(rf"^{title}\s*: scorecard for Casey$")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Scorecard")
    score_by_keyboard(page, steps=3)

    # Ben, in another browser, scores the stage 1 throughout with No Hire: the raters disagree.
    other = browser.new_context()
    other.set_default_timeout(10_000)
    ben_page = other.new_page()
    sign_in(ben_page, server.url, "ben@example.com", name="Ben Interviewer")
    ben_page.goto(debrief)
    expect(ben_page.get_by_role("heading", level=1)).not_to_contain_text("Debrief")
    ben_page.goto(scorecard)
    for group in ben_page.locator("fieldset.level-group").all():
        group.locator("input").nth(1).check()
    ben_page.get_by_role("button", name="Submit scorecard").click()
    expect(ben_page.get_by_role("status")).to_contain_text("Scorecard submitted.")
    ben_page.goto(debrief)
    expect(ben_page.get_by_role("heading", level=1)).to_contain_text("Debrief")
    other.close()

    # Rita opens the debrief, sees the disagreement in words, and records the decision.
    page.context.clear_cookies()
    sign_in(page, server.url, "rita@example.com", name="Rita Recruiter")
    page.goto(debrief)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Debrief: Casey")
    expect(page.get_by_text("Recommendations are split:")).to_be_visible()
    expect(page.get_by_text("Raters disagree").first).to_be_visible()
    found += violations(page)
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("alert")).to_be_visible()
    found += violations(page)
    page.get_by_label("Hold").check()
    page.get_by_label("Rationale").fill("Split on negotiation: a second role play with the sales director.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("status")).to_contain_text("Decision recorded: Hold.")
    expect(page.get_by_text("Current decision: Hold")).to_be_visible()
    found += violations(page)

    with server.session_factory() as session:
        (decision,) = session.scalars(select(HiringDecision)).all()
        assert (decision.decision, decision.decided_by) == ("hold", rita.id)
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "decision.record")).one()
    assert found == []
