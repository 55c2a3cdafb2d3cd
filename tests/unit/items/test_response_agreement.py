"""The page and response JSON (``assess score``, stored answers) read answers with one parser.

For every registered type, a table of answers given both ways: a form as the candidate page
posts it, and the same answer as response JSON. Both must be accepted as the same response,
or both refused with the same field and reason.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from items import registry
from items.bank import ItemVersion
from items.base import Form, Option, ResponseError, Schema
from items.types import (
    numeric,
    proofreading,
    record_entry,
    single_choice,
    sjt_most_least,
    sjt_rank,
    sjt_rate,
    written,
)
from scoring.items import parse_response

OPTIONS = [Option(id=i, text=f"Response {i}") for i in "abcd"]


def _item(type_name: str, body: Schema, key: Schema) -> ItemVersion:
    return ItemVersion(
        item_id=f"agreement-{type_name}",
        version="v1",
        type=type_name,
        title="Agreement",
        section="agreement",
        minutes=Decimal(1),
        tags=(),
        rationale="",
        body=body,
        key=key,
        bank="agreement",
        source="agreement.yaml:1",
    )


CURRENCY = _item(
    "numeric", numeric.Body(prompt="Annual cost?", unit="currency"), numeric.Key(value=Decimal(6000))
)
PLAIN = _item("numeric", numeric.Body(prompt="Unused seats?"), numeric.Key(value=Decimal(12)))
PERCENT = _item(
    "numeric", numeric.Body(prompt="Share in use?", unit="percent"), numeric.Key(value=Decimal(40))
)
CHOICE = _item(
    "single_choice", single_choice.Body(prompt="Best?", options=OPTIONS), single_choice.Key(correct="b")
)
MOST_LEAST = _item(
    "sjt_most_least",
    sjt_most_least.Body(prompt="Most and least?", options=OPTIONS),
    sjt_most_least.Key(most="a", least="d"),
)
RATE = _item(
    "sjt_rate",
    sjt_rate.Body(prompt="Rate each", options=OPTIONS),
    sjt_rate.Key(ratings={i: Decimal(3) for i in "abcd"}),
)
RANK = _item(
    "sjt_rank", sjt_rank.Body(prompt="Order them", options=OPTIONS), sjt_rank.Key(ranking=list("abcd"))
)
PROOFREADING = _item(
    "proofreading",
    proofreading.Body(instructions="Mark the errors.", passage="Dear Danial, the renewel is due on Friday."),
    proofreading.Key(errors=[proofreading.SeededError(span="Danial", kind="name", correction="Daniel")]),
)
WRITTEN = _item(
    "written",
    written.Body(prompt="Write the summary."),
    written.Key(
        rubric=[
            written.Criterion(id="clear", label="Clear", description="Says what to do", max_points=Decimal(2))
        ]
    ),
)
RECORD = _item(
    "record_entry",
    record_entry.Body.model_validate(
        {
            "prompt": "Enter the call.",
            "table": {
                "columns": ["Invoice"],
                "rows": [{"id": "r1", "cells": ["A"]}, {"id": "r2", "cells": ["B"]}],
            },
            "fields": [
                {"id": "account", "kind": "text", "label": "Account"},
                {"id": "renewal", "kind": "date", "label": "Renewal"},
                {"id": "seats", "kind": "amount", "label": "Seats"},
                {
                    "id": "stage",
                    "kind": "choice",
                    "label": "Stage",
                    "options": [
                        {"id": "open", "text": "Open"},
                        {"id": "won", "text": "Won"},
                    ],
                },
                {"id": "people", "kind": "ordered_list", "label": "Stakeholders", "count": 2},
                {"id": "wrong", "kind": "flags", "label": "Wrong invoices"},
            ],
        }
    ),
    record_entry.Key.model_validate(
        {
            "fields": {
                "account": {"kind": "text", "value": "Harbor"},
                "renewal": {"kind": "date", "value": "2025-07-30"},
                "seats": {"kind": "amount", "value": "12000"},
                "stage": {"kind": "choice", "value": "won"},
                "people": {"kind": "ordered_list", "value": ["Ann", "Bo"]},
                "wrong": {"kind": "flags", "value": ["r2"]},
            }
        }
    ),
)

TOO_LONG = "word " * 4100

#: (item, form as the page posts it, the same answer as response JSON)
CASES: list[tuple[ItemVersion, dict[str, list[str]], Any]] = [
    (CURRENCY, {"value": ["$675.00"]}, {"value": "$675.00"}),
    (CURRENCY, {"value": ["6,000"]}, {"value": "6,000"}),
    (CURRENCY, {"value": ["6 000"]}, {"value": "6 000"}),
    (CURRENCY, {"value": ["675"]}, {"value": 675}),
    (CURRENCY, {"value": ["675.5"]}, {"value": 675.5}),
    (CURRENCY, {"value": [" -$5 "]}, {"value": " -$5 "}),
    (CURRENCY, {"value": ["0.00000001"]}, {"value": "0.00000001"}),
    (CURRENCY, {"value": ["1e3"]}, {"value": "1e3"}),
    (CURRENCY, {"value": ["1e3"]}, {"value": 1e3 * 1e20}),
    (CURRENCY, {"value": ["6,00"]}, {"value": "6,00"}),
    (CURRENCY, {"value": ["six"]}, {"value": "six"}),
    (CURRENCY, {"value": ["€675"]}, {"value": "€675"}),
    (CURRENCY, {"value": ["1.2.3"]}, {"value": "1.2.3"}),
    (CURRENCY, {"value": ["1" * 40]}, {"value": "1" * 40}),
    (CURRENCY, {"value": ["0.123456789"]}, {"value": "0.123456789"}),
    (PLAIN, {"value": ["$675"]}, {"value": "$675"}),
    (PLAIN, {"value": ["12%"]}, {"value": "12%"}),
    (PERCENT, {"value": ["12.5%"]}, {"value": "12.5%"}),
    (PERCENT, {"value": ["%12"]}, {"value": "%12"}),
    (CHOICE, {"choice": ["b"]}, {"choice": "b"}),
    (CHOICE, {"choice": ["z"]}, {"choice": "z"}),
    (MOST_LEAST, {"most": ["a"], "least": ["c"]}, {"most": "a", "least": "c"}),
    (MOST_LEAST, {"most": ["a"]}, {"most": "a"}),
    (MOST_LEAST, {"most": ["z"], "least": ["c"]}, {"most": "z", "least": "c"}),
    (MOST_LEAST, {"most": ["a"], "least": ["a"]}, {"most": "a", "least": "a"}),
    (RATE, {"rating-a": ["2"], "rating-b": ["6"]}, {"ratings": {"a": 2, "b": "6"}}),
    (RATE, {"rating-a": ["two"]}, {"ratings": {"a": "two"}}),
    (RATE, {"rating-a": ["2.5"]}, {"ratings": {"a": 2.5}}),
    (RATE, {"rating-a": ["9"]}, {"ratings": {"a": 9}}),
    (RATE, {"rating-z": ["2"]}, {"ratings": {"z": 2}}),
    (
        RANK,
        {f"rank-{i}": [str(n)] for n, i in enumerate("dcba", 1)},
        {"ranks": {"d": 1, "c": 2, "b": 3, "a": 4}},
    ),
    (RANK, {"rank-a": ["1"], "rank-b": ["1"]}, {"ranks": {"a": 1, "b": 1}}),
    (RANK, {"rank-a": ["5"]}, {"ranks": {"a": 5}}),
    (RANK, {"rank-a": ["first"]}, {"ranks": {"a": "first"}}),
    (PROOFREADING, {"mark": ["4", "1", "1"]}, {"marks": [4, 1, 1]}),
    (
        PROOFREADING,
        {"mark": ["1"], "fix-1": [" Daniel, "]},
        {"marks": [1], "corrections": {"1": " Daniel, "}},
    ),
    (PROOFREADING, {"mark": ["1"], "fix-2": ["renewal"]}, {"marks": [1], "corrections": {"2": "renewal"}}),
    (PROOFREADING, {"mark": ["1"], "fix-1": ["x" * 201]}, {"marks": [1], "corrections": {"1": "x" * 201}}),
    (PROOFREADING, {"mark": ["99"]}, {"marks": [99]}),
    (PROOFREADING, {"mark": ["one"]}, {"marks": ["one"]}),
    (
        WRITTEN,
        {"text": ["Dear Ana,\r\nthe renewal is due.  "]},
        {"text": "Dear Ana,\r\nthe renewal is due.  "},
    ),
    (WRITTEN, {"text": [TOO_LONG]}, {"text": TOO_LONG}),
    (
        RECORD,
        {
            "account": ["  Harbor   Dental "],
            "renewal": ["July 30, 2025"],
            "seats": ["$12,000"],
            "stage": ["won"],
            "people-1": ["Ann"],
            "people-2": ["Bo"],
            "wrong": ["r2", "r1"],
        },
        {
            "fields": {
                "account": "  Harbor   Dental ",
                "renewal": "July 30, 2025",
                "seats": "$12,000",
                "stage": "won",
                "people": ["Ann", "Bo"],
                "wrong": ["r2", "r1"],
            }
        },
    ),
    (RECORD, {"renewal": ["30/07/2025"]}, {"fields": {"renewal": "30/07/2025"}}),
    (RECORD, {"seats": ["twelve"]}, {"fields": {"seats": "twelve"}}),
    (RECORD, {"stage": ["lost"]}, {"fields": {"stage": "lost"}}),
    (RECORD, {"wrong": ["r9"]}, {"fields": {"wrong": ["r9"]}}),
    (RECORD, {"account": ["x" * 301]}, {"fields": {"account": "x" * 301}}),
    (RECORD, {"people-1": ["Ann"]}, {"fields": {"people": ["Ann", ""]}}),
]


def _by_page(item: ItemVersion, form: Form) -> tuple[str, object]:
    try:
        return "accepted", item.item_type.normalise(item.body, form)
    except ResponseError as exc:
        return "refused", (exc.field, exc.reason)


def _by_json(item: ItemVersion, data: Any) -> tuple[str, object]:
    try:
        return "accepted", parse_response(item, data)
    except ResponseError as exc:
        return "refused", (exc.field, exc.reason)


def test_the_table_covers_every_registered_type() -> None:
    assert {item.type for item, _, _ in CASES} == set(registry.names())


@pytest.mark.parametrize(
    ("item", "form", "data"), CASES, ids=lambda v: v.type if isinstance(v, ItemVersion) else ""
)
def test_page_and_json_accept_the_same_answer_or_refuse_it_for_the_same_reason(
    item: ItemVersion, form: dict[str, list[str]], data: Any
) -> None:
    assert _by_json(item, data) == _by_page(item, form)


@pytest.mark.parametrize(
    ("item", "form", "data"), CASES, ids=lambda v: v.type if isinstance(v, ItemVersion) else ""
)
def test_a_stored_response_reads_back_as_itself(
    item: ItemVersion, form: dict[str, list[str]], data: Any
) -> None:
    outcome, response = _by_page(item, form)
    if outcome == "refused":
        assert _by_json(item, data)[0] == "refused"
        return
    assert isinstance(response, Schema)
    assert parse_response(item, response.model_dump(mode="json")) == response


def test_numeric_json_takes_dollars_and_thousands_as_the_readme_says() -> None:
    assert parse_response(CURRENCY, {"value": "$675.00"}) == numeric.Response(value=Decimal("675.00"))
    assert parse_response(CURRENCY, {"value": "6,000"}) == numeric.Response(value=Decimal(6000))


def test_a_tiny_stored_number_is_written_without_an_exponent() -> None:
    stored = numeric.Response(value=Decimal("0.00000001")).model_dump(mode="json")
    assert stored == {"value": "0.00000001"}
    assert parse_response(CURRENCY, stored) == numeric.Response(value=Decimal("0.00000001"))


#: Keys the types know (option ids, word numbers, record fields) and keys they do not.
KNOWN = ["a", "d", "z", "1", "4", "99", "account", "renewal", "seats", "stage", "people", "wrong"]
KEYS = st.sampled_from(KNOWN) | st.text(max_size=4)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=12,
)
FIELDS = st.sampled_from(
    ["value", "choice", "most", "least", "ratings", "ranks", "marks", "corrections", "text", "fields"]
)
ITEMS = [CURRENCY, PERCENT, CHOICE, MOST_LEAST, RATE, RANK, PROOFREADING, WRITTEN, RECORD]


@settings(max_examples=1000, deadline=None)
@given(item=st.sampled_from(ITEMS), data=JSON | st.dictionaries(FIELDS, JSON, max_size=3))
def test_any_json_is_read_or_refused_with_a_reason_never_a_crash(item: ItemVersion, data: Any) -> None:
    try:
        parse_response(item, data)
    except ResponseError as exc:
        assert exc.field and exc.reason


def test_an_unknown_record_field_is_named_with_the_fields_there_are() -> None:
    with pytest.raises(ResponseError) as refused:
        parse_response(RECORD, {"fields": {"": "x"}})
    assert (refused.value.field, refused.value.reason) == (
        "fields",
        "'' is not a field of this record: account, renewal, seats, stage, people, wrong",
    )
