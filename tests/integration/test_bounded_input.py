"""Input no handler can store or bind is refused up front with a message, and changes nothing.

Lone surrogates, NUL, non-ASCII digits, ids past any column's range, deep or huge JSON and a
line break in ``next``: each once made a 500 (on PostgreSQL, on SQLite, or both). Text stored
before those refusals existed must still render.
"""

from __future__ import annotations

import hashlib
import html
import io
import time
from collections.abc import Callable
from typing import Any

import pytest
from authoring_setup import edit_fields
from candidate_client import Candidate, attempt_of, plausible_answer
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from staff_client import PASSWORD, StaffClient, csrf_token, make_user, post
from werkzeug.test import TestResponse

from assess.models import Answer
from assess.models.base import Base
from assess.request_guard import MAX_JSON_DEPTH

SURROGATE = "\ud800"


def stored(session_factory: sessionmaker[Session]) -> str:
    """A digest of every row of every table."""
    digest = hashlib.sha256()
    with session_factory() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table).order_by(*table.primary_key.columns or table.columns)):
                digest.update(repr(tuple(row)).encode("utf-8", "backslashreplace"))
    return digest.hexdigest()


@pytest.fixture
def started(candidate: Callable[..., Candidate]) -> Candidate:
    person = candidate()
    person.start()
    person.get("/items/1")
    return person


def send_json(person: Candidate, n: int | str, body: Any) -> TestResponse:
    """A save as the page's script posts it, whatever the body."""
    return person.client.post(f"{person.base}/answers/{n}", json=body, headers={"X-CSRFToken": person.csrf})


def _campaign_id(session_factory: sessionmaker[Session], token: str) -> int:
    with session_factory() as session:
        return attempt_of(session, token).campaign_id


@pytest.mark.parametrize("text", [f"Ana {SURROGATE}", "Ana\x00Lopez"])
def test_an_autosave_with_unstorable_text_is_refused_with_a_reason(
    started: Candidate, session_factory: sessionmaker[Session], text: str
) -> None:
    answer = plausible_answer(started.get("/items/1").get_data(as_text=True))
    before = stored(session_factory)
    name = next(iter(answer))
    saved = send_json(started, 1, {"base": 0, "edit": 5, "seq": 5, "fields": {**answer, name: [text]}})
    # 422, not 400: the page's script drops a 422 save instead of resending it for ever.
    assert saved.status_code == 422
    assert f"body.fields.{name}[0] contains" in saved.get_json()["reason"]
    assert stored(session_factory) == before


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"seq": 10**30, "fields": {}}, 422, "body.seq is a number outside"),
        ({"seq": 2**63, "fields": {}}, 422, "body.seq is a number outside"),
        ({"seq": 1, "fields": {"x": [[[[[[[[[[["deep"]]]]]]]]]]]}}, 400, f"deeper than {MAX_JSON_DEPTH}"),
        ({"seq": 1, "fields": {"x": ["a" * 300_000]}}, 413, "larger than"),
    ],
)
def test_json_out_of_bounds_is_refused_with_a_message(
    started: Candidate, session_factory: sessionmaker[Session], body: Any, status: int, message: str
) -> None:
    before = stored(session_factory)
    refused = send_json(started, 1, body)
    assert refused.status_code == status
    assert message in refused.get_data(as_text=True)
    assert stored(session_factory) == before


def test_json_nested_past_the_parsers_recursion_limit_is_a_400(started: Candidate) -> None:
    response = started.client.post(
        f"{started.base}/answers/1",
        data="[" * 100_000 + "]" * 100_000,
        content_type="application/json",
        headers={"X-CSRFToken": started.csrf},
    )
    assert response.status_code == 400


@pytest.mark.parametrize("n", ["99999999999999999999", str(2**63), str(2**31)])
def test_a_position_past_any_column_is_not_found(started: Candidate, n: str) -> None:
    assert started.get(f"/items/{n}").status_code == 404
    assert (
        started.client.post(f"{started.base}/answers/{n}", json={"seq": 1, "fields": {}}).status_code == 404
    )


@pytest.mark.parametrize("id_", ["99999999999999999999", str(2**63), "\u0661\u0662"])
def test_a_staff_id_past_any_column_or_in_other_digits_is_not_found(admin: FlaskClient, id_: str) -> None:
    for path in (
        "/staff/campaigns/{}",
        "/staff/invitations/{}",
        "/staff/review/attempts/{}",
        "/staff/reports/{}",
    ):
        assert admin.get(path.format(id_)).status_code == 404, path


@pytest.mark.parametrize(
    "page", ["\u00b2", "\u0661\u0662", "99999999999999999999", "1" + "0" * 30, "%00", "0"]
)
def test_a_page_number_must_be_a_small_ascii_number(admin: FlaskClient, page: str) -> None:
    for path in ("/staff/audit", "/staff/outbox"):
        response = admin.get(f"{path}?page={page}")
        assert response.status_code == 400, (path, page)
        assert "Traceback" not in response.get_data(as_text=True)


def test_a_query_value_with_a_nul_names_the_field(admin: FlaskClient) -> None:
    response = admin.get("/staff/campaigns?stage=a%00b")
    assert response.status_code == 400
    assert "The query field &#39;stage&#39; contains a NUL character." in response.get_data(as_text=True)
    # Bytes that would be a surrogate are not UTF-8: they arrive as U+FFFD, which is ordinary text.
    assert admin.get("/staff/campaigns?q=%ED%A0%80").status_code == 200


