"""What the start page says is recorded is what Chromium records: a tab switch, pastes, another browser.

A candidate reads what is recorded and starts; on the written answer they switch to another
tab, copy a text there and paste it, paste a line of the item's own material, move on; then
they continue in another browser (another user agent) and save. The stored events say where
each thing happened, how long and how big, and which browser family sent each request.
"""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from axe_check import violations
from live_server import LiveServer, wait_for
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from assess.models import AttemptEvent, AttemptItem, StoredItemVersion

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]

CHROME_LINUX = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
ELSEWHERE = "Notes from another site that the candidate copied into their answer, word for word."
AWAY_SECONDS = 2.5


def _events(server: LiveServer, link: str) -> list[AttemptEvent]:
    attempt = server.attempt(link)
    assert attempt is not None
    with server.session_factory() as session:
        query = select(AttemptEvent).where(AttemptEvent.attempt_id == attempt.id).order_by(AttemptEvent.id)
        return list(session.scalars(query))


def _first_written(server: LiveServer, link: str) -> int:
    attempt = server.attempt(link)
    assert attempt is not None
    with server.session_factory() as session:
        positions = session.scalars(
            select(AttemptItem.position)
            .join(
                StoredItemVersion,
                (StoredItemVersion.item_id == AttemptItem.item_id)
                & (StoredItemVersion.version == AttemptItem.version),
            )
            .where(AttemptItem.attempt_id == attempt.id, StoredItemVersion.type == "written")
            .order_by(AttemptItem.position)
        ).all()
    if not positions:
        pytest.skip("the banks in use have no written item")
    return positions[0]


def _real_focus(context: BrowserContext, page: Page) -> Page:
    """``page`` with Chromium's own window focus: Playwright otherwise tells every page it has focus.

    Headless Chromium keeps every tab visible, so a switch of tabs reaches the page as a loss
    of focus (blur, then focus on return), never as a hidden page.
    """
    context.new_cdp_session(page).send("Emulation.setFocusEmulationEnabled", {"enabled": False})
    return page


def _copy_elsewhere(page: Page) -> None:
    """Another site, in another tab: its text selected and copied to the clipboard with the keyboard."""
    page.set_content(f"<main><textarea id='source' aria-label='source'>{ELSEWHERE}</textarea></main>")
    page.locator("#source").focus()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.press("ControlOrMeta+C")


