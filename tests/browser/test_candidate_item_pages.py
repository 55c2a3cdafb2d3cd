"""Candidate item pages in Chromium: the proofreading passage's spacing, legends inside their
fieldsets, the most/least grid's Tab order, the written answer's live word count; and on staff
pages, submit inputs styled as buttons and the SJT key comparison passing axe."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from axe_check import violations
from candidate_pages import focused, start_attempt, tab_to
from live_server import LiveServer, sign_in_as_new
from playwright.sync_api import Page, expect
from sjt_answers import MOST_LEAST, finish_sjt_attempts
from sqlalchemy import select
from test_review_pages import finished_attempt

from assess.models import AttemptItem, StoredItemVersion

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]

#: For each word with punctuation after it, the gap between the word's last glyph and the punctuation.
PUNCTUATION_GAPS = """() => [...document.querySelectorAll('.item-proofreading .token')].flatMap(token => {
  const label = token.querySelector('label.mark, .mark + label');
  const trail = label && label.nextSibling;
  if (!trail || trail.nodeType !== Node.TEXT_NODE || !trail.textContent.trim()) return [];
  const range = document.createRange();
  range.selectNodeContents(label);
  const word = range.getBoundingClientRect();
  range.selectNodeContents(trail);
  const after = range.getBoundingClientRect();
  return [{text: label.textContent + trail.textContent, gap: after.left - word.right}];
})"""

#: Every legend of the item form that reaches above its fieldset's top border (so the border cuts it).
CUT_LEGENDS = """() => [...document.querySelectorAll('#item-form fieldset')].flatMap(fieldset => {
  const legend = fieldset.querySelector(':scope > legend');
  if (!legend || getComputedStyle(fieldset).display === 'contents') return [];
  const border = fieldset.getBoundingClientRect().top + fieldset.clientTop;
  const top = legend.getBoundingClientRect().top;
  return top < border - 0.5 ? [legend.textContent.trim().slice(0, 60)] : [];
})"""


def test_the_key_comparison_page_passes_axe(page: Page, server: LiveServer, tmp_path: Path) -> None:
    finish_sjt_attempts(server.session_factory, server.clock, tmp_path / "banks")
    sign_in_as_new(page, server, "author")
    page.goto(f"{server.url}/staff/authoring/statistics")
    page.get_by_role("link", name="SJT key comparison").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("SJT key comparison")
    expect(page.get_by_role("heading", level=2).filter(has_text=MOST_LEAST)).to_be_visible()
    assert violations(page) == []


def item_link(server: LiveServer, page: Page, type_name: str) -> str:
    """Start an attempt and return the URL of its first item of ``type_name``."""
    link = server.invite()
    start_attempt(page, link)
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
            .where(AttemptItem.attempt_id == attempt.id, StoredItemVersion.type == type_name)
            .order_by(AttemptItem.position)
        ).all()
    if not positions:
        pytest.skip(f"the banks in use have no {type_name} item")
    return f"{link}/items/{positions[0] + 1}"


def test_proofreading_punctuation_sits_against_its_word(page: Page, server: LiveServer) -> None:
    page.goto(item_link(server, page, "proofreading"))
    gaps: list[dict[str, Any]] = page.evaluate(PUNCTUATION_GAPS)
    assert gaps, "no word with punctuation after it"
    assert [g for g in gaps if abs(g["gap"]) > 0.5] == []
    assert violations(page) == []


def test_no_legend_is_cut_by_its_fieldset_border_on_any_item_page(page: Page, server: LiveServer) -> None:
    link = server.invite()
    start_attempt(page, link)
    cut: dict[int, list[str]] = {}
    number = 1
    while True:
        found: list[str] = page.evaluate(CUT_LEGENDS)
        if found:
            cut[number] = found
        more = page.locator("button[name=go][value=next]")
        if more.count() == 0:
            break
        number += 1
        page.goto(f"{link}/items/{number}")
    assert number > 1 and cut == {}


def test_tab_moves_between_the_most_and_least_groups_and_arrows_within(
    page: Page, server: LiveServer
) -> None:
    page.goto(item_link(server, page, "sjt_most_least"))
    tab_to(page, {"name": "answer-most"})
    stops = [focused(page)]
    while True:
        page.keyboard.press("Tab")
        element = focused(page)
        if element["type"] != "radio":
            break
        stops.append(element)
    # One Tab stop per group, Most first: not a walk through every radio, row by row.
    assert [stop["name"] for stop in stops] == ["answer-most", "answer-least"]

    page.keyboard.press("Shift+Tab")
    assert focused(page)["name"] == "answer-least"
    page.keyboard.press("Shift+Tab")
    first_most = focused(page)
    assert first_most["name"] == "answer-most"
    page.keyboard.press("ArrowDown")  # arrows move (and pick) within the Most group
    second_most = focused(page)
    assert second_most["name"] == "answer-most" and second_most["value"] != first_most["value"]
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "answer-least"
    page.keyboard.press("Space")
    expect(page.locator("#save-state")).to_have_text("Saved")
    assert violations(page) == []


def test_written_answer_shows_a_live_word_count_against_the_range(page: Page, server: LiveServer) -> None:
    page.goto(item_link(server, page, "written"))
    box = page.locator("#item-form textarea")
    low, high = box.get_attribute("data-min-words"), box.get_attribute("data-max-words")
    assert low or high, "the written item has no word range"
    aim = (
        f"aim for {low}–{high}"
        if low and high
        else f"aim for at least {low}"
        if low
        else f"aim for at most {high}"
    )
    status = page.locator(".word-count")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_have_text(f"0 words ({aim})")
    box.focus()
    page.keyboard.type("Hello team, three   concerns\ntoday")
    expect(status).to_have_text(f"5 words ({aim})")
    assert violations(page) == []


def test_save_marks_is_styled_like_the_other_buttons(page: Page, server: LiveServer) -> None:
    attempt_id, written = finished_attempt(server)
    if written < 0:
        pytest.skip("the banks in use have no written item")
    sign_in_as_new(page, server, "recruiter")
    page.goto(f"{server.url}/staff/review/written/{attempt_id}/{written + 1}")
    save = page.get_by_role("button", name="Save marks")
    expect(save).to_be_visible()
    look = """e => { const s = getComputedStyle(e);
      return [s.minHeight, s.borderTopWidth, s.borderTopStyle, s.borderTopColor, s.borderRadius]; }"""
    toggle = page.locator(".names-toggle button")
    assert save.evaluate(look) == toggle.evaluate(look)
    assert re.fullmatch(r"rgb\(255, 255, 255\)", save.evaluate("e => getComputedStyle(e).color"))
