"""What a candidate's requests may carry, parsed before any service sees it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import Field, ValidationError
from werkzeug.datastructures import MultiDict

from assess.services.attempts import MAX_SEQ, SlotView
from items import registry
from items.base import Schema

#: Every answer field of an item page is named with this prefix, so the page's own
#: fields (csrf_token, seq, go) can never be mistaken for part of an answer.
FIELD_PREFIX = "answer-"


#: Bounds on one autosave, well above any honest answer and below what could hurt the server.
MAX_FIELDS = 200
MAX_VALUES = 200
MAX_VALUE_CHARS = 20_000


class TamperedRequest(ValueError):
    """Input no page of ours would send; answered with a 400 and no change."""


class Autosave(Schema):
    """The JSON attempt.js posts: ``{"seq": int, "fields": {name: [values]}}`` and nothing else."""

    seq: int = Field(ge=1, le=MAX_SEQ, strict=True)
    fields: dict[str, list[str]] = Field(max_length=MAX_FIELDS)


def parse_autosave(payload: Any) -> Autosave:
    try:
        autosave = Autosave.model_validate(payload)
    except ValidationError as exc:
        raise TamperedRequest(f"not an autosave: {exc.errors(include_url=False)[0]['msg']}") from None
    _check_sizes(autosave.fields)
    return autosave


def answer_fields(form: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """The item's own fields with their prefix stripped, as ``normalise`` expects them."""
    fields = {
        name[len(FIELD_PREFIX) :]: list(values)
        for name, values in form.items()
        if name.startswith(FIELD_PREFIX)
    }
    _check_sizes(fields)
    return fields


def posted_fields(form: MultiDict[str, str]) -> dict[str, list[str]]:
    return answer_fields({name: form.getlist(name) for name in form})


def _check_sizes(fields: Mapping[str, Sequence[str]]) -> None:
    if len(fields) > MAX_FIELDS:
        raise TamperedRequest("too many fields")
    for values in fields.values():
        if len(values) > MAX_VALUES or any(len(v) > MAX_VALUE_CHARS for v in values):
            raise TamperedRequest("a field is larger than any answer")


def normalise_answer(view: SlotView, fields: Mapping[str, Sequence[str]]) -> dict[str, Any] | None:
    """The stored form of an answer; ``ResponseError`` names the field a candidate must fix."""
    response = registry.get(view.type).normalise(view.body, fields)
    return None if response is None else response.model_dump(mode="json")


def posted_seq(form: MultiDict[str, str]) -> int | None:
    """The seq attempt.js put in a plain post; None when absent (JavaScript off)."""
    raw = form.get("seq", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_SEQ:
        raise TamperedRequest("seq must be a positive whole number")
    return int(raw)


def destination(go: str, n: int, count: int) -> int | str:
    """Where a plain post's button leads: an item number, or "review".

    ``go`` is "next", "prev", "review", an item number, or absent (Enter pressed
    in a field without a default button: stay on the item).
    """
    if go == "":
        return n
    if go == "review" or (go == "next" and n >= count):
        return "review"
    if go == "next":
        return n + 1
    if go == "prev":
        return max(1, n - 1)
    if go.isdigit() and 1 <= int(go) <= count:
        return int(go)
    raise TamperedRequest(f"no such destination {go!r}")
