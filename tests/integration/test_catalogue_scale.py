"""Any catalogue size: 10,000 authored items beside the shipped bank (Invariant 8).

A candidate's link and Start send the very statements they send with no authored item at all
(none grows with the catalogue); the authoring and campaign pages answer, list a bank by
pages, and retire an item; a file with more questions than one import may hold is refused
at "Check", with the limit in the message.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from candidate_client import Candidate
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import StaffClient, csrf_token, post

from assess.models import AuthoredItem, StaffUser
from assess.services.authored_items import draft_of, save_item
from assess.services.bank_exchange import MAX_IMPORT_QUESTIONS
from items.bank import Catalogue, ItemVersion

# The repository's bench/ package (tests/bench would shadow it): see tests/bench/test_report_bench.py.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.catalogue import BANK_SIZE, author_in_bulk, bulk_items  # noqa: E402

SCALE = 10_000


@contextmanager
def statements(app: Flask) -> Iterator[list[tuple[str, int]]]:
    """Every statement the app sends meanwhile, with how many parameters it binds."""
    seen: list[tuple[str, int]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        seen.append((statement, len(parameters or ())))

    engine = app.extensions["assess"].engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def author_items(
    session_factory: sessionmaker[Session], catalogue: Catalogue, clock: Any
) -> list[ItemVersion]:
    """SCALE items authored in bulk, then one saved through the service (every cached catalogue is stale)."""
    items = bulk_items(SCALE)
    with session_factory() as session:
        author = session.scalars(select(StaffUser)).first()
        author_in_bulk(session, items, clock(), author.id if author else None)
        if author is not None:
            edited = replace(draft_of(items[0]), title="Edited once through the service")
            save_item(session, catalogue, edited, items[0].item_id, items[0].version, "", author, clock())
    return items


def open_and_start(person: Candidate) -> None:
    assert person.get().status_code == 200
    assert person.post("/start").status_code == 302


def test_a_candidates_link_and_start_send_the_same_statements_beside_10000_items(
    app: Flask,
    author: FlaskClient,
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    candidate: Callable[..., Candidate],
    clock: Any,
) -> None:
    open_and_start(candidate(email="first@example.com"))  # pins the form's versions: later Starts store none
    small = candidate(email="small@example.com")
    with statements(app) as before:
        open_and_start(small)
    items = author_items(session_factory, catalogue, clock)
    large = candidate(email="large@example.com")
    with statements(app) as after:
        open_and_start(large)
    assert after == before
    assert max(count for _, count in after) < 100
    assert large.get("/items/1").status_code == 200
    assert not any(item.item_id in text for item in items[:: BANK_SIZE // 10] for text, _ in after)


def test_authoring_and_campaign_pages_answer_and_list_a_bank_by_pages(
    author: FlaskClient,
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    clock: Any,
    recruiter: StaffClient,
) -> None:
    items = author_items(session_factory, catalogue, clock)
    index = author.get("/staff/authoring/")
    assert index.status_code == 200 and "bulk-1" in index.get_data(as_text=True)
    bank = "/staff/authoring/banks/bulk-0"
    first = author.get(bank).get_data(as_text=True)
    assert f"Items 1–100 of {BANK_SIZE} (page 1 of {BANK_SIZE // 100})" in first
    assert items[0].item_id in first and items[100].item_id not in first
    last = author.get(f"{bank}?page={BANK_SIZE // 100}")
    assert last.status_code == 200 and items[BANK_SIZE - 1].item_id in last.get_data(as_text=True)
    assert author.get(f"{bank}?page={BANK_SIZE // 100 + 1}").status_code == 404
    assert author.get(f"{bank}?page=0").status_code == 404
    assert author.get(f"{bank}?page=two").status_code == 400
    assert author.get(f"{bank}?page={'9' * 20}").status_code == 400
    new_item = author.get("/staff/authoring/items/new")
    assert new_item.status_code == 200 and len(new_item.get_data()) < 200_000
    target = items[-1].item_id
    assert author.get(f"/staff/authoring/items/{target}").status_code == 200
    assert post(author, f"/staff/authoring/items/{target}/retire").status_code == 302
    with session_factory() as session:
        assert session.get_one(AuthoredItem, target).retired_at is not None
    assert recruiter.get("/staff/campaigns/new").status_code == 200


def test_an_import_over_the_limit_is_refused_at_check_and_stores_nothing(
    author: FlaskClient, session_factory: sessionmaker[Session]
) -> None:
    questions = 15_000
    gift = "".join(f"::q{n}::Pick b {n}{{~a =b}}\n\n" for n in range(questions)).encode()
    data = {
        "csrf_token": csrf_token(author, "/staff/"),
        "file": (io.BytesIO(gift), "big.gift"),
        "format": "gift",
        "bank": "imported",
        "id_prefix": "",
        "action": "check",
    }
    checked = author.post("/staff/authoring/import", data=data, content_type="multipart/form-data")
    assert checked.status_code == 422
    page = checked.get_data(as_text=True)
    assert f"at most {MAX_IMPORT_QUESTIONS:,} questions per import; this file has {questions:,}" in page
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(AuthoredItem)) == 0
