"""Checks every registered type and every shipped item gets, with no per-type code.

- the candidate view never carries a key value or a rationale;
- a form filled in through the candidate view normalises and scores within [0, max];
- scoring the same response twice gives the same score.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from item_templates import item_templates

from items.bank import ItemVersion, load_banks
from items.base import ResponseError
from scoring.items import score_item

ROOT = Path(__file__).resolve().parents[3]
CATALOGUE = load_banks([ROOT / "items" / "banks"])
ITEMS = sorted(CATALOGUE.items.values(), key=lambda i: i.item_id)
JINJA = item_templates()
PREFIX = "item-"


def _leaves(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


def _secrets(item: ItemVersion, body: Any, key: Any) -> set[str]:
    """Key values a candidate must never see.

    Values that also appear in the candidate-visible body (option ids, field
    names, row labels) are necessarily on the page and so are not secrets;
    very short values ("1", "b") would match by accident anywhere.
    """
    visible = " ".join(_leaves(body.model_dump(mode="json")))
    secrets = {v for v in _leaves(key.model_dump(mode="json")) if len(v) >= 4 and v not in visible}
    secrets.update(s.strip() for s in item.rationale.split(".") if len(s.strip()) >= 20)
    return secrets


def _render_candidate(item: ItemVersion, body: Any, response: Any) -> str:
    module = JINJA.get_template(f"items/{item.type}.html").module
    return str(module.candidate(body, response, PREFIX))  # type: ignore[attr-defined]


class _Fields(HTMLParser):
    """The form fields a candidate view offers, filled the way a hurried candidate would."""

    def __init__(self) -> None:
        super().__init__()
        self.form: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if tag == "input" and name.startswith(PREFIX):
            kind = a.get("type", "text")
            if kind in {"radio", "checkbox"}:
                self.form.setdefault(name, [a.get("value", "on")])
            elif kind not in {"hidden", "submit", "button"}:
                self.form[name] = ["675"]
        elif tag == "select" and name.startswith(PREFIX):
            self._select = name
        elif tag == "option" and self._select and a.get("value"):
            self.form.setdefault(self._select, [a["value"]])
        elif tag == "textarea" and name.startswith(PREFIX):
            self.form[name] = ["Thanks for the update, I will follow up with the team by Friday."]

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


@pytest.mark.parametrize("item", ITEMS, ids=[i.item_id for i in ITEMS])
def test_candidate_view_carries_no_key_value_or_rationale(item: ItemVersion) -> None:
    variant = item.item_type.draw(item.body, random.Random(1), True)
    body, key = item.realize(variant)
    html = _render_candidate(item, body, None)
    leaked = sorted(s for s in _secrets(item, body, key) if s in html)
    assert leaked == []


@pytest.mark.parametrize("item", ITEMS, ids=[i.item_id for i in ITEMS])
def test_form_filled_from_candidate_view_normalises_and_scores(item: ItemVersion) -> None:
    variant = item.item_type.draw(item.body, random.Random(2), True)
    body, _ = item.realize(variant)
    parser = _Fields()
    parser.feed(_render_candidate(item, body, None))
    assert parser.form, f"{item.type} candidate view offers no form fields named with the prefix"
    own_fields = {name[len(PREFIX) :]: values for name, values in parser.form.items()}
    assert item.item_type.normalise(body, {}) is None
    try:
        response = item.item_type.normalise(body, own_fields)
    except ResponseError as exc:
        assert exc.field and exc.reason
        return
    assert response is not None
    first = score_item(item, response, variant)
    assert Decimal(0) <= first.points <= first.max_points
    assert first == score_item(item, response, variant)
    refilled = _render_candidate(item, body, response)
    assert refilled != _render_candidate(item, body, None), "the view must re-fill a saved answer"


@pytest.mark.parametrize("item", ITEMS, ids=[i.item_id for i in ITEMS])
def test_reviewer_view_renders_response_next_to_key(item: ItemVersion) -> None:
    variant = item.item_type.draw(item.body, random.Random(3), False)
    body, key = item.realize(variant)
    module = JINJA.get_template(f"items/{item.type}.html").module
    html = str(module.reviewer(body, key, None, score_item(item, None, variant)))  # type: ignore[attr-defined]
    assert html.strip()
