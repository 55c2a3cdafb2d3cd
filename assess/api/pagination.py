"""Opaque cursors: a page ends at the last row it shows, and the next starts after it.

A cursor is the sort key of that last row, base64url-encoded so that clients treat it as opaque
(its form may change); rows added meanwhile never shift a page as an offset would.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from assess.api.problems import ApiProblem, FieldProblem


def cursor_after(last: int | str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": last}).encode()).decode().rstrip("=")


def _refused() -> ApiProblem:
    return ApiProblem(
        422,
        "Invalid request",
        "The cursor is not one this API gave; pass next_cursor back as it was.",
        "invalid-request",
        [FieldProblem(parameter="cursor", detail="not a cursor from this API")],
    )


def position(cursor: str | None, kind: type[int] | type[str]) -> Any:
    """The sort key a page starts after (None for the first page); a 422 problem for a foreign cursor."""
    if cursor is None:
        return None
    try:
        after = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))["after"]
    except (binascii.Error, ValueError, TypeError, KeyError):
        raise _refused() from None
    # bool is an int in Python; a cursor never holds one.
    if type(after) is not kind or (isinstance(after, int) and not 0 <= after < 2**31):
        raise _refused()
    return after
