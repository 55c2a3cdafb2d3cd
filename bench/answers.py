"""What a simulated candidate reads off a page and types into it.

Answers are built from the item page's own inputs (the field names and option values
the server rendered for this attempt), so they are what a browser would post.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from html import unescape

FIELD_PREFIX = "answer-"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
CSRF_DATA = re.compile(r'data-csrf="([^"]+)"')
SECONDS_LEFT = re.compile(r'data-seconds-left="(\d+)"')
ITEM_COUNT = re.compile(r"Item \d+ of (\d+)")

SENTENCES = (
    "Thank you for your time on the call today.",
    "As agreed, we will review the reminder sync with your team on Thursday.",
    "I have asked our product team for a fix date and will confirm it in writing.",
    "Your renewal is due in March, and I suggest we meet in January to plan it.",
    "Please let me know if anything in this summary does not match your notes.",
    "The credit we discussed will appear on your next invoice.",
)


@dataclass
class ItemPage:
    """The answer inputs of one item page, grouped the way the form posts them."""

    kind: str = ""
    radios: dict[str, list[str]] = field(default_factory=dict)
    checkboxes: dict[str, list[str]] = field(default_factory=dict)
    texts: list[tuple[str, str]] = field(default_factory=list)  # (name, what it holds)
    selects: dict[str, list[str]] = field(default_factory=dict)
    textareas: list[str] = field(default_factory=list)


#: The tags an answer is made of, in document order (a regex: html.parser cost the client
#: ~9 ms a page, which on a 2-core machine is CPU taken from the server under test).
TAG = re.compile(r"<(fieldset|input|select|/select|option|textarea)\b([^>]*)>")
ATTRIBUTE = re.compile(r'([a-zA-Z][a-zA-Z0-9_:-]*)(?:="([^"]*)")?')
HINT = re.compile(r'<p class="hint" id="([^"]+)">(.*?)</p>', re.DOTALL)


def parse_item(html: str) -> ItemPage:
    page = ItemPage()
    hints = {found.group(1): found.group(2) for found in HINT.finditer(html)}
    select: str | None = None
    for tag in TAG.finditer(html):
        name_of_tag = tag.group(1)
        a = {key: unescape(value or "") for key, value in ATTRIBUTE.findall(tag.group(2))}
        name = a.get("name", "")
        if name_of_tag == "fieldset" and not page.kind:
            page.kind = next((c for c in a.get("class", "").split() if c.startswith("item-")), "")
        elif name_of_tag == "input" and name.startswith(FIELD_PREFIX):
            kind = a.get("type", "text")
            if kind == "radio":
                page.radios.setdefault(name, []).append(a.get("value", ""))
            elif kind == "checkbox":
                page.checkboxes.setdefault(name, []).append(a.get("value", ""))
            elif kind != "hidden":
                hint = hints.get(a.get("aria-describedby", ""), "")
                holds = "amount" if a.get("inputmode") == "decimal" else "date" if "2026" in hint else "text"
                page.texts.append((name, holds))
        elif name_of_tag == "select" and name.startswith(FIELD_PREFIX):
            select = name
            page.selects[name] = []
        elif name_of_tag == "/select":
            select = None
        elif name_of_tag == "option" and select is not None and a.get("value"):
            page.selects[select].append(a["value"])
        elif name_of_tag == "textarea" and name.startswith(FIELD_PREFIX):
            page.textareas.append(name)
    return page


def _distinct_picks(groups: dict[str, list[str]], rng: random.Random) -> dict[str, list[str]]:
    """One value per group; groups offering the same values get different ones (most vs least, ranks)."""
    picked: dict[str, list[str]] = {}
    used: dict[tuple[str, ...], set[str]] = {}
    for name, values in groups.items():
        taken = used.setdefault(tuple(sorted(values)), set())
        free = [v for v in values if v not in taken] or values
        choice = rng.choice(free)
        taken.add(choice)
        picked[name] = [choice]
    return picked


def build_answer(page: ItemPage, rng: random.Random) -> dict[str, list[str]]:
    """A complete, valid answer for every input of the page, varied by ``rng``."""
    fields = _distinct_picks(page.radios, rng) | _distinct_picks(page.selects, rng)
    marked: set[str] = set()
    for name, values in page.checkboxes.items():
        chosen = rng.sample(values, k=rng.randint(1, min(4, len(values))))
        fields[name] = chosen
        if name.endswith("mark"):
            marked.update(chosen)
    for name, holds in page.texts:
        if re.search(r"fix-(\d+)$", name):
            # Proofreading: a correction only for a marked word (others are not an answer).
            index = name.rsplit("-", 1)[1]
            fields[name] = (
                [rng.choice(["their", "receive", "Thursday", "$675.00"])] if index in marked else [""]
            )
        elif holds == "amount" or page.kind == "item-numeric":
            fields[name] = [rng.choice(["$675.00", "675", "6,000", "1,250.50", "12"])]
        elif holds == "date":
            fields[name] = [rng.choice(["March 4, 2026", "2026-03-04", "03/04/2026", "4 March 2026"])]
        else:
            fields[name] = [rng.choice(["Dana Whitfield", "Pinecrest Dental", "Marcus Lee", "Renewal"])]
    for name in page.textareas:
        fields[name] = [" ".join(rng.sample(SENTENCES, k=rng.randint(2, len(SENTENCES))))]
    return fields


def revise(page: ItemPage, answer: dict[str, list[str]], rng: random.Random) -> dict[str, list[str]]:
    """The candidate changes their mind about part of the answer (or all of it)."""
    fresh = build_answer(page, rng)
    if page.textareas:
        # Writing goes on: the text grows rather than being replaced.
        return {**fresh, **{n: [answer[n][0] + " " + rng.choice(SENTENCES)] for n in page.textareas}}
    return fresh


def csrf_from_form(html: str) -> str:
    found = CSRF_INPUT.search(html)
    if found is None:
        raise ValueError("no csrf_token input in the page")
    return found.group(1)


def csrf_from_data(html: str) -> str:
    found = CSRF_DATA.search(html)
    if found is None:
        raise ValueError("no data-csrf in the page")
    return found.group(1)


def seconds_left(html: str) -> int:
    found = SECONDS_LEFT.search(html)
    if found is None:
        raise ValueError("no data-seconds-left in the page")
    return int(found.group(1))


def item_count(html: str) -> int:
    found = ITEM_COUNT.search(html)
    if found is None:
        raise ValueError("no 'Item n of N' in the page")
    return int(found.group(1))
