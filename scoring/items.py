"""Scoring one response to one pinned item version."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from items.bank import ItemVersion
from items.base import Part, ResponseError, Schema, Score, Variant


def parse_response(item: ItemVersion, data: Mapping[str, Any] | None) -> Schema | None:
    """A stored or submitted JSON response as the type's response model.

    Raises ``ResponseError`` naming the field when the shape is wrong.
    """
    if data is None:
        return None
    try:
        response: Schema = item.item_type.response.model_validate(data)
        return response
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = ".".join(str(p) for p in first["loc"]) or "response"
        raise ResponseError(field, first["msg"]) from None


def max_points(item: ItemVersion, variant: Variant | None = None) -> Decimal:
    body, key = item.realize(variant or {})
    return item.item_type.max_points(body, key)


def score_item(item: ItemVersion, response: Schema | None, variant: Variant | None = None) -> Score:
    """Score a response against the exact version (and variant) the candidate saw.

    An unanswered item scores 0 of its maximum, with a part that says so.
    """
    body, key = item.realize(variant or {})
    item_type = item.item_type
    if response is None:
        top = item_type.max_points(body, key)
        return Score(Decimal(0), top, (Part("Answer", Decimal(0), top, "Not answered."),))
    return item_type.score(body, key, response)
