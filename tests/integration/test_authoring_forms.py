"""Assembling forms on the form editor: the loader's checks with lines, the time budget, the overlay."""

from __future__ import annotations

from authoring_setup import row_counts, text_of
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import post
from werkzeug.test import TestResponse

from assess.models import AuditEntry
from assess.services.authoring import live_catalogue
from items.bank import Catalogue

FORM = """\
id: short-form
title: Short form
time_limit_minutes: {limit}
sections:
  - id: process
    title: Process
    items:
      - process-renewal-first-step
      - {second}
      - draw: 1
        from: [process-feature-request, process-roi-annual-cost]
"""


def send(
    author: FlaskClient, action: str, limit: int = 20, second: str = "process-best-upsell-target"
) -> TestResponse:
    content = FORM.format(limit=limit, second=second)
    return post(
        author, "/staff/authoring/forms/new", {"bank": "authored-forms", "content": content, "action": action}
    )


def test_checking_a_form_shows_its_time_budget_and_stores_nothing(
    author: FlaskClient, session_factory: sessionmaker[Session], catalogue: Catalogue
) -> None:
    before = row_counts(session_factory)
    response = send(author, "check")
    assert response.status_code == 200
    minutes = sum(
        catalogue.items[i].minutes for i in ("process-renewal-first-step", "process-best-upsell-target")
    )
    pool = max(catalogue.items[i].minutes for i in ("process-feature-request", "process-roi-annual-cost"))
    assert f"No problems found. The items need {(minutes + pool).normalize():f} of 20 minutes." in text_of(
        response
    )
    assert row_counts(session_factory) == before


def test_form_problems_are_shown_with_their_line_and_nothing_is_stored(
    author: FlaskClient, session_factory: sessionmaker[Session]
) -> None:
    before = row_counts(session_factory)
    for action in ("check", "save"):
        response = send(author, action, limit=1, second="no-such-item")
        assert response.status_code == 422
        page = text_of(response)
        assert "sections[0].items[1] (line 9): no item with id 'no-such-item' in the banks loaded" in page
        assert "time_limit_minutes (line 3): items need" in page and "more than the 1-minute limit" in page
    assert row_counts(session_factory) == before


def test_a_saved_form_replaces_the_file_form_of_its_id(
    author: FlaskClient, session_factory: sessionmaker[Session], catalogue: Catalogue, form_id: str
) -> None:
    page = author.get(f"/staff/authoring/forms/{form_id}/edit")
    content = (
        text_of(page).split('name="content"', 1)[1].split(">", 1)[1].split("</textarea>")[0].lstrip("\r\n")
    )
    assert f"id: {form_id}" in content
    edited = content.replace(f"title: {catalogue.forms[form_id].title}", "title: Renamed form")
    response = post(
        author,
        f"/staff/authoring/forms/{form_id}/edit",
        {"bank": "ignored", "content": edited, "action": "save"},
    )
    assert response.status_code == 302, text_of(response)
    with session_factory() as session:
        live = live_catalogue(session, catalogue)
        assert live.forms[form_id].title == "Renamed form"
        assert live.form_banks[form_id] == catalogue.form_banks[form_id]
        assert live.forms[form_id].sections == catalogue.forms[form_id].sections
        assert session.scalars(select(AuditEntry.action)).all()[-1] == "form.save"
    renamed = edited.replace(f"id: {form_id}", "id: another-id")
    refused = post(author, f"/staff/authoring/forms/{form_id}/edit", {"content": renamed, "action": "save"})
    assert refused.status_code == 422
    assert f"id (line 1): a form's id cannot change; this is '{form_id}'" in text_of(refused)


def test_a_new_form_may_not_show_a_retired_item(
    author: FlaskClient, session_factory: sessionmaker[Session]
) -> None:
    assert post(author, "/staff/authoring/items/process-best-upsell-target/retire").status_code == 302
    before = row_counts(session_factory)
    response = send(author, "save")
    assert response.status_code == 422
    assert (
        "sections[0].items[1] (line 9): item 'process-best-upsell-target' is retired; "
        "restore it or take it out of the form"
    ) in text_of(response)
    assert row_counts(session_factory) == before


def test_a_new_form_id_must_be_new(author: FlaskClient, form_id: str) -> None:
    response = post(
        author,
        "/staff/authoring/forms/new",
        {
            "bank": "b",
            "content": FORM.format(limit=20, second="process-best-upsell-target").replace(
                "id: short-form", f"id: {form_id}"
            ),
            "action": "check",
        },
    )
    assert response.status_code == 422
    assert f"id (line 1): a form with id '{form_id}' already exists" in text_of(response)
