"""Creating and editing items on the authoring pages: the loader's validation, one new version per save."""

from __future__ import annotations

from pathlib import Path

import pytest
from authoring_setup import create_item, edit_fields, new_choice_item, row_counts, save_edit, text_of
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import post

from assess.models import AuditEntry, AuthoredItem, ItemVersionLog, StoredItemVersion
from assess.services.authored_items import draft_of
from assess.services.authoring import live_catalogue
from items import registry
from items.bank import Catalogue, load_banks

ITEM = "process-renewal-first-step"


def test_every_problem_is_shown_at_its_field_and_nothing_is_stored(
    author: FlaskClient, session_factory: sessionmaker[Session]
) -> None:
    before = row_counts(session_factory)
    fields = edit_fields(author, ITEM)
    response = post(
        author,
        f"/staff/authoring/items/{ITEM}/edit",
        {
            **fields,
            "title": "",
            "minutes": "0",
            "key": "credit:\n  a: 0.25\ncorrect: e\n",
        },
    )
    assert response.status_code == 422
    page = text_of(response)
    assert "Nothing was saved" in page
    # At the field: each message sits in the error list tied to its input.
    assert 'id="title-error"' in page and "title: String should have at least 1 character" in page
    assert 'id="minutes-error"' in page and "minutes: Input should be greater than 0" in page
    key_error = page[page.index('id="key-error"') :]
    assert "key.correct (line 3): names option 'e', which is not one of: a, b, c, d" in key_error
    assert 'aria-invalid="true"' in page
    assert row_counts(session_factory) == before


def test_broken_yaml_is_reported_with_its_line_and_nothing_is_stored(
    author: FlaskClient, session_factory: sessionmaker[Session]
) -> None:
    before = row_counts(session_factory)
    response = save_edit(author, ITEM, body="prompt: Which?\noptions: [unclosed\n")
    assert response.status_code == 422
    page = text_of(response)
    assert "body (line 3): invalid YAML" in page
    # The body did not parse: that is its one problem, not a cascade of "missing field".
    assert "body.prompt" not in page and "body.options" not in page
    assert row_counts(session_factory) == before


def test_unknown_type_names_the_known_ones(
    author: FlaskClient, session_factory: sessionmaker[Session]
) -> None:
    before = row_counts(session_factory)
    response = create_item(author, **new_choice_item("new-one", type="multiple_guess"))
    assert response.status_code == 422
    assert f"unknown item type 'multiple_guess'; known types: {', '.join(registry.names())}" in text_of(
        response
    )
    assert row_counts(session_factory) == before


def test_saving_an_edit_makes_a_new_version_and_keeps_the_old_one(
    author: FlaskClient, session_factory: sessionmaker[Session], catalogue: Catalogue
) -> None:
    old = catalogue.items[ITEM]
    response = save_edit(author, ITEM, title="First step before a renewal", note="shorter title")
    assert response.status_code == 302, text_of(response)
    with session_factory() as session:
        row = session.get_one(AuthoredItem, ITEM)
        assert row.head_version != old.version
        assert session.get(StoredItemVersion, (ITEM, old.version)) is not None
        assert session.get_one(StoredItemVersion, (ITEM, row.head_version)).content["title"] == (
            "First step before a renewal"
        )
        log = session.scalars(
            select(ItemVersionLog).where(ItemVersionLog.item_id == ITEM).order_by(ItemVersionLog.id)
        ).all()
        assert [(entry.version, entry.note) for entry in log] == [
            (old.version, f"the version in the bank file ({old.source})"),
            (row.head_version, "shorter title"),
        ]
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "item.save")).one()
        assert audit.subject_id == ITEM and audit.detail["from"] == old.version
        assert live_catalogue(session, catalogue).items[ITEM].title == "First step before a renewal"
    page = text_of(author.get(f"/staff/authoring/items/{ITEM}"))
    assert "Saved process-renewal-first-step as version" in page
    assert f"replaces version {old.version} in the bank file" in page.replace("<code>", "").replace(
        "</code>", ""
    )


def test_a_save_that_changes_nothing_makes_no_version(
    author: FlaskClient, session_factory: sessionmaker[Session]
) -> None:
    before = row_counts(session_factory)
    response = save_edit(author, ITEM)
    assert response.status_code == 302
    assert "Nothing changed, so no new version was saved." in text_of(author.get(response.location))
    assert row_counts(session_factory) == before


