"""Every staff page each role can reach from the home, on the demo campaign: no error, no leaked
repr or template syntax, axe WCAG 2.1 A/AA clean, and no GET that changes what is stored.

Breadth first over same-origin links (never forms), a few pages of each route, so a run stays
short and still visits every kind of page a role is shown. Every problem is collected and the
test fails once with the whole list.
"""

from __future__ import annotations

import re
from collections import deque
from io import BytesIO
from urllib.parse import urldefrag, urlsplit
from zipfile import BadZipFile

import pytest
from axe_check import violations
from demo_site import DemoSite, demo_site
from openpyxl import load_workbook
from playwright.sync_api import Browser, Error, Page
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter

from assess.models import Base
from assess.services.staff import ROLES

pytestmark = pytest.mark.browser
__all__ = ["demo_site"]

MAX_PAGES = 150
#: Pages visited per route: a few candidates' pages of each kind, not all of them.
PER_ROUTE = 2
#: Routes answered with a file, fetched and checked, never rendered.
DOWNLOADS = {"reports.download", "authoring.export"}
#: What a page must never show: a Python repr, a traceback, a missing or non-numeric value, or
#: template syntax that was not rendered. "None" is Python's unless a word follows ("None yet.").
FORBIDDEN = re.compile(r"object at 0x|<built-in|Traceback|\bNone\b(?! [a-z])|\bnan\b|\bNaN\b|\{\{|\}\}")


def route(routes: MapAdapter, path: str) -> str | None:
    """The route a staff path is served by (a download's kind counts apart), or None if it is not ours."""
    try:
        endpoint, arguments = routes.match(path, method="GET")
    except HTTPException:
        return None
    return f"{endpoint}:{arguments['kind']}" if "kind" in arguments else str(endpoint)


def row_counts(site: DemoSite) -> dict[str, int]:
    with site.session_factory() as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


def links(page: Page, origin: str) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all("a[href]", "links => links.map(link => link.href)")
    found = []
    for href in hrefs:
        url = urldefrag(href).url
        if url.startswith(f"{origin}/staff/") and not url.startswith(f"{origin}/staff/logout"):
            found.append(url)
    return found


def check_download(page: Page, url: str, shown_on: str) -> list[str]:
    response = page.context.request.get(url)
    body = response.body()
    if response.status != 200:
        return [f"{url} (linked from {shown_on}): status {response.status}"]
    if not body:
        return [f"{url} (linked from {shown_on}): empty download"]
    kind = response.headers.get("content-type", "")
    if "spreadsheetml" in kind:
        try:
            workbook = load_workbook(BytesIO(body), read_only=True)
        except (BadZipFile, KeyError, ValueError) as error:
            return [f"{url}: not a readable XLSX file: {error}"]
        cells = (
            f"{sheet.title}!{cell.coordinate}: {cell.value!r}"
            for sheet in workbook.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if isinstance(cell.value, str) and FORBIDDEN.search(cell.value)
        )
        return [f"{url}: shows {cell}" for cell in cells][:3]
    if kind.startswith("text/"):
        text = body.decode("utf-8", "replace")
        if found := FORBIDDEN.search(text):
            return [f"{url}: shows {found.group(0)!r}"]
    return []


def check_page(page: Page, url: str, shown_on: str, run_axe: bool) -> list[str]:
    errors: list[str] = []

    def script_error(error: Error) -> None:
        errors.append(f"{url}: script error {error.message}")

    page.on("pageerror", script_error)
    try:
        response = page.goto(url)
    except Error as error:
        return [f"{url} (linked from {shown_on}): {error.message.splitlines()[0]}"]
    finally:
        page.remove_listener("pageerror", script_error)
    status = response.status if response else 0
    if status != 200:
        return [f"{url} (linked from {shown_on}): status {status}"]
    text = page.inner_text("body")
    problems = [
        f"{url}: shows {match.group(0)!r} in …{text[max(0, match.start() - 40) : match.end() + 40]!r}…"
        for match in FORBIDDEN.finditer(text)
    ][:3]
    if run_axe:
        problems += [
            f"{url}: axe {found['rule']} ({found['impact']}) at {found['where']}: {found['why']}"
            for found in violations(page)
        ]
    return problems + errors


def crawl(site: DemoSite, browser: Browser, role: str, routes: MapAdapter) -> tuple[list[str], set[str]]:
    """Every problem found as ``role``, and the routes visited."""
    context = browser.new_context()
    context.set_default_timeout(10_000)
    try:
        page = site.sign_in(context, role)
        before = row_counts(site)
        origin = site.url
        home = f"{origin}/staff/"
        queue: deque[tuple[str, str]] = deque([(home, "sign-in")])
        seen = {home}
        per_route: dict[str, int] = {}
        problems: list[str] = []
        visited = 0
        while queue and visited < MAX_PAGES:
            url, shown_on = queue.popleft()
            name = route(routes, urlsplit(url).path)
            if name is None:
                problems.append(f"{url} (linked from {shown_on}): no such route")
                continue
            if per_route.get(name, 0) >= PER_ROUTE:
                continue
            per_route[name] = per_route.get(name, 0) + 1
            visited += 1
            if name.partition(":")[0] in DOWNLOADS:
                problems += check_download(page, url, shown_on)
                continue
            # Instances of a route share its template: axe checks the first (the slowest part of a visit).
            problems += check_page(page, url, shown_on, run_axe=per_route[name] == 1)
            for link in links(page, origin):
                if link not in seen:
                    seen.add(link)
                    queue.append((link, url))
        after = row_counts(site)
        problems += [
            f"following links changed table {table}: {before[table]} rows, then {after[table]}"
            for table in before
            if before[table] != after[table]
        ]
        return [f"{role}: {problem}" for problem in problems], set(per_route)
    finally:
        context.close()


def test_every_staff_page_each_role_reaches_is_sound_and_accessible(
    demo_site: DemoSite, browser: Browser
) -> None:
    routes = demo_site.app.url_map.bind("127.0.0.1")
    problems: list[str] = []
    reached: dict[str, set[str]] = {}
    for role in ROLES:
        found, reached[role] = crawl(demo_site, browser, role, routes)
        problems += found
    assert problems == [], "\n".join(problems)
    # The crawl saw the work of each role, not just a home page.
    assert {"reports.download:csv", "reports.candidate", "interviews.debrief"} <= reached["recruiter"]
    assert {"interviews.scorecard", "interviews.guide"} <= reached["interviewer"]
    assert {"authoring.item", "authoring.preview", "authoring.statistics"} <= reached["author"]
