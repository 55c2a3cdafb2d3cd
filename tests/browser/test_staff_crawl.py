"""Every staff page each role can reach from the home, on the demo campaign: no error, no leaked
repr or template syntax, axe WCAG 2.1 A/AA clean, and no GET that changes what is stored.

Each role crawls breadth first over same-origin links (never forms), a few pages of each route,
with plain HTTP: what it may open, what each page shows, which links it offers. Chromium then
opens one page of each route, as a role that reached it, for script errors and axe: a route's
pages share a template, and a browser visit with axe costs a hundred plain requests. Every
problem is collected and the test fails once with the whole list.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from html.parser import HTMLParser
from io import BytesIO
from urllib.parse import urldefrag, urljoin, urlsplit
from zipfile import BadZipFile

import pytest
from axe_check import violations
from demo_site import DemoSite, demo_site
from openpyxl import load_workbook
from playwright.sync_api import Browser, Error, Page
from sqlalchemy import func, select
from staff_client import sign_in
from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter
from werkzeug.test import TestResponse

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
#: Elements whose text a reader never sees.
UNSHOWN = {"head", "script", "style", "template"}
#: Elements the browser's text puts on lines of their own.
BLOCKS = {
    "p", "div", "li", "tr", "td", "th", "dt", "dd", "br", "h1", "h2", "h3", "h4", "h5", "h6",
    "section", "article", "header", "footer", "nav", "main", "table", "ul", "ol", "dl", "form",
    "fieldset", "legend", "label", "option", "caption", "summary", "details", "pre", "blockquote",
}  # fmt: skip


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


class PageParts(HTMLParser):
    """A page's text as its reader sees it (no head, scripts or styles) and the links it offers."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.hrefs: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in UNSHOWN:
            self._hidden += 1
        elif tag == "a" and (href := dict(attrs).get("href")):
            self.hrefs.append(href)
        if tag in BLOCKS:
            # A block starts a new line, as in the browser's text: "None" in one cell and a
            # word in the next must not read as "None yet".
            self.text.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in UNSHOWN and self._hidden:
            self._hidden -= 1
        if tag in BLOCKS:
            self.text.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.text.append(data)


def staff_links(hrefs: list[str], path: str) -> list[str]:
    """The staff pages among ``hrefs`` (relative to ``path``), as paths with their query."""
    found = []
    for href in hrefs:
        parts = urlsplit(urldefrag(urljoin(path, href)).url)
        if parts.netloc not in ("", "localhost"):
            continue
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        if target.startswith("/staff/") and not target.startswith("/staff/logout"):
            found.append(target)
    return found


def check_download(response: TestResponse, url: str, shown_on: str) -> list[str]:
    body = response.get_data()
    if response.status_code != 200:
        return [f"{url} (linked from {shown_on}): status {response.status_code}"]
    if not body:
        return [f"{url} (linked from {shown_on}): empty download"]
    kind = response.content_type or ""
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


def leaks(text: str, url: str) -> list[str]:
    return [
        f"{url}: shows {match.group(0)!r} in …{text[max(0, match.start() - 40) : match.end() + 40]!r}…"
        for match in FORBIDDEN.finditer(text)
    ][:3]


def check_page(response: TestResponse, url: str, shown_on: str) -> tuple[list[str], list[str]]:
    """The problems of a page fetched without a browser, and the staff links it offers."""
    if response.status_code != 200:
        return [f"{url} (linked from {shown_on}): status {response.status_code}"], []
    parts = PageParts()
    parts.feed(response.get_data(as_text=True))
    parts.close()
    return leaks("".join(parts.text), url), staff_links(parts.hrefs, url)


@dataclass
class Crawled:
    """What one role's crawl found: its problems, and the first page of each route it reached."""

    problems: list[str]
    first_pages: dict[str, str]


