"""Reading a record as the page sends it (or JSON gives it): each field checked and stored as typed."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from pydantic import ValidationInfo, model_validator

from items.base import Form, ResponseError, Schema, body_of, first_value
from items.types.record_entry.entries import (
    AmountEntry,
    Body,
    ChoiceEntry,
    DateEntry,
    Entry,
    FlagsEntry,
    OrderedListEntry,
    row_ids,
)
from items.values import parse_amount, parse_date

MAX_ENTRY_CHARACTERS = 300


class Response(Schema):
    """Field id -> what was typed (whitespace collapsed); ordered lists and flags are lists."""

    fields: dict[str, str | list[str]]

    @model_validator(mode="before")
    @classmethod
    def _as_the_page_reads(cls, data: Any, info: ValidationInfo) -> Any:
        body = body_of(info)
        fields = data.get("fields") if isinstance(data, dict) else None
        if body is None or not isinstance(fields, dict):
            return data
        check_known(body, fields)
        entries = {entry.id: entry for entry in body.fields}
        read = {name: _entry_value(body, entries[name], v) for name, v in fields.items() if v is not None}
        return {**data, "fields": {name: value for name, value in read.items() if value}}


def folded(text: str) -> str:
    return " ".join(text.casefold().split())


def entry_text(field: str, raw: str) -> str:
    text = " ".join(raw.split())
    if len(text) > MAX_ENTRY_CHARACTERS:
        raise ResponseError(field, f"is longer than {MAX_ENTRY_CHARACTERS} characters")
    return text


def interpret(entry: Entry, text: str) -> str | datetime.date | Decimal:
    """A single typed value as its kind reads it: folded text, a date, an amount or an option id."""
    try:
        if isinstance(entry, DateEntry):
            return parse_date(text)
        if isinstance(entry, AmountEntry):
            return parse_amount(text)
    except ValueError as exc:
        raise ResponseError(entry.id, str(exc)) from None
    if isinstance(entry, ChoiceEntry):
        if text not in {o.id for o in entry.options}:
            raise ResponseError(entry.id, f"{text!r} is not one of the options")
        return text
    return folded(text)


def flagged(body: Body, field: str, chosen: set[str]) -> list[str]:
    rows = row_ids(body)
    unknown = sorted(chosen - set(rows))
    if unknown:
        raise ResponseError(field, f"{unknown[0]!r} is not a row of the table")
    return [r for r in rows if r in chosen]


def _sent(entry: Entry, form: Form) -> str | list[str]:
    """What the page sends for one field: ordered lists as ``<id>-<position>`` inputs."""
    if isinstance(entry, OrderedListEntry):
        return [first_value(form, f"{entry.id}-{n}") for n in range(1, entry.count + 1)]
    if isinstance(entry, FlagsEntry):
        return list(form.get(entry.id) or [])
    return first_value(form, entry.id)


def _entry_value(body: Body, entry: Entry, given: object) -> str | list[str]:
    """One field's answer as stored, from what the page sent or JSON gave; blank when unanswered."""
    if isinstance(entry, OrderedListEntry):
        if not isinstance(given, list) or len(given) != entry.count:
            raise ResponseError(entry.id, f"expected a list of {entry.count} names")
        texts = [entry_text(f"{entry.id}-{n}", str(g)) for n, g in enumerate(given, start=1)]
        return texts if any(texts) else ""
    if isinstance(entry, FlagsEntry):
        if not isinstance(given, list):
            raise ResponseError(entry.id, "expected a list of row ids")
        return flagged(body, entry.id, {str(v).strip() for v in given if str(v).strip()})
    if isinstance(given, list):
        raise ResponseError(entry.id, "expected a single value, got a list")
    if not isinstance(given, str):
        raise ResponseError(entry.id, "expected text, as typed")
    text = entry_text(entry.id, given)
    if text:
        interpret(entry, text)
    return text


def normalise(body: Body, form: Form) -> Response | None:
    answers = {entry.id: _entry_value(body, entry, _sent(entry, form)) for entry in body.fields}
    answered = {field: value for field, value in answers.items() if value}
    return Response(fields=answered) if answered else None


def check_known(body: Body, given: Iterable[str]) -> None:
    known = [e.id for e in body.fields]
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ResponseError("fields", f"{unknown[0]!r} is not a field of this record: {', '.join(known)}")
