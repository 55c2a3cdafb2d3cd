"""A recruiter reads a tab switcher's integrity tier, follows its evidence and marks it reviewed."""

from __future__ import annotations

import random
from typing import Any

import pytest
from axe_check import violations
from live_server import CAMPAIGN, LiveServer, sign_in_as_new
from playwright.sync_api import Page, expect
from sqlalchemy import select

from assess.models import AttemptEvent, AttemptItem, AuditEntry, SignalReview
from assess.services.attempt_start import create_attempt
from assess.services.finalization import submit_attempt
from assess.services.invitations import create_invitation
from integrity.tiers import CONVERSATION_NOT_VERDICT

pytestmark = pytest.mark.browser

ORIGIN = {"agent": "Firefox on Windows", "network": "203.0.113.0/24"}


def tab_switcher(server: LiveServer) -> int:
    """A finished attempt whose candidate left the page for 40 s on each of its first three items."""
    catalogue = server.app.extensions["assess"].catalogue
    with server.session_factory() as session:
        invitation, _ = create_invitation(session, CAMPAIGN, "tabs@example.com", server.clock())
        attempt = create_attempt(session, invitation, catalogue, server.clock(), random.Random(1))
        slots = session.scalars(
            select(AttemptItem).where(AttemptItem.attempt_id == attempt.id).order_by(AttemptItem.position)
        ).all()
        for slot in slots[:3]:
            lost = server.clock.advance(seconds=30)
            regained = server.clock.advance(seconds=40)
            detail: dict[str, Any] = {"regained_at": regained.isoformat(), "hidden": True, **ORIGIN}
            session.add(
                AttemptEvent(
                    attempt_id=attempt.id, at=lost, kind="focus", position=slot.position, detail=detail
                )
            )
        session.commit()
        server.clock.advance(seconds=30)
        submit_attempt(session, attempt.id, server.clock())
        return attempt.id


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_recruiter_follows_a_signal_to_its_moment_and_marks_it_reviewed(
    page: Page, server: LiveServer
) -> None:
    attempt_id = tab_switcher(server)
    found: list[dict[str, Any]] = []
    sign_in_as_new(page, server, "recruiter", name="Rita Recruiter")

    page.goto(f"{server.url}/staff/review/")
    page.get_by_role("link", name="tabs@example.com").click()
    integrity = page.locator("section.integrity")
    expect(integrity.get_by_role("heading", name="Integrity")).to_be_visible()
    expect(integrity).to_contain_text("Some concerns")
    expect(integrity).to_contain_text(CONVERSATION_NOT_VERDICT)
    found += violations(page)

    evidence = integrity.locator("ul.evidence a[href^='#timeline-']").first
    target = (evidence.get_attribute("href") or "").lstrip("#")
    evidence.click()
    assert page.url.endswith(f"#{target}")
    moment = page.locator(f"[id='{target}']")
    expect(moment).to_be_in_viewport()
    expect(moment).to_contain_text("Switched away from item")
    item_link = integrity.locator("ul.evidence a[href^='#item-']").first
    item = (item_link.get_attribute("href") or "").lstrip("#")
    item_link.click()
    expect(page.locator(f"[id='{item}']")).to_be_in_viewport()

    signal = integrity.locator("article.signal").first
    signal.get_by_label("Note on this signal").fill("Asked: the courier rang twice.")
    signal.get_by_role("button", name="Mark reviewed").click()
    expect(page.get_by_role("status")).to_contain_text("Signal marked reviewed")
    expect(page.locator("section.integrity")).to_contain_text("Reviewed by Rita Recruiter")
    expect(page.locator("section.integrity")).to_contain_text("Asked: the courier rang twice.")
    found += violations(page)

    with server.session_factory() as session:
        assert session.scalars(select(SignalReview)).one().attempt_id == attempt_id
        assert session.scalars(
            select(AuditEntry).where(AuditEntry.action == "integrity.signal_reviewed")
        ).one()
    assert found == []