#: Every type has an example in these two (the export coverage test demands it), shipped or not.
TESTS = Path(__file__).parents[1]
EXAMPLES = load_banks(
    [TESTS / "unit" / "interchange" / "round_trip_bank.yaml", TESTS.parent / "items" / "banks"]
)


@pytest.mark.parametrize("type_name", registry.names())
def test_every_type_is_created_on_the_page_and_the_editor_round_trips_it_without_change(
    author: FlaskClient, session_factory: sessionmaker[Session], type_name: str
) -> None:
    example = next(i for i in EXAMPLES.items.values() if i.type == type_name)
    draft = draft_of(example)
    fields = {name: getattr(draft, name) for name in ("type", "title", "section", "minutes", "tags")}
    created = create_item(
        author,
        **fields,
        bank="authored-bank",
        item_id=f"example-{type_name.replace('_', '-')}",
        rationale=draft.rationale,
        body=draft.body,
        key=draft.key,
        note="from the example",
    )
    assert created.status_code == 302, text_of(created)
    before = row_counts(session_factory)
    response = save_edit(author, f"example-{type_name.replace('_', '-')}")
    assert response.status_code == 302, text_of(response)
    assert row_counts(session_factory) == before


def test_a_stale_edit_is_refused_and_stores_nothing(
    author: FlaskClient, session_factory: sessionmaker[Session]
) -> None:
    stale = edit_fields(author, ITEM)
    assert save_edit(author, ITEM, title="Someone else's title").status_code == 302
    before = row_counts(session_factory)
    response = post(author, f"/staff/authoring/items/{ITEM}/edit", {**stale, "title": "My title"})
    assert response.status_code == 409
    assert "since you opened it" in text_of(response)
    assert row_counts(session_factory) == before


def test_a_new_item_joins_its_bank_and_the_live_catalogue(
    author: FlaskClient, session_factory: sessionmaker[Session], catalogue: Catalogue
) -> None:
    response = create_item(author, **new_choice_item("authored-question", bank="am-smb-process"))
    assert response.status_code == 302, text_of(response)
    with session_factory() as session:
        live = live_catalogue(session, catalogue)
        assert live.items["authored-question"].bank == "am-smb-process"
        assert live.items["authored-question"].key.model_dump()["correct"] == "b"
    assert "authored-question" in text_of(author.get("/staff/authoring/banks/am-smb-process"))
    # An id is an item's for good: a second item may not take it.
    before = row_counts(session_factory)
    again = create_item(author, **new_choice_item("authored-question"))
    assert again.status_code == 422
    assert "id: an item with id 'authored-question' already exists (bank am-smb-process)" in text_of(again)
    assert row_counts(session_factory) == before


def test_an_edit_that_would_push_a_form_over_its_time_limit_is_refused(
    author: FlaskClient, session_factory: sessionmaker[Session], form_id: str
) -> None:
    before = row_counts(session_factory)
    response = save_edit(author, ITEM, minutes="30")
    assert response.status_code == 422
    page = text_of(response)
    assert f"minutes: form '{form_id}' would break: time_limit_minutes: items need" in page
    assert row_counts(session_factory) == before


def test_history_lists_every_version_and_diffs_any_two(author: FlaskClient, catalogue: Catalogue) -> None:
    old = catalogue.items[ITEM]
    save_edit(author, ITEM, title="Version two", note="v2")
    save_edit(author, ITEM, key="correct: b\n", note="no partial credit")
    page = text_of(author.get(f"/staff/authoring/items/{ITEM}"))
    assert "Version history" in page and "v2" in page and "no partial credit" in page
    assert page.count("Changes<span") == 2
    diff = text_of(author.get(f"/staff/authoring/items/{ITEM}/diff?from={old.version}&to="))
    assert (
        '<span class="visually-hidden">removed: </span>− title: First step 90 days before a renewal</del>'
        in diff
    )
    assert '<ins><span class="visually-hidden">added: </span>+ title: Version two</ins>' in diff
    assert "−   credit:" in diff and "−     a: 0.25" in diff
    assert author.get(f"/staff/authoring/items/{ITEM}/diff?from=0000000000000000").status_code == 404
