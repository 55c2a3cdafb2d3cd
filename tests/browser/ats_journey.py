"""What both ATS journeys share: the fixture bank, the app served at its public URL, the admin's
connection made on the staff page, and the candidate taking the emailed test in Chromium."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from candidate_pages import answer_item_by_keyboard, start_attempt
from live_server import GRACE_SECONDS, LiveServer, sign_in_as_new
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from assess.config import Settings
from assess.models import OutboxMessage
from assess.services.mail import LINK_PATTERN
from assess.services.outbox import DeliveryPass, deliver_due
from items.bank import Catalogue, load_banks

FIXTURE_BANKS = Path(__file__).resolve().parents[1] / "fixtures" / "banks"


@pytest.fixture
def catalogue_path() -> Path:
    # Single-choice items: a submitted attempt is graded at once, nothing waits for a reviewer.
    return FIXTURE_BANKS


@pytest.fixture
def catalogue() -> Catalogue:
    return load_banks([FIXTURE_BANKS])


@pytest.fixture
def form_id() -> str:
    return "sample-form"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_at_public_url(
    serve: Callable[..., LiveServer], database_url: str, catalogue_path: Path, **config: Any
) -> LiveServer:
    """The app served where its own links point, so the candidate's and the ATS's links open it."""
    port = free_port()
    settings = Settings(
        database_url=database_url,
        secret_key="browser-tests-only",
        bank_paths=(str(catalogue_path),),
        grace_seconds=GRACE_SECONDS,
        public_url=f"http://127.0.0.1:{port}",
    )
    return serve(port=port, SETTINGS=settings, **config)


def connect_on_the_staff_page(page: Page, server: LiveServer, ats: str, ashby_api_key: str = "") -> str:
    """An admin connects the ATS on "Connect your ATS"; returns the key the page shows once."""
    sign_in_as_new(page, server, "admin")
    page.get_by_role("navigation", name="Staff pages").get_by_role("link", name="Connect your ATS").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Connect your ATS")
    page.get_by_role("radio", name=ats).check()
    page.get_by_label("Name").fill("Acme Corp")
    page.get_by_label(re.compile(r"^Account Manager, browser")).check()
    if ashby_api_key:
        page.get_by_label("Ashby API key (Ashby only)").fill(ashby_api_key)
    page.get_by_role("button", name="Connect").click()
    key = page.get_by_label("The new connection's key").inner_text().strip()
    assert re.fullmatch(r"ats_[a-z0-9]{12}_[A-Za-z0-9_-]{43}", key)
    return key


def emailed_link(server: LiveServer, email: str) -> str:
    with server.session_factory() as session:
        message = session.scalars(select(OutboxMessage).where(OutboxMessage.to == email)).one()
    found = LINK_PATTERN.search(message.body)
    assert found is not None, message.body
    return found.group(0)


def take_the_test(page: Page, link: str) -> None:
    """The candidate opens the emailed link, answers every item by keyboard and submits."""
    start_attempt(page, link)
    count = int(re.search(r"of (\d+)", page.locator(".count").inner_text()).group(1))  # type: ignore[union-attr]
    for n in range(1, count + 1):
        answer_item_by_keyboard(page)
        expect(page.locator("#save-state")).to_have_text("Saved", timeout=5_000)
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(rf"/items/{n + 1}$" if n < count else r"/review$"))
    page.get_by_role("button", name=re.compile("^Submit")).click()
    expect(page.locator("h1")).to_have_text("Your test has been submitted")


def candidate_takes_the_emailed_test(context: BrowserContext, server: LiveServer, email: str) -> None:
    """The candidate, in a browser of their own, takes the test whose link was emailed to ``email``."""
    assert context.browser is not None
    candidate = context.browser.new_context()
    try:
        take_the_test(candidate.new_page(), emailed_link(server, email))
    finally:
        candidate.close()


def deliver(server: LiveServer) -> DeliveryPass:
    """Send the due deliveries now; the fake ATSs listen on 127.0.0.1, which production refuses."""
    return deliver_due(server.session_factory, server.clock, allow_private_targets=True)
