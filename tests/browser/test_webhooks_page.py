"""An admin's webhook journey in Chromium: register an endpoint, read its secret once, see a failed
delivery in the log and send it again; every state of the page passes axe (WCAG 2.1 AA)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from axe_check import violations
from live_server import LiveServer, sign_in_as_new
from playwright.sync_api import Page, expect
from webhook_receiver import running_receiver, verify

from assess.services.domain_events import publish
from assess.services.outbox import deliver_due

pytestmark = pytest.mark.browser


def test_an_admin_registers_an_endpoint_and_sends_a_failed_delivery_again(
    page: Page, serve: Callable[..., LiveServer], clock: Any
) -> None:
    server: LiveServer = serve(ALLOW_PRIVATE_WEBHOOK_TARGETS=True)
    sign_in_as_new(page, server, "admin")
    nav = page.get_by_role("navigation", name="Staff pages")
    found = []
    with running_receiver() as receiver:
        nav.get_by_role("link", name="Webhooks").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Webhooks")
        page.get_by_role("button", name="Register the endpoint").click()
        expect(page.get_by_role("alert")).to_contain_text("Give the URL to send to.")
        found += violations(page)

        page.get_by_label("URL").fill(receiver.url)
        page.get_by_label(re.compile("^attempt.finalized")).check()
        page.get_by_role("button", name="Register the endpoint").click()
        secret = page.get_by_label("The new signing secret").inner_text().strip()
        assert secret.startswith("whsec_")
        found += violations(page)

        receiver.reply_with(500)
        with server.session_factory() as session:
            publish(session, "attempt.finalized", {"attempt_id": 1, "invitation_id": 1}, at=clock())
            session.commit()
        deliver_due(server.session_factory, clock, allow_private_targets=True)
        nav.get_by_role("link", name="Webhooks").click()
        assert secret not in page.content()
        expect(page.get_by_role("table", name="Latest deliveries, newest first")).to_contain_text("HTTP 500")
        found += violations(page)

        page.get_by_role("button", name=re.compile("^Send delivery \\d+ again$")).click()
        expect(page.get_by_text(re.compile("queued to be sent again"))).to_be_visible()
        found += violations(page)
        deliver_due(server.session_factory, clock, allow_private_targets=True)
        last = receiver.received[-1]
        assert (
            verify(secret, last.headers, last.body, int(clock().timestamp()))["type"] == "attempt.finalized"
        )
    assert found == []
