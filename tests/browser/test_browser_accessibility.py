"""axe-core finds no WCAG 2.1 A/AA violation on any candidate page."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from axe_check import violations
from candidate_pages import answer_first_option, start_attempt
from live_server import LiveServer
from playwright.sync_api import Page, expect
from sqlalchemy import select

from assess.models import AttemptItem, StoredItemVersion

pytestmark = pytest.mark.browser


def _first_position_of_each_type(server: LiveServer, link: str) -> dict[str, int]:
    attempt = server.attempt(link)
    assert attempt is not None
    with server.session_factory() as session:
        rows = session.execute(
            select(AttemptItem.position, StoredItemVersion.type)
            .join(
                StoredItemVersion,
                (StoredItemVersion.item_id == AttemptItem.item_id)
                & (StoredItemVersion.version == AttemptItem.version),
            )
            .where(AttemptItem.attempt_id == attempt.id)
            .order_by(AttemptItem.position)
        ).all()
    firsts: dict[str, int] = {}
    for position, type_name in rows:
        firsts.setdefault(type_name, position)
    return firsts


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_candidate_page_passes_axe_at_wcag_21_aa(page: Page, server: LiveServer) -> None:
    found: list[dict[str, Any]] = []
    link = server.invite()

    page.goto(link)
    expect(page.locator("h1")).to_be_visible()
    found += violations(page)

    start_attempt(page, link)
    for type_name, position in sorted(_first_position_of_each_type(server, link).items()):
        page.goto(f"{link}/items/{position + 1}")
        expect(page.locator("#save-state")).to_be_visible()
        found += [dict(v, type=type_name) for v in violations(page)]

    page.goto(f"{link}/items/1")
    answer_first_option(page)
    expect(page.locator("#save-state")).to_have_text("Saved")
    found += violations(page)  # with an answer given and the save state shown

    page.goto(f"{link}/review")
    found += violations(page)
    page.get_by_label(re.compile("^I want to submit now")).check()
    page.get_by_role("button", name="Submit my answers").click()
    page.wait_for_url(re.compile(r"/done$"))
    found += violations(page)

    expiring = server.invite(valid_for=timedelta(minutes=5))
    server.clock.now += timedelta(minutes=6)
    for error_page in (expiring, f"{server.url}/t/{'A' * 32}", f"{server.url}/no-such-page"):
        page.goto(error_page)
        expect(page.locator("h1")).to_be_visible()
        found += violations(page)

    assert found == []
