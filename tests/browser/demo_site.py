"""The demo campaign (``build_demo``) served once per test module, and signing in to it as each role.

Sixteen candidates is the smallest cohort that keeps every stage and every special case the
demo builds (a red flag, a must-have miss and a split panel among four decided; two scheduled
interviews among three reviewed), so each journey and the crawl find real work on every page.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from live_server import ServerThread, sign_in
from playwright.sync_api import BrowserContext, Page
from sqlalchemy.orm import Session, sessionmaker

from assess import create_app
from assess.config import Settings
from assess.db import make_engine, make_session_factory
from assess.demo.cohort import StaffLogin, build_demo
from assess.services.campaigns import campaign_by_slug
from assess.services.scorecards import kit_catalogue
from items.bank import Catalogue

DEMO_CANDIDATES = 16
DEMO_SEED = 2026


class FixedClock:
    """The server's clock: the moment the demo was built, so its history reads as it was made."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class DemoSite:
    url: str
    app: Flask
    session_factory: sessionmaker[Session]
    campaign_id: int
    campaign_title: str
    logins: dict[str, StaffLogin]

    def sign_in(self, context: BrowserContext, role: str) -> Page:
        """A new page in ``context``, signed in through the login form as the demo's ``role``."""
        login = self.logins[role]
        page = context.new_page()
        sign_in(page, self.url, login.email, login.password)
        return page


@pytest.fixture(scope="module")
def demo_site(
    tmp_path_factory: pytest.TempPathFactory,
    migrated_sqlite: Path,
    catalogue_path: Path,
    catalogue: Catalogue,
) -> Iterator[DemoSite]:
    """One served app on a SQLite copy of the migrated schema, holding the demo cohort."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    path.write_bytes(migrated_sqlite.read_bytes())
    database_url = f"sqlite:///{path}"
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0))
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    with factory() as session:
        logins = build_demo(session, catalogue, kit_catalogue(), DEMO_CANDIDATES, DEMO_SEED, clock())
        campaign = campaign_by_slug(session, logins.campaign_slug)
        assert campaign is not None
        campaign_id, campaign_title = campaign.id, campaign.title
    settings = Settings(
        database_url=database_url, secret_key="browser-tests-only", bank_paths=(str(catalogue_path),)
    )
    app = create_app({"SETTINGS": settings, "CLOCK": clock, "START_SWEEP": False})
    # One line per request from werkzeug would drown the test output.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    served = ServerThread(app, 0)
    try:
        yield DemoSite(
            f"http://127.0.0.1:{served.server.server_port}",
            app,
            factory,
            campaign_id,
            campaign_title,
            {login.role: login for login in logins.staff},
        )
    finally:
        served.stop()
        engine.dispose()