def test_a_tab_switch_pastes_and_another_browser_are_recorded_as_the_start_page_says(
    browser: Browser, server: LiveServer
) -> None:
    first = browser.new_context(user_agent=CHROME_LINUX)
    page = first.new_page()
    link = server.invite()
    page.goto(link)
    notice = page.get_by_role("region", name="What is recorded while you take the test")
    expect(notice).to_contain_text("not what you paste")
    assert violations(page) == []
    before_start = page.evaluate("() => [...document.scripts].map(s => s.src)")
    assert not any("attempt.js" in src for src in before_start)

    page.get_by_role("button", name="Start the test").click()
    page.wait_for_url(re.compile(r"/items/1$"))
    # The server dates reports by its own clock, kept within the attempt: give the attempt a past.
    server.clock.advance(minutes=5)
    position = _first_written(server, link)
    written = f"{link}/items/{position + 1}"
    page.goto(written)
    answer = page.locator("#item-form textarea")
    answer.fill("Hello team, here is what we agreed. ")

    # The candidate switches to another tab, copies a text there and comes back after a while.
    _real_focus(first, page).bring_to_front()
    other = _real_focus(first, first.new_page())
    other.bring_to_front()
    _copy_elsewhere(other)
    other.wait_for_timeout(AWAY_SECONDS * 1000)
    page.bring_to_front()
    answer.focus()
    answer.press("End")
    page.keyboard.press("ControlOrMeta+V")
    expect(answer).to_have_value(re.compile(re.escape(ELSEWHERE)))
    # A line of the item's own material, copied and pasted: from the page, never counted.
    material = page.locator(".material p").first
    quoted = material.inner_text()
    material.click(click_count=3)
    page.keyboard.press("ControlOrMeta+C")
    answer.focus()
    answer.press("End")
    page.keyboard.press("ControlOrMeta+V")
    expect(page.locator("#save-state")).to_have_text("Saved")
    page.get_by_role("button", name="Save and review your answers").first.click()
    page.wait_for_url(re.compile(r"/review$"))

    # The candidate continues in another browser; the attempt resumes, and a save there is its own.
    second = browser.new_context(user_agent=FIREFOX_WINDOWS)
    elsewhere = second.new_page()
    elsewhere.goto(written)
    elsewhere.locator("#item-form textarea").press("End")
    elsewhere.keyboard.type(" Best regards.")
    expect(elsewhere.locator("#save-state")).to_have_text("Saved")
    second.close()
    first.close()

    def left_the_item() -> list[AttemptEvent]:
        found = _events(server, link)
        return found if any(e.kind == "viewed" and e.position == position for e in found) else []

    events = wait_for(left_the_item)
    on_item = [e for e in events if e.position == position]
    (lapse,) = [e for e in on_item if e.kind == "focus"]
    away = datetime.fromisoformat(lapse.detail["regained_at"]) - lapse.at
    assert lapse.detail["hidden"] is False and away.total_seconds() >= AWAY_SECONDS - 0.5
    pasted, from_page = [
        (e.detail["characters"], e.detail["from_page"]) for e in on_item if e.kind == "paste"
    ]
    assert pasted == (len(ELSEWHERE), False)
    # A triple click takes the paragraph with its line breaks.
    assert from_page[1] is True and len(quoted.strip()) <= from_page[0] <= len(quoted) + 2
    # One per visit of the item (the second browser's visit ends with its window, which may come later).
    viewed = [e.detail["seconds"] for e in on_item if e.kind == "viewed"]
    assert viewed and all(0 < seconds < 120 for seconds in viewed)

    # Only the page's own requests: Chromium sends a beacon with its own user agent, not the context's.
    agents = [(e.kind, e.detail.get("agent")) for e in events if e.kind in {"started", "saved"}]
    assert agents[0] == ("started", "Chrome on Linux")
    assert ("saved", "Chrome on Linux") in agents and agents[-1] == ("saved", "Firefox on Windows")
    assert {e.detail["network"] for e in events if "network" in e.detail} == {"unknown network"}
    assert not any("127.0.0.1" in str(e.detail) or "Gecko" in str(e.detail) for e in events)


def test_what_the_page_saw_rides_on_its_next_save_and_goes_alone_only_when_no_save_is_due(
    browser: Browser, server: LiveServer
) -> None:
    context = browser.new_context()
    page = context.new_page()
    posts: list[tuple[str, str, str]] = []
    page.on(
        "request",
        lambda r: posts.append((r.url, r.post_data or "", r.resource_type)) if r.method == "POST" else None,
    )
    link = server.invite()
    page.goto(link)
    page.get_by_role("button", name="Start the test").click()
    page.wait_for_url(re.compile(r"/items/1$"))
    server.clock.advance(minutes=5)
    position = _first_written(server, link)
    page.goto(f"{link}/items/{position + 1}")
    # Opening an item by its address leaves the test page as closing it would: a beacon went.
    posts.clear()

    # Away for a moment, then back to write: the lapse travels with the autosave of the answer.
    _real_focus(context, page).bring_to_front()
    other = _real_focus(context, context.new_page())
    other.bring_to_front()
    other.wait_for_timeout(1_000)
    page.bring_to_front()
    answer = page.locator("#item-form textarea")
    answer.fill("Hello team, the renewal is agreed.")
    expect(page.locator("#save-state")).to_have_text("Saved")
    wait_for(lambda: [e for e in _events(server, link) if e.kind == "focus"])
    carried = [body for url, body, _ in posts if "/answers/" in url and '"kind":"focus"' in body]
    assert carried, posts
    assert not [url for url, _, _ in posts if url.endswith("/signals")]

    # Moving on within the test leaves the time on the item to the next page, no beacon on the way:
    # the review page sends it (with the save it sends again, or alone) as soon as it loads.
    page.get_by_role("button", name="Save and review your answers").first.click()
    page.wait_for_url(re.compile(r"/review$"))
    wait_for(lambda: [e for e in _events(server, link) if e.kind == "viewed" and e.position == position])
    sent = [(url, kind) for url, body, kind in posts if "viewed" in body]
    assert len(sent) == 1 and sent[0][1] != "ping", posts
    context.close()