def changed_tables(before: dict[str, int], after: dict[str, int], doing: str) -> list[str]:
    return [
        f"{doing} changed table {table}: {before[table]} rows, then {after[table]}"
        for table in before
        if before[table] != after[table]
    ]


def crawl(site: DemoSite, role: str, routes: MapAdapter) -> Crawled:
    """Every page ``role`` reaches from the home by links, a few of each route, over plain HTTP."""
    client = site.app.test_client()
    login = site.logins[role]
    response = sign_in(client, login.email, login.password)
    assert response.status_code == 302, f"{role} could not sign in: status {response.status_code}"
    before = row_counts(site)
    home = "/staff/"
    queue: deque[tuple[str, str]] = deque([(home, "sign-in")])
    seen = {home}
    per_route: dict[str, int] = {}
    first_pages: dict[str, str] = {}
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
        first_pages.setdefault(name, url)
        visited += 1
        response = client.get(url)
        if name.partition(":")[0] in DOWNLOADS:
            problems += check_download(response, url, shown_on)
            continue
        found, links = check_page(response, url, shown_on)
        problems += found
        for link in links:
            if link not in seen:
                seen.add(link)
                queue.append((link, url))
    problems += changed_tables(before, row_counts(site), "following links")
    return Crawled([f"{role}: {problem}" for problem in problems], first_pages)


def check_in_browser(page: Page, url: str) -> list[str]:
    """A page as Chromium shows it: it loads, runs no failing script, leaks nothing, passes axe."""
    errors: list[str] = []

    def script_error(error: Error) -> None:
        errors.append(f"{url}: script error {error.message}")

    page.on("pageerror", script_error)
    try:
        response = page.goto(url)
    except Error as error:
        return [f"{url}: {error.message.splitlines()[0]}"]
    finally:
        page.remove_listener("pageerror", script_error)
    status = response.status if response else 0
    if status != 200:
        return [f"{url}: status {status}"]
    problems = leaks(page.inner_text("body"), url)
    problems += [
        f"{url}: axe {found['rule']} ({found['impact']}) at {found['where']}: {found['why']}"
        for found in violations(page)
    ]
    return problems + errors


def open_each_route_once(site: DemoSite, browser: Browser, crawled: dict[str, Crawled]) -> list[str]:
    """One page of every route in Chromium, as the first role (in ROLES order) that reached it."""
    chosen: dict[str, tuple[str, str]] = {}
    for role, found in crawled.items():
        for name, url in found.first_pages.items():
            if name.partition(":")[0] not in DOWNLOADS:
                chosen.setdefault(name, (role, url))
    problems: list[str] = []
    for role in crawled:
        urls = [url for name, (chooser, url) in chosen.items() if chooser == role]
        if not urls:
            continue
        context = browser.new_context()
        context.set_default_timeout(10_000)
        try:
            page = site.sign_in(context, role)
            before = row_counts(site)
            for url in urls:
                problems += [f"{role}: {problem}" for problem in check_in_browser(page, site.url + url)]
            problems += changed_tables(before, row_counts(site), f"{role}: opening pages in the browser")
        finally:
            context.close()
    return problems


def test_every_staff_page_each_role_reaches_is_sound_and_accessible(
    demo_site: DemoSite, browser: Browser
) -> None:
    routes = demo_site.app.url_map.bind("127.0.0.1")
    crawled = {role: crawl(demo_site, role, routes) for role in ROLES}
    problems = [problem for found in crawled.values() for problem in found.problems]
    problems += open_each_route_once(demo_site, browser, crawled)
    assert problems == [], "\n".join(problems)
    # The crawl saw the work of each role, not just a home page.
    assert {"reports.download:csv", "reports.candidate", "interviews.debrief"} <= set(
        crawled["recruiter"].first_pages
    )
    assert {"interviews.scorecard", "interviews.guide"} <= set(crawled["interviewer"].first_pages)
    assert {"authoring.item", "authoring.preview", "authoring.statistics"} <= set(
        crawled["author"].first_pages
    )
