"""The answer fields an item page posts, read alike by the candidate's pages and the authors' preview."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from werkzeug.datastructures import MultiDict

#: Every answer field of an item page is named with this prefix, so the page's own
#: fields (csrf_token, seq, go) can never be mistaken for part of an answer.
FIELD_PREFIX = "answer-"


#: Bounds on one autosave, well above any honest answer and below what could hurt the server.
MAX_FIELDS = 200
MAX_VALUES = 200
MAX_VALUE_CHARS = 20_000


class TamperedRequest(ValueError):
    """Input no page of ours would send; answered with a 400 and no change."""


def answer_fields(form: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """The item's own fields with their prefix stripped, as ``normalise`` expects them."""
    fields = {
        name[len(FIELD_PREFIX) :]: list(values)
        for name, values in form.items()
        if name.startswith(FIELD_PREFIX)
    }
    check_sizes(fields)
    return fields


def posted_fields(form: MultiDict[str, str]) -> dict[str, list[str]]:
    return answer_fields({name: form.getlist(name) for name in form})


def check_sizes(fields: Mapping[str, Sequence[str]]) -> None:
    """Refuse more fields or longer values than any answer has."""
    if len(fields) > MAX_FIELDS:
        raise TamperedRequest("too many fields")
    for values in fields.values():
        if len(values) > MAX_VALUES or any(len(v) > MAX_VALUE_CHARS for v in values):
            raise TamperedRequest("a field is larger than any answer")
