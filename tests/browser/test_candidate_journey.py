"""The candidate's whole journey in Chromium, with what the page says about saving checked on every page.

A page-by-page test passed while "Not saved yet: 1 answer is being sent" stuck on every
page after a written answer: these walk the attempt from link to confirmation.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from axe_check import violations
from candidate_pages import answer_item_by_keyboard, save_state, start_attempt
from live_server import LiveServer, wait_for
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from assess.models import AttemptEvent

pytestmark = pytest.mark.browser

#: What the save indicator may say once the page has settled with nothing left to send.
SETTLED = {"Saved", "Not answered yet", ""}
CONFLICT = "A newer answer from another window or device was kept"


def assert_no_axe_violations(page: Page, where: str) -> None:
    found = violations(page)
    assert not found, (where, found)


def queued_answers(page: Page) -> int:
    """How many answers the page's durable queue still holds (attempt.js's localStorage)."""
    count: int = page.evaluate(
        """() => Object.keys(localStorage).filter(k => k.startsWith("assess-queue:"))
                 .reduce((n, k) => n + Object.keys(JSON.parse(localStorage.getItem(k))).length, 0)"""
    )
    return count


def expect_settled(page: Page, where: str) -> None:
    """Nothing is waiting to be sent, and the indicator says nothing that is not so."""
    try:
        wait_for(lambda: queued_answers(page) == 0 and save_state(page) in SETTLED, timeout=5)
    except AssertionError:
        raise AssertionError(f"{where}: {save_state(page)!r}, {queued_answers(page)} queued") from None


def test_a_whole_attempt_through_every_item_type_keeps_the_save_indicator_true_on_every_page(
    page: Page, server: LiveServer
) -> None:
    link = server.invite()
    page.goto(link)
    assert_no_axe_violations(page, "instructions")
    start_attempt(page, link)
    count = int(re.search(r"of (\d+)", page.locator(".count").inner_text()).group(1))  # type: ignore[union-attr]
    for n in range(1, count + 1):
        expect(page.locator(".count")).to_have_text(f"Item {n} of {count}")
        expect_settled(page, f"arriving at item {n}")
        expect(page.locator("#save-state")).to_have_text("Not answered yet")
        answer_item_by_keyboard(page)
        # The last keystroke's save may still be on its way: the indicator must get to "Saved".
        expect(page.locator("#save-state")).to_have_text("Saved", timeout=5_000)
        assert_no_axe_violations(page, f"item {n}")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(rf"/items/{n + 1}$" if n < count else r"/review$"))
    expect(page.locator("h1")).to_have_text("Review your answers")
    expect_settled(page, "the review page")
    expect(page.get_by_text("You have answered all")).to_be_visible()
    assert_no_axe_violations(page, "review")
    # Going back to an answered item shows it saved, and leaving it again changes nothing.
    page.get_by_role("link", name=re.compile(r"^Item 1:")).click()
    expect(page.locator("#save-state")).to_have_text("Saved")
    events_before = server_events(server, link)
    page.get_by_role("button", name="Save and review your answers").first.click()
    page.wait_for_url(re.compile(r"/review$"))
    expect_settled(page, "the review page, again")
    assert server_events(server, link) == events_before, "moving on from an unchanged item is no save"
    page.get_by_role("button", name=re.compile("^Submit")).click()
    page.wait_for_url(re.compile(r"/done$"))
    expect(page.locator("h1")).to_have_text("Your test has been submitted")
    assert all(response is not None for response in server.answers(link).values())


def server_events(server: LiveServer, link: str) -> int:
    attempt = server.attempt(link)
    assert attempt is not None
    with server.session_factory() as session:
        # Saves only: the time spent on the item is recorded ("viewed") whether or not it changed.
        saves = select(func.count()).where(
            AttemptEvent.attempt_id == attempt.id, AttemptEvent.kind == "saved"
        )
        return int(session.scalar(saves) or 0)


def test_two_windows_one_with_its_clock_a_day_ahead_each_say_the_truth(
    browser: Browser, server: LiveServer
) -> None:
    link = server.invite()
    laptop_context, phone_context = browser.new_context(), browser.new_context()
    laptop, phone = laptop_context.new_page(), phone_context.new_page()
    # The laptop's clock runs a day ahead; under the old design its every save won.
    laptop.clock.install(time=datetime.now(UTC) + timedelta(days=1))
    start_attempt(laptop, link)
    phone.goto(link)
    phone.wait_for_url(re.compile(r"/items/1$"))
    radio_name = laptop.locator("#item-form input[type=radio]").first.get_attribute("name")
    laptop_radios = laptop.locator(f"#item-form input[name='{radio_name}']")
    phone_radios = phone.locator(f"#item-form input[name='{radio_name}']")

    # Both show revision 0. The phone saves first.
    phone_radios.nth(1).check()
    expect(phone.locator("#save-state")).to_have_text("Saved")
    phone_stored = server.answers(link)[0]
    assert phone_stored is not None
    phone_pick = phone_radios.nth(1).get_attribute("value")
    # The laptop's edit was made on revision 0, which the phone replaced: not saved, and it says so.
    laptop_radios.nth(2).check()
    expect(laptop.locator("#answer-error")).to_contain_text(CONFLICT)
    expect(laptop.locator("#save-state")).not_to_have_text("Saved")
    expect(laptop.locator(f"#item-form input[name='{radio_name}'][value='{phone_pick}']")).to_be_checked()
    assert server.answers(link)[0] == phone_stored

    # Having seen the stored answer, the laptop's next edit is kept; now the phone is behind.
    laptop_radios.nth(3).check()
    expect(laptop.locator("#save-state")).to_have_text("Saved")
    laptop_pick = laptop_radios.nth(3).get_attribute("value")
    laptop_stored = wait_for(lambda: (lambda r: r if r != phone_stored else None)(server.answers(link)[0]))
    phone_radios.nth(0).check()
    expect(phone.locator("#answer-error")).to_contain_text(CONFLICT)
    expect(phone.locator(f"#item-form input[name='{radio_name}'][value='{laptop_pick}']")).to_be_checked()
    assert server.answers(link)[0] == laptop_stored
    assert_no_axe_violations(phone, "item page after a conflict")
    laptop_context.close()
    phone_context.close()


def test_an_answer_the_server_refuses_outright_is_said_so_and_not_sent_forever(
    page: Page, server: LiveServer
) -> None:
    link = server.invite()
    start_attempt(page, link)
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url) if "/answers/" in request.url else None)
    text_field = page.locator("#item-form textarea, #item-form input[type=text]").first
    if text_field.count() == 0:
        # Item 1 has no text field on this form: go to the written item.
        count = int(re.search(r"of (\d+)", page.locator(".count").inner_text()).group(1))  # type: ignore[union-attr]
        for n in range(2, count + 1):
            page.goto(f"{link}/items/{n}")
            if page.locator("#item-form textarea").count():
                break
        text_field = page.locator("#item-form textarea").first
    # A lone UTF-16 surrogate, as a broken paste can leave; the server cannot store it.
    text_field.evaluate(
        "el => { el.value = 'Dear Dana \\ud800'; el.dispatchEvent(new Event('input', {bubbles: true})); }"
    )
    expect(page.locator("#answer-error")).to_contain_text("Your answer was not saved")
    wait_for(lambda: queued_answers(page) == 0, timeout=5)
    posts = len(sent)
    page.wait_for_timeout(3_000)  # three retry periods of the test server
    assert len(sent) == posts, "a refused save was sent again"
    assert save_state(page) != "Saved"
