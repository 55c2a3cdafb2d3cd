"""The real app served on 127.0.0.1 from a thread, driven by Debian's Chromium through Playwright.

The server's clock is the controllable test clock, so "30 minutes later" is one
assignment, and the page's polling intervals are short so the tests stay fast.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from live_server import CAMPAIGN, GRACE_SECONDS, LiveServer, ServerThread
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from sqlalchemy.orm import Session, sessionmaker

from assess import create_app
from assess.config import Settings
from assess.services.campaigns import create_campaign
from items.bank import Catalogue

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    opened = browser.new_context()
    opened.set_default_timeout(10_000)
    yield opened
    opened.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def serve(
    database_url: str,
    catalogue_path: Path,
    catalogue: Catalogue,
    form_id: str,
    clock: Any,
    session_factory: sessionmaker[Session],
) -> Iterator[Callable[..., LiveServer]]:
    """Start the app (on ``port``, or a free one); other keyword arguments override its config."""
    threads: list[ServerThread] = []
    with session_factory() as session:
        create_campaign(
            session,
            CAMPAIGN,
            "Account Manager, browser",
            "Account Manager (SMB)",
            form_id,
            catalogue,
            clock(),
        )
    # One line per request from werkzeug would drown the test output.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    def start(port: int = 0, sweep_interval_seconds: int = 20, **config: Any) -> LiveServer:
        settings = Settings(
            database_url=database_url,
            secret_key="browser-tests-only",
            bank_paths=(str(catalogue_path),),
            grace_seconds=GRACE_SECONDS,
            sweep_interval_seconds=sweep_interval_seconds,
        )
        app = create_app(
            {
                "SETTINGS": settings,
                "CLOCK": clock,
                "START_SWEEP": False,
                "STATUS_POLL_SECONDS": 1,
                "SAVE_RETRY_SECONDS": 1,
                "SAVE_DELAY_MS": 100,
                **config,
            }
        )
        served = ServerThread(app, port)
        threads.append(served)
        return LiveServer(
            f"http://127.0.0.1:{served.server.server_port}", app, clock, session_factory, served.stop
        )

    yield start
    for served in threads:
        served.stop()


@pytest.fixture
def server(serve: Callable[..., LiveServer]) -> LiveServer:
    return serve()
