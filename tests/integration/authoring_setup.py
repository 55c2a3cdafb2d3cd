"""An item author in the test client: the edit page's fields, saving through the pages, counting rows."""

from __future__ import annotations

import html
import re

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import post
from werkzeug.test import TestResponse

from assess.models import AuditEntry, AuthoredForm, AuthoredItem, ItemVersionLog, StoredItemVersion

FIELDS = ("bank", "item_id", "type", "title", "section", "minutes", "tags", "rationale", "body", "key")
INPUT = re.compile(r'<input[^>]*\bname="([a-z_]+)"[^>]*>')
VALUE = re.compile(r'\bvalue="([^"]*)"')
TEXTAREA = re.compile(r'<textarea[^>]*\bname="([a-z_]+)"[^>]*>\r?\n?(.*?)</textarea>', re.S)
SELECTED = re.compile(
    r'<select[^>]*\bname="([a-z_]+)"[^>]*>.*?<option[^>]*selected[^>]*value="([^"]*)"', re.S
)
SELECTED_ALT = re.compile(
    r'<select[^>]*\bname="([a-z_]+)"[^>]*>.*?<option value="([^"]*)"[^>]*selected', re.S
)


def page_fields(page: str) -> dict[str, str]:
    """The values a browser would send from the item form on ``page`` (inputs, text areas, selects)."""
    fields: dict[str, str] = {}
    for match in INPUT.finditer(page):
        value = VALUE.search(match.group(0))
        fields[match.group(1)] = html.unescape(value.group(1)) if value else ""
    for match in TEXTAREA.finditer(page):
        fields[match.group(1)] = html.unescape(match.group(2))
    for pattern in (SELECTED, SELECTED_ALT):
        for match in pattern.finditer(page):
            fields[match.group(1)] = match.group(2)
    fields.pop("csrf_token", None)
    return fields


def edit_fields(client: FlaskClient, item_id: str) -> dict[str, str]:
    response = client.get(f"/staff/authoring/items/{item_id}/edit")
    assert response.status_code == 200, response.get_data(as_text=True)
    return page_fields(response.get_data(as_text=True))


def save_edit(client: FlaskClient, item_id: str, **changes: str) -> TestResponse:
    """Open the item's edit page, change some fields, save."""
    fields = edit_fields(client, item_id)
    fields.update(changes)
    return post(client, f"/staff/authoring/items/{item_id}/edit", fields)


def create_item(client: FlaskClient, **fields: str) -> TestResponse:
    return post(client, "/staff/authoring/items/new", fields)


def new_choice_item(item_id: str, bank: str = "authored-bank", **changes: str) -> dict[str, str]:
    """A valid single_choice item as the new-item page sends it."""
    fields = {
        "bank": bank,
        "item_id": item_id,
        "type": "single_choice",
        "title": f"Question {item_id}",
        "section": "process_analysis",
        "minutes": "1",
        "tags": "authored",
        "rationale": "B is the only one that asks.",
        "body": "prompt: Which is best?\noptions:\n  - id: a\n    text: Wait\n  - id: b\n    text: Ask\n",
        "key": "correct: b\n",
        "note": "first draft",
    }
    fields.update(changes)
    return fields


def row_counts(session_factory: sessionmaker[Session]) -> dict[str, int]:
    """How many rows the authoring pages could have written, per table."""
    with session_factory() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (StoredItemVersion, AuthoredItem, ItemVersionLog, AuthoredForm, AuditEntry)
        }


def text_of(response: TestResponse) -> str:
    return html.unescape(response.get_data(as_text=True))
