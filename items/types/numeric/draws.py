"""Per-attempt numbers: drawn from each param, then filled into the prompt."""

from __future__ import annotations

import random
import re
from decimal import Decimal, InvalidOperation

from items.base import Variant
from items.types.numeric.schema import PLACEHOLDER, Body, Key, Param


def draw(body: Body, rng: random.Random, shuffle: bool) -> Variant:
    if not body.params:
        return {}
    return {"params": {name: str(p.nth(rng.randrange(p.count()))) for name, p in body.params.items()}}


def realize(body: Body, key: Key, variant: Variant) -> tuple[Body, Key]:
    """The prompt with the drawn numbers filled in; they become the params' shown values.

    A drawn value that is missing, unreadable or not drawable falls back to the
    default, as a stale option order does, so a variant can never crash an attempt.
    """
    raw = variant.get("params")
    drawn: dict[str, object] = raw if isinstance(raw, dict) else {}
    params = {
        name: param.model_copy(update={"default": _drawn(param, drawn.get(name))})
        for name, param in body.params.items()
    }

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"{params[name].shown():,f}" if name in params else match.group(0)

    return body.model_copy(update={"prompt": PLACEHOLDER.sub(fill, body.prompt), "params": params}), key


def _drawn(param: Param, raw: object) -> Decimal:
    try:
        value = Decimal(raw) if isinstance(raw, (str, int)) and not isinstance(raw, bool) else None
    except InvalidOperation:
        value = None
    return value if value is not None and value.is_finite() and param.allows(value) else param.shown()