def test_a_line_break_in_next_is_refused_not_sent_as_a_header(
    app: Flask, session_factory: sessionmaker[Session]
) -> None:
    user = make_user(session_factory, "admin")
    client = app.test_client()
    token = csrf_token(client)
    before = stored(session_factory)
    response = client.post(
        "/staff/login",
        data={
            "csrf_token": token,
            "email": user.email,
            "password": PASSWORD,
            "next": "/staff/\r\nSet-Cookie: a=b",
        },
    )
    assert response.status_code == 400
    assert "The form field &#39;next&#39; contains a line break." in response.get_data(as_text=True)
    assert stored(session_factory) == before
    assert client.get("/staff/login?next=/staff/%0d%0aX:1").status_code == 400


def test_a_nul_in_a_candidate_name_is_refused_and_stores_nothing(
    started: Candidate, admin: FlaskClient, session_factory: sessionmaker[Session]
) -> None:
    campaign_id = _campaign_id(session_factory, started.token)
    before = stored(session_factory)
    form = {"email": "ana@example.com", "name": "Ana\x00Lopez", "extra_time": "1", "valid_days": "14"}
    response = post(admin, f"/staff/campaigns/{campaign_id}/invite", form)
    assert response.status_code == 400
    assert "The form field &#39;name&#39; contains a NUL character." in response.get_data(as_text=True)
    assert stored(session_factory) == before


def test_a_nul_in_a_csv_name_is_a_line_and_column_error(
    started: Candidate, admin: FlaskClient, session_factory: sessionmaker[Session]
) -> None:
    campaign_id = _campaign_id(session_factory, started.token)
    before = stored(session_factory)
    upload = io.BytesIO(b"email,name\nana@example.com,Ana\x00Lopez\n")
    response = post(
        admin,
        f"/staff/campaigns/{campaign_id}/invite/bulk",
        {"csv_file": (upload, "candidates.csv"), "valid_days": "10"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "line 2, column 2 (name): a name cannot contain control characters" in html.unescape(
        response.get_data(as_text=True)
    )
    assert stored(session_factory) == before


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_surrogate_stored_before_the_guard_still_renders(
    started: Candidate, admin: FlaskClient, session_factory: sessionmaker[Session], clock: Callable[[], Any]
) -> None:
    # SQLite keeps the JSON escape "\ud800" that the guard now refuses; PostgreSQL's JSONB never did.
    n = _written_position(started)
    with session_factory() as session:
        attempt_id = attempt_of(session, started.token).id
        session.execute(
            update(Answer)
            .where(Answer.attempt_id == attempt_id, Answer.position == n - 1)
            .values(response={"text": f"Dear Ana {SURROGATE} thanks"}, saved_at=clock())
        )
        session.commit()
    for page in (
        started.get(f"/items/{n}"),
        started.get("/review"),
        admin.get(f"/staff/review/attempts/{attempt_id}"),
    ):
        assert page.status_code == 200
    assert "Dear Ana \ufffd thanks" in started.get(f"/items/{n}").get_data(as_text=True)
    assert "Dear Ana \ufffd thanks" in admin.get(f"/staff/review/attempts/{attempt_id}").get_data(
        as_text=True
    )


def _written_position(person: Candidate) -> int:
    n = 1
    while (page := person.get(f"/items/{n}")).status_code == 200:
        if "<textarea" in page.get_data(as_text=True):
            return n
        n += 1
    raise AssertionError("the form has no written item")


def test_an_alias_bomb_in_the_item_editor_is_refused_quickly_at_its_field(
    session_factory: sessionmaker[Session], author: StaffClient
) -> None:
    fields = edit_fields(author, "process-renewal-first-step")
    # Nine anchors of nine aliases each: 9**9 strings from about 600 bytes.
    bomb = "prompt: Which?\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]\n" for n in range(1, 9)
    )
    before = stored(session_factory)
    started = time.perf_counter()
    response = post(
        author, "/staff/authoring/items/process-renewal-first-step/edit", {**fields, "body": bomb}
    )
    assert time.perf_counter() - started < 5
    assert response.status_code == 422
    assert "expands to more than" in html.unescape(response.get_data(as_text=True))
    assert stored(session_factory) == before


@pytest.mark.parametrize("body", [[[]], [{}, ["a", 1]], {"csrf_token": {"a": 1}, "reason": [1, 2]}])
def test_json_sent_to_a_form_is_refused_not_read_as_form_data(
    admin: FlaskClient, session_factory: sessionmaker[Session], body: Any
) -> None:
    before = stored(session_factory)
    token = csrf_token(admin, "/staff/")
    for path in ("/staff/review/written/names", "/staff/campaigns/new", "/staff/authoring/forms/new"):
        response = admin.post(path, json=body, headers={"X-CSRFToken": token})
        assert response.status_code == 415, path
    assert stored(session_factory) == before


@pytest.mark.parametrize("value", ["sNaN", "-sNaN", "NaN", "Infinity"])
def test_a_decimal_field_refuses_nan_and_infinity_at_the_field(
    started: Candidate, admin: FlaskClient, session_factory: sessionmaker[Session], value: str
) -> None:
    # "sNaN" made wtforms' NumberRange raise instead of failing the field: a 500.
    campaign_id = _campaign_id(session_factory, started.token)
    before = stored(session_factory)
    form = {"email": "ana@example.com", "name": "Ana", "extra_time": value, "valid_days": "14"}
    response = post(admin, f"/staff/campaigns/{campaign_id}/invite", form)
    assert response.status_code == 422
    assert 'id="extra_time-error"' in response.get_data(as_text=True)
    assert stored(session_factory) == before
