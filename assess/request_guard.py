"""One guard in front of every route: text that cannot be stored, numbers that cannot be
bound, and JSON that cannot be parsed cheaply are refused before any handler runs.

Invariant 8 (bounded parsers) and 6 (bad input gets a clear error and changes nothing):
a lone surrogate cannot be encoded as UTF-8 (PostgreSQL refuses it, and a page showing it
could not be sent), PostgreSQL text cannot hold NUL, a 20-digit id overflows a BIGINT
bind, deep JSON exhausts the parser's recursion, and CR/LF in ``next`` would split a
Location header. A form, query or path gets a 400 page naming the field; a JSON body gets
a 422 with a ``reason``, which the attempt page's script shows instead of resending.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

from flask import Flask, Response, request
from werkzeug.routing import IntegerConverter, Map

from assess.errors import JSON_BODY_ENDPOINTS, error_response, json_refusal

#: Ids and positions fit PostgreSQL's INTEGER; a larger number names nothing stored.
MAX_PATH_INT = 2**31 - 1
#: A written answer (20,000 characters, every one escaped) is about 120 KB of JSON.
MAX_JSON_BYTES = 256 * 1024
#: The deepest honest body (an autosave: object, fields, list) is 3 levels.
MAX_JSON_DEPTH = 10
#: JSON integers beyond this lose precision in the browser and overflow a BIGINT.
MAX_JSON_INT = 2**53
#: Query values that look like numbers are read as page numbers, seeds and ids.
MAX_QUERY_DIGITS = 9

NUMBER_RULE = f"must be a whole number of at most {MAX_QUERY_DIGITS} digits 0-9"

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# A string (closed or not, so the scan stays linear) or a bracket.
_JSON_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.DOTALL)
_LINE_BREAK = re.compile("[\r\n]")


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` accepting only ASCII digits from 1 to ``MAX_PATH_INT``; anything else is a 404."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = 1, max: int | None = MAX_PATH_INT,
                 signed: bool = False) -> None:  # fmt: skip
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def is_ascii_number(raw: str, digits: int = MAX_QUERY_DIGITS) -> bool:
    """Whether ``raw`` is a whole number of ASCII digits, short enough to bind anywhere.

    ``str.isdigit`` also accepts "١٢" and "²", and ``int("²")`` raises.
    """
    return 0 < len(raw) <= digits and raw.isascii() and raw.isdigit()


def unstorable_reason(text: str) -> str:
    """Why ``text`` cannot be stored as it is, or "" when it can."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return ""
    if found.group() == "\x00":
        return "contains a NUL character"
    return "contains a broken character (a lone UTF-16 surrogate)"


def _plain_problems() -> Iterator[tuple[str, str]]:
    """(where, why) for the path, the query and the form."""
    if reason := unstorable_reason(request.path):
        yield "the address", reason
    for source, values in (("query", request.args), ("form", request.form)):
        for key, value in values.items(multi=True):
            if reason := unstorable_reason(key):
                yield f"a {source} field's name", reason
            elif reason := unstorable_reason(value):
                yield f"the {source} field {key!r}", reason
            elif key == "next" and _LINE_BREAK.search(value):
                yield f"the {source} field 'next'", "contains a line break"
            elif source == "query" and value.isdigit() and not value.isascii():
                # Another script's digits are never a number here; long ASCII digit strings may
                # be ids (a version hash can be all digits): the pages that read numbers bound them.
                yield f"the query field {key!r}", NUMBER_RULE
    for key, upload in request.files.items(multi=True):
        if reason := unstorable_reason(upload.filename or ""):
            yield f"the name of the file in {key!r}", reason


def _json_depth(body: bytes) -> int:
    """How deeply arrays and objects nest, counted without parsing (strings skipped)."""
    depth = deepest = 0
    for token in _JSON_TOKEN.finditer(body):
        bracket = token.group()
        if bracket in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif bracket in (b"]", b"}"):
            depth -= 1
    return deepest


def _json_value_problem(value: Any, at: str) -> tuple[str, str] | None:
    if isinstance(value, str):
        return (at, reason) if (reason := unstorable_reason(value)) else None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return (at, f"is a number outside ±{MAX_JSON_INT}") if abs(value) > MAX_JSON_INT else None
    if isinstance(value, float):
        return None if math.isfinite(value) else (at, "is not a finite number")
    if isinstance(value, dict):
        for key, item in value.items():
            if reason := unstorable_reason(key):
                return f"a field name in {at}", reason
            if found := _json_value_problem(item, f"{at}.{key}"):
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            if found := _json_value_problem(item, f"{at}[{index}]"):
                return found
    return None


def _json_problem() -> tuple[int, str] | None:
    """(status, message) for a JSON body that is too big, too deep or holds unstorable values."""
    if request.content_length is not None and request.content_length > MAX_JSON_BYTES:
        return 413, f"The request body is larger than {MAX_JSON_BYTES // 1024} KB."
    body = request.get_data(cache=True)
    if len(body) > MAX_JSON_BYTES:
        return 413, f"The request body is larger than {MAX_JSON_BYTES // 1024} KB."
    if _json_depth(body) > MAX_JSON_DEPTH:
        return 400, f"The request body nests deeper than {MAX_JSON_DEPTH} levels."
    found = _json_value_problem(request.get_json(silent=True), "body")
    return None if found is None else (422, f"{found[0]} {found[1]}.")


def refuse_unsafe_request() -> tuple[Response | str, int] | None:
    """Before every request: a refusal naming what is wrong, or None to go on."""
    if (found := next(_plain_problems(), None)) is not None:
        where, reason = found
        return error_response(400, f"{where[0].upper()}{where[1:]} {reason}.")
    if request.is_json and request.endpoint is not None and request.method != "GET":
        if request.endpoint not in JSON_BODY_ENDPOINTS:
            # Flask-WTF reads a JSON body as form data, and a JSON list there is a 500.
            return error_response(415, "This address takes the page's form, not JSON.")
        if (problem := _json_problem()) is not None:
            return json_refusal(*problem)
    return None


class TextSafeResponse(Response):
    """A response whose text is sent even when it holds a lone surrogate, shown as U+FFFD.

    Text stored before the guard existed (SQLite keeps a JSON ``\\ud800`` escape) must still
    render: a strict UTF-8 encode of the page would make it a 500 on every view.
    """

    def set_data(self, value: bytes | str) -> None:
        if isinstance(value, str):
            value = _SURROGATE.sub("\ufffd", value).encode()
        super().set_data(value)


def init_request_guard(app: Flask) -> None:
    """Install the guard; call before any blueprint is registered (their rules bind the converter)."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.response_class = TextSafeResponse
    app.before_request(refuse_unsafe_request)
