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

    The item's body goes along as validation context, so the model reads and refuses
    what the item's page reads and refuses, for the same reason (a ``ResponseError``
    naming the page's field); a wrong shape is a ``ResponseError`` naming the JSON field.
    """
    if data is None:
        return None
    try:
        response: Schema = item.item_type.response.model_validate(data, context={"body": item.body})
        return response
    except ValidationError as exc:
        if any(error["type"] == "string_unicode" for error in exc.errors(include_url=False)):
            # Text stored before lone surrogates were refused at the door: read them as U+FFFD,
            # so the answer still shows on its pages instead of failing them.
            return parse_response(item, _without_surrogates(data))
        first = exc.errors(include_url=False)[0]
        cause = first.get("ctx", {}).get("error")
        if isinstance(cause, ResponseError):
            raise cause from None
        field = ".".join(str(p) for p in first["loc"]) or "response"
        raise ResponseError(field, first["msg"]) from None


def _without_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, Mapping):
        return {_without_surrogates(k): _without_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_surrogates(v) for v in value]
    return value


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
