"""A candidate's attempt in Chromium: keyboard only, reload, offline, two tabs, no JavaScript."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from candidate_pages import answer_first_option, answer_item_by_keyboard, seconds_shown, start_attempt, tab_to
from live_server import LiveServer
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

pytestmark = pytest.mark.browser

OFFLINE_ONE = "Offline — 1 answer queued, they will be sent when the connection returns"


def test_a_whole_attempt_by_keyboard_alone_on_a_phone_sized_screen(
    browser: Browser, server: LiveServer
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    link = server.invite()
    page.goto(link)
    tab_to(page, {"tag": "BUTTON", "type": "submit"})
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/items/1$"))
    count = int(re.search(r"of (\d+)", page.locator(".count").inner_text()).group(1))  # type: ignore[union-attr]
    for n in range(1, count + 1):
        expect(page.locator(".count")).to_have_text(f"Item {n} of {count}")
        # Each item must fit the phone: nothing wider than the screen.
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, f"item {n}"
        answer_item_by_keyboard(page)
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(rf"/items/{n + 1}$" if n < count else r"/review$"))
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    expect(page.locator("h1")).to_have_text("Review your answers")
    expect(page.get_by_text("You have answered all")).to_be_visible()
    tab_to(page, {"tag": "BUTTON", "form": "submit-form"})
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/done$"))
    expect(page.locator("h1")).to_have_text("Your test has been submitted")
    context.close()

    attempt = server.attempt(link)
    assert attempt is not None and attempt.finalized_by == "candidate"
    assert attempt.total_points is not None
    assert all(response is not None for response in server.answers(link).values())


def test_a_reload_mid_test_keeps_every_saved_answer(page: Page, server: LiveServer) -> None:
    link = server.invite()
    start_attempt(page, link)
    picked = answer_first_option(page)
    expect(page.locator("#save-state")).to_have_text("Saved")
    shown_before = seconds_shown(page)
    page.reload()
    expect(page.locator(f"#item-form input[type=radio][value='{picked}']").first).to_be_checked()
    expect(page.locator("#save-state")).to_have_text("Saved")
    # The server's clock has not moved, so neither has the deadline (give or take the page's ticking).
    assert abs(seconds_shown(page) - shown_before) <= 3
    assert server.answers(link)[0] is not None


def test_offline_answers_queue_visibly_and_arrive_when_the_connection_returns(
    page: Page, context: BrowserContext, server: LiveServer
) -> None:
    link = server.invite()
    start_attempt(page, link)
    context.set_offline(True)
    answer_first_option(page)
    expect(page.locator("#save-state")).to_have_text(OFFLINE_ONE)
    assert server.answers(link)[0] is None
    # Moving on while offline would only show the browser's error page: the page keeps the candidate.
    page.get_by_role("button", name=re.compile("^Save and go to item 2")).click()
    expect(page.locator("#time-announcer")).to_contain_text("You are offline")
    assert page.url.endswith("/items/1")
    context.set_offline(False)
    expect(page.locator("#save-state")).to_have_text("Saved")
    assert server.answers(link)[0] is not None


def test_a_reload_before_the_queue_is_sent_keeps_the_queued_answer(page: Page, server: LiveServer) -> None:
    link = server.invite()
    start_attempt(page, link)
    # The server is unreachable for saves only, so the page itself can still reload.
    page.route("**/answers/*", lambda route: route.abort("internetdisconnected"))
    picked = answer_first_option(page)
    expect(page.locator("#save-state")).to_contain_text("queued")
    page.reload()
    expect(page.locator(f"#item-form input[type=radio][value='{picked}']").first).to_be_checked()
    assert server.answers(link)[0] is None
    page.unroute("**/answers/*")
    expect(page.locator("#save-state")).to_have_text("Saved", timeout=5_000)
    assert server.answers(link)[0] is not None


def test_a_restarted_server_resumes_the_attempt_with_every_answer(
    page: Page, serve: Callable[..., LiveServer]
) -> None:
    server = serve()
    link = server.invite()
    start_attempt(page, link)
    answer_first_option(page)
    expect(page.locator("#save-state")).to_have_text("Saved")
    first_answer = server.answers(link)[0]
    shown_before = seconds_shown(page)
    server.stop()
    # The server is gone: the changed answer waits in the browser, and the page says so.
    group = page.locator("#item-form input[type=radio]").first.get_attribute("name")
    changed = page.locator(f"#item-form input[name='{group}']").nth(1)
    changed.check()
    expect(page.locator("#save-state")).to_contain_text("queued")
    restarted = serve(port=server.port)
    expect(page.locator("#save-state")).to_have_text("Saved", timeout=5_000)
    assert restarted.answers(link)[0] not in (None, first_answer)
    page.reload()
    expect(changed).to_be_checked()
    assert abs(seconds_shown(page) - shown_before) <= 5


def two_tabs_on_one_attempt(context: BrowserContext, server: LiveServer) -> tuple[str, Page, Page]:
    """A started attempt open on item 1 in two tabs of one browser; the second resumed it, no second Start."""
    link = server.invite()
    first = context.new_page()
    start_attempt(first, link)
    second = context.new_page()
    second.goto(link)
    second.wait_for_url(re.compile(r"/items/1$"))
    return link, first, second


def test_two_tabs_on_the_same_link_share_one_attempt_and_a_stale_tab_is_told_the_truth(
    context: BrowserContext, server: LiveServer
) -> None:
    link, first, second = two_tabs_on_one_attempt(context, server)

    radios_first = first.locator("#item-form input[type=radio]")
    radios_first.nth(0).check()
    expect(first.locator("#save-state")).to_have_text("Saved")
    stored = server.answers(link)[0]
    # The second tab still shows the item as it was before that save: its edit is not kept.
    second.locator("#item-form input[type=radio]").nth(2).check()
    expect(second.locator("#save-state")).to_contain_text(
        "a newer answer from another window or device was kept"
    )
    expect(second.locator("#item-form input[type=radio]").nth(0)).to_be_checked()
    assert server.answers(link)[0] == stored
    # Now that it shows what is stored, its next edit wins, and the first tab shows it on reload.
    radios_second = second.locator("#item-form input[type=radio]")
    later_value = radios_second.nth(2).get_attribute("value")
    later_name = radios_second.nth(2).get_attribute("name")
    radios_second.nth(2).check()
    expect(second.locator("#save-state")).to_have_text("Saved")
    assert server.answers(link)[0] != stored
    first.reload()
    expect(first.locator(f"input[name='{later_name}'][value='{later_value}']")).to_be_checked()
    attempt = server.attempt(link)
    assert attempt is not None and attempt.finalized_at is None


def test_a_tab_that_cannot_send_learns_the_fate_of_its_edit_from_the_tab_that_sent_it(
    context: BrowserContext, server: LiveServer
) -> None:
    link, first, second = two_tabs_on_one_attempt(context, server)
    first.locator("#item-form input[type=radio]").nth(0).check()
    expect(first.locator("#save-state")).to_have_text("Saved")
    stored = server.answers(link)[0]
    # The second tab's own requests fail; the first tab sends the queue both tabs share.
    second.route(re.compile(r"/answers/\d+$"), lambda route: route.abort())
    second.locator("#item-form input[type=radio]").nth(2).check()
    expect(second.locator("#save-state")).to_contain_text(
        "a newer answer from another window or device was kept"
    )
    expect(second.locator("#item-form input[type=radio]").nth(0)).to_be_checked()
    assert server.answers(link)[0] == stored
    # Its next edit, made on what is stored, is saved by the first tab, and the second tab says so.
    second.locator("#item-form input[type=radio]").nth(2).check()
    expect(second.locator("#save-state")).to_have_text("Saved")
    assert server.answers(link)[0] != stored


def test_submit_waits_for_a_save_already_under_way_instead_of_refusing(
    page: Page, server: LiveServer
) -> None:
    link = server.invite()
    start_attempt(page, link)
    radios = page.locator("#item-form input[type=radio]")
    radios.nth(0).check()
    expect(page.locator("#save-state")).to_have_text("Saved")
    # The next save is held on the way, and the candidate goes to the review page meanwhile:
    # the edit waits in the browser's queue, and the review page's retry sends it again.
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    def wait_until_held(count: int) -> None:
        # Playwright runs route handlers only while a call of its own waits.
        for _ in range(100):
            if len(held) >= count:
                return
            page.wait_for_timeout(100)
        raise AssertionError(f"{count} saves were not sent")

    answers = re.compile(r"/answers/\d+$")
    page.route(answers, hold)
    radios.nth(1).check()
    wait_until_held(1)
    page.goto(f"{link}/review")
    wait_until_held(2)
    page.get_by_label(re.compile("^I want to submit now")).check()
    page.get_by_role("button", name="Submit my answers").click()
    # Submit waits for the save under way, then submits; it does not give up while it is sent.
    # Removing the handler lets the held requests go on to the server.
    page.unroute(answers, hold)
    expect(page.locator("h1")).to_have_text("Your test has been submitted")
    attempt = server.attempt(link)
    assert attempt is not None and attempt.finalized_at is not None


def test_an_answer_given_before_the_pages_script_ran_is_saved_once_it_runs(
    page: Page, server: LiveServer
) -> None:
    link = server.invite()
    start_attempt(page, link)
    # The script is held on the way (a slow connection): the candidate answers meanwhile, and no
    # input event reaches a script that is not there yet.
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    script = re.compile(r"/attempt\.js")
    page.route(script, hold)
    page.reload(wait_until="commit")
    radios = page.locator("#item-form input[type=radio]")
    radios.nth(1).check()
    expect(page.locator("#save-state")).to_have_text("Not answered yet")
    assert server.answers(link)[0] is None
    assert held, "the script was not held"
    page.unroute(script, hold)
    expect(page.locator("#save-state")).to_have_text("Saved")
    assert server.answers(link)[0] is not None


def test_with_javascript_disabled_the_plain_form_posts_work(browser: Browser, server: LiveServer) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    link = server.invite()
    start_attempt(page, link)
    expect(page.locator("noscript")).to_have_count(1)
    picked = answer_first_option(page)
    page.get_by_role("button", name=re.compile("^Save and go to item 2")).click()
    page.wait_for_url(re.compile(r"/items/2$"))
    page.get_by_role("button", name=re.compile("^Save and go back to item 1")).click()
    page.wait_for_url(re.compile(r"/items/1$"))
    expect(page.locator(f"#item-form input[type=radio][value='{picked}']").first).to_be_checked()
    page.get_by_role("button", name="Save and review your answers").click()
    page.wait_for_url(re.compile(r"/review$"))
    page.get_by_label(re.compile("^I want to submit now")).check()
    page.get_by_role("button", name="Submit my answers").click()
    page.wait_for_url(re.compile(r"/done$"))
    expect(page.locator("h1")).to_have_text("Your test has been submitted")
    context.close()

    attempt = server.attempt(link)
    assert attempt is not None and attempt.finalized_by == "candidate"
    assert server.answers(link)[0] is not None
