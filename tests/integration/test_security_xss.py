"""What a candidate types never runs in a staff page: it is escaped, and no page may run inline script.

Three layers, each tested: every reviewer macro escapes typed text (the written answer,
record fields, proofreading corrections) and the explanations quoting it; every staff
page reachable from the staff home, crawled as an admin after a candidate typed markup
everywhere they could (their name and email included), shows it as text; and no
template carries inline script, event handlers or inline styles, so the
Content-Security-Policy (script-src 'self') would stop an escaping mistake.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from candidate_client import Candidate, item_numbers, plausible_answer
from flask import Flask
from markupsafe import escape
from sqlalchemy.orm import Session, sessionmaker
from staff_client import StaffClient

from assess.services.invitations import create_invitation
from items import registry
from items.bank import Catalogue, ItemVersion
from scoring.items import score_item

PAYLOAD = '<script>alert("typed")</script><img src=x onerror=alert(1)>'
#: What only an unescaped payload would put in a page.
RAW = ("<script>alert", "<img src=x", "<img/src=x")
EMAIL_PAYLOAD = "<img/src=x/onerror=alert(2)>@example.com"
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
#: Crawl budget: every staff page of one campaign and one attempt, with room to spare.
MAX_PAGES = 400


def _is_raw(text: str) -> bool:
    return any(fragment in text for fragment in RAW)


def _runs_no_inline_script(policy: str) -> bool:
    """The CSP's script rule (script-src, else default-src) exists and allows no inline script."""
    directives = {part.split()[0]: part for part in policy.split(";") if part.strip()}
    rule = directives.get("script-src") or directives.get("default-src", "")
    return bool(rule) and "'unsafe-inline'" not in rule and "'unsafe-eval'" not in rule


def _payload_form(item: ItemVersion, body: Any) -> dict[str, list[str]]:
    """A form that puts the payload in every free-text field the type has."""
    if item.type == "written":
        return {"text": [PAYLOAD]}
    if item.type == "record_entry":
        form: dict[str, list[str]] = {}
        for entry in body.fields:
            if entry.kind == "text":
                form[entry.id] = [PAYLOAD]
            elif entry.kind == "ordered_list":
                form.update({f"{entry.id}-{n}": [PAYLOAD] for n in range(1, entry.count + 1)})
        return form
    if item.type == "proofreading":
        return {"mark": ["0"], "fix-0": [PAYLOAD]}
    return {}


def _typed_responses(catalogue: Catalogue) -> Iterator[tuple[ItemVersion, Any, Any, Any]]:
    for item in catalogue.items.values():
        body, key = item.realize({})
        form = _payload_form(item, body)
        if not form:
            continue
        response = registry.get(item.type).normalise(body, form)
        if response is not None:
            yield item, body, key, response


def test_every_reviewer_macro_escapes_what_the_candidate_typed(app: Flask, catalogue: Catalogue) -> None:
    typed = list(_typed_responses(catalogue))
    assert "written" in {item.type for item, *_ in typed}
    with app.app_context():
        for item, body, key, response in typed:
            macros = app.jinja_env.get_template(f"items/{item.type}.html").module
            score = score_item(item, response, {})
            html = str(macros.reviewer(body, key, response, score))  # type: ignore[attr-defined]
            assert not _is_raw(html), f"{item.item_id}: {html}"
            assert str(escape(PAYLOAD)) in html, item.item_id


def _typed_everywhere(person: Candidate) -> None:
    """Answer every item, with the payload in every text field the type accepts it in."""
    person.start()
    count = len(item_numbers(person.get("/items/1").get_data(as_text=True)))
    for n in range(1, count + 1):
        html = person.get(f"/items/{n}").get_data(as_text=True)
        answer = plausible_answer(html)
        typed = {
            name: [PAYLOAD]
            if re.search(rf'<(textarea|input type="text")[^>]*name="{name}"', html)
            else values
            for name, values in answer.items()
        }
        # A field whose type refuses the payload (a date, an amount) is left blank instead.
        for attempt in range(len(typed) + 1):
            saved = person.autosave(n, typed, edit=1_000 * n + attempt)
            if saved.status_code != 422:
                break
            typed[f"answer-{saved.get_json()['field']}"] = [""]
        assert saved.status_code == 200, saved.get_data(as_text=True)
    assert person.post("/submit", {"confirm": "yes"}).status_code == 302


def _crawl(client: Any, start: str) -> Iterator[tuple[str, Any]]:
    """Every staff page (HTML) linked from ``start``; downloads are checked, not followed."""
    seen, queue = {start}, [start]
    while queue and len(seen) <= MAX_PAGES:
        path = queue.pop(0)
        response = client.get(path)
        if response.mimetype != "text/html":
            # An export (CSV, XLSX) holds the text as typed: it must never be taken for a page.
            assert response.headers["X-Content-Type-Options"] == "nosniff", path
            continue
        yield path, response
        for link in re.findall(r'href="(/staff/[^"#]*)"', response.get_data(as_text=True)):
            link = link.replace("&amp;", "&")
            if link not in seen and "logout" not in link:
                seen.add(link)
                queue.append(link)


def test_no_staff_page_runs_markup_a_candidate_typed(
    app: Flask,
    invite: Callable[..., str],
    session_factory: sessionmaker[Session],
    clock: Any,
    admin: StaffClient,
) -> None:
    invite()  # creates the campaign
    with session_factory() as session:
        invitation, token = create_invitation(
            session, "account-manager-test", EMAIL_PAYLOAD, clock(), name=PAYLOAD
        )
    _typed_everywhere(Candidate(app.test_client(), token))
    pages = list(_crawl(admin, "/staff/"))
    shown = [path for path, response in pages if str(escape(PAYLOAD)) in response.get_data(as_text=True)]
    for path, response in pages:
        assert response.status_code < 500, path
        assert not _is_raw(response.get_data(as_text=True)), path
        if response.status_code == 200:
            assert _runs_no_inline_script(response.headers["Content-Security-Policy"]), path
    # The crawl did reach the candidate's answers and details (pipeline, invitation, review).
    assert len(pages) > 5 and shown, [path for path, _ in pages]


INLINE = {
    "an inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "an event-handler attribute": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "a style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


@pytest.mark.parametrize(
    "template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_no_template_has_inline_script_so_the_csp_holds(template: Path) -> None:
    text = template.read_text(encoding="utf-8")
    for what, pattern in INLINE.items():
        assert not pattern.search(text), f"{template.name} has {what}; the CSP would block it"
