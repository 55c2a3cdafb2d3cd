"""Time in Chromium: the deadline with the tab open or closed, and extra time reaching the page."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from candidate_pages import answer_first_option, seconds_shown, start_attempt
from live_server import GRACE_SECONDS, LiveServer, wait_for
from playwright.sync_api import BrowserContext, Page, expect

from assess import STATUS_POLL_SECONDS
from assess.services.finalization import finalize_expired
from assess.services.time_grants import grant_extra_time

pytestmark = pytest.mark.browser


def test_the_open_page_moves_to_the_end_when_time_runs_out_and_the_sweep_grades_it(
    page: Page, server: LiveServer
) -> None:
    link = server.invite()
    start_attempt(page, link)
    answer_first_option(page)
    expect(page.locator("#save-state")).to_have_text("Saved")
    attempt = server.attempt(link)
    assert attempt is not None
    server.clock.now = attempt.deadline + timedelta(seconds=GRACE_SECONDS + 1)
    # The page's status poll (every second here) learns the time is up and leaves by itself.
    page.wait_for_url(re.compile(r"/done$"), timeout=10_000)
    expect(page.locator("h1")).to_have_text("Your test has been submitted")
    expect(page.locator("main")).to_contain_text("The time for this test is up")
    # The page's reads wrote nothing; the deadline sweep finalizes and grades.
    assert (left := server.attempt(link)) is not None and left.finalized_at is None
    with server.session_factory() as session:
        assert finalize_expired(session, server.clock(), GRACE_SECONDS) == 1
    finalized = server.attempt(link)
    assert finalized is not None and finalized.finalized_by == "deadline"
    assert finalized.total_points is not None and finalized.max_points is not None
    assert server.answers(link)[0] is not None


def test_an_attempt_whose_tab_was_closed_is_finalized_by_the_sweep(
    context: BrowserContext, serve: Callable[..., LiveServer]
) -> None:
    server = serve(START_SWEEP=True, sweep_interval_seconds=1)
    page = context.new_page()
    link = server.invite()
    start_attempt(page, link)
    answer_first_option(page)
    expect(page.locator("#save-state")).to_have_text("Saved")
    page.close()
    attempt = server.attempt(link)
    assert attempt is not None
    server.clock.now = attempt.deadline + timedelta(seconds=GRACE_SECONDS + 1)
    finalized = wait_for(lambda: (a := server.attempt(link)) is not None and a.finalized_at is not None and a)
    assert finalized.finalized_by == "deadline"
    assert finalized.total_points is not None


def test_extra_time_granted_by_staff_reaches_the_open_page_within_15_seconds(
    page: Page, serve: Callable[..., LiveServer]
) -> None:
    # The production poll interval: this is the promise the hiring team relies on.
    server = serve(STATUS_POLL_SECONDS=STATUS_POLL_SECONDS)
    link = server.invite()
    start_attempt(page, link)
    before = seconds_shown(page)
    attempt = server.attempt(link)
    assert attempt is not None
    with server.session_factory() as session:
        grant_extra_time(session, attempt.id, 10, "recruiter@example.com", "slow connection", server.clock())
    granted_at = time.monotonic()
    wait_for(lambda: seconds_shown(page) >= before + 600 - 30, timeout=15)
    assert time.monotonic() - granted_at < 15
    assert page.url.endswith("/items/1")  # no reload, no navigation
    expect(page.locator("#time-announcer")).to_contain_text("Extra time has been added")


def test_screen_readers_hear_five_minutes_and_one_minute_left(page: Page, server: LiveServer) -> None:
    link = server.invite()
    start_attempt(page, link)
    attempt = server.attempt(link)
    assert attempt is not None
    announcer = page.locator("#time-announcer")
    expect(announcer).to_have_attribute("aria-live", "assertive")
    server.clock.now = attempt.deadline - timedelta(seconds=299)
    expect(announcer).to_have_text("5 minutes left.")
    server.clock.now = attempt.deadline - timedelta(seconds=59)
    expect(announcer).to_have_text("1 minute left.")
    assert page.url.endswith("/items/1")
