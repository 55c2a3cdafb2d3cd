"""axe-core's WCAG 2.1 AA check of the page as it stands, for every browser test."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

# resultTypes: axe still checks every rule and reports every violating node, but builds a
# selector for one passing node per rule instead of all of them, which halves its time.
WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def violations(page: Page) -> list[dict[str, Any]]:
    """Each violation with where it is and why; a candidate's token is left out of the page named."""
    results = Axe().run(page, options=WCAG_21_AA)
    where = page.url.split("/t/", 1)
    shown = where[0] if len(where) == 1 else f"{where[0]}/t/…/{where[1].partition('/')[2]}"
    return [
        {
            "page": shown,
            "rule": violation["id"],
            "impact": violation["impact"],
            "where": [node["target"] for node in violation["nodes"]][:3],
            "why": violation["nodes"][0]["failureSummary"] if violation["nodes"] else "",
        }
        for violation in results.response["violations"]
    ]
