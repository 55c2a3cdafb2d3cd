"""How a candidate works a page in the browser: by keyboard, or by pointer where that is not the point."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page

#: What the focused element is, read from the page (reading, not acting).
FOCUSED = """() => {
  const e = document.activeElement;
  const described = (e.getAttribute("aria-describedby") || "").split(" ")[0];
  const hintElement = described ? document.getElementById(described) : null;
  const hint = hintElement ? hintElement.textContent : "";
  return {
    tag: e.tagName, type: e.type || "", name: e.name || "", value: e.value || "",
    form: e.form ? e.form.id : "",
    groupSize: e.type === "radio" ? document.getElementsByName(e.name).length : 0,
    options: e.tagName === "SELECT" ? e.options.length : 0,
    hint: hint,
  };
}"""

MAX_TABS = 800


def focused(page: Page) -> dict[str, Any]:
    value: dict[str, Any] = page.evaluate(FOCUSED)
    return value


def tab_to(page: Page, wanted: dict[str, str]) -> None:
    """Press Tab until the focused element has every attribute in ``wanted``."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        element = focused(page)
        if all(element.get(name) == value for name, value in wanted.items()):
            return
    raise AssertionError(f"Tab never reached {wanted}")


def answer_item_by_keyboard(page: Page) -> None:
    """Answer every field of the item with keys alone, stopping on the Save button.

    The k-th radio group and select take their k-th choice, so picks that must
    differ (most vs least effective, ranks) do; dates are typed as the hint shows.
    """
    radio_groups: list[str] = []
    checkbox_names: set[str] = set()
    selects = 0
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        element = focused(page)
        if element["tag"] == "BUTTON" and element["name"] == "go" and element["value"] in {"next", "review"}:
            return
        name = element["name"]
        if not name.startswith("answer-"):
            continue
        if element["type"] == "radio":
            if name in radio_groups:
                continue
            steps = len(radio_groups) % element["groupSize"]
            radio_groups.append(name)
            page.keyboard.press("Space")
            for _ in range(steps):
                page.keyboard.press("ArrowDown")
        elif element["type"] == "checkbox":
            if name not in checkbox_names:
                checkbox_names.add(name)
                page.keyboard.press("Space")
        elif element["tag"] == "SELECT":
            selects += 1
            for _ in range(min(selects, element["options"] - 1)):
                page.keyboard.press("ArrowDown")
        elif element["tag"] == "TEXTAREA":
            page.keyboard.type(
                "Hello team, the client raised three concerns today; each has an owner and a date."
            )
        elif element["type"] == "text" and not element["value"]:
            page.keyboard.type("2026-03-04" if "2026-03-04" in element["hint"] else "12")
    raise AssertionError("Tab never reached the Save button")


def start_attempt(page: Page, link: str) -> None:
    """Open the link and press Start; return once item 1 and its script have loaded."""
    page.goto(link)
    page.get_by_role("button", name="Start the test").click()
    page.wait_for_url(re.compile(r"/items/1$"), wait_until="load")


def answer_first_option(page: Page) -> str:
    """Pick the first choice of the item's first radio group; return the value picked."""
    radio = page.locator("#item-form input[type=radio]").first
    radio.check()
    value: str = radio.get_attribute("value") or ""
    return value


def save_state(page: Page) -> str:
    return page.locator("#save-state").inner_text()


def seconds_shown(page: Page) -> int:
    """The time left the page shows ("24 min 05 s"), in seconds."""
    units = {"h": 3600, "min": 60, "s": 1}
    text = page.locator("#time-left").inner_text()
    return sum(int(value) * units[unit] for value, unit in re.findall(r"(\d+) (h|min|s)\b", text))
