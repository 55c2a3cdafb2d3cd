"""What a numeric item holds: the prompt and its unit, the params drawn into it, and the key."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from items.base import Schema

MAX_WHOLE_DIGITS = 15
MAX_PLACES = 8
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
MAX_ALSO = 20

#: An author's number: bounded so that draws and checks stay within Decimal's precision.
Amount = Annotated[Decimal, Field(max_digits=MAX_WHOLE_DIGITS + MAX_PLACES, decimal_places=MAX_PLACES)]


class Param(Schema):
    """A number drawn per attempt: from ``choices``, or from ``min``..``max`` in ``step``s.

    ``default`` is what a preview (or an attempt without a draw) shows; it must be drawable.
    """

    min: Amount | None = None
    max: Amount | None = None
    step: Amount = Field(default=Decimal(1), gt=0)
    choices: list[Amount] | None = Field(default=None, min_length=1)
    default: Amount | None = None

    @model_validator(mode="after")
    def _one_way_to_draw(self) -> Param:
        ranged = self.min is not None or self.max is not None
        if ranged == (self.choices is not None):
            raise ValueError("give either min and max (with an optional step) or choices")
        if ranged and (self.min is None or self.max is None or self.min > self.max):
            raise ValueError("a range needs both min and max, with min <= max")
        if self.default is not None and not self.allows(self.default):
            raise ValueError(f"default {self.default} is not a value this param can draw")
        return self

    def allows(self, value: Decimal) -> bool:
        if self.choices is not None:
            return value in self.choices
        assert self.min is not None and self.max is not None
        return self.min <= value <= self.max and (value - self.min) % self.step == 0

    def count(self) -> int:
        """How many values this param can draw."""
        if self.choices is not None:
            return len(self.choices)
        assert self.min is not None and self.max is not None
        return int((self.max - self.min) // self.step) + 1

    def nth(self, index: int) -> Decimal:
        if self.choices is not None:
            return self.choices[index]
        assert self.min is not None
        return self.min + index * self.step

    def shown(self) -> Decimal:
        """The value a candidate sees: the drawn one once realized, else the default."""
        return self.default if self.default is not None else self.nth(0)


class Body(Schema):
    """``unit`` decides how numbers are read and shown: "$675.00", "10%", "6,000"."""

    prompt: str = Field(min_length=1)
    unit: Literal["currency", "percent", "plain"] = "plain"
    symbol: str = Field(default="$", min_length=1, max_length=3)
    label: str = "Your answer"
    params: dict[str, Param] = Field(default_factory=dict)


class Alternative(Schema):
    """Another right answer to a fixed-value key, right within its own (absolute) ``tolerance``."""

    value: Amount
    tolerance: Amount = Field(default=Decimal(0), ge=0)


class Key(Schema):
    """Exactly one of ``answer`` (a formula over the params) or a fixed ``value``.

    A response is right within ``tolerance`` (absolute) or ``relative_tolerance``
    (a fraction of the expected value), whichever is wider, or when it matches one of
    the ``also`` alternatives (fixed values only: a formula key stays single).
    Percentages are keyed in percent: 12.5, not 0.125.
    """

    answer: str | None = Field(default=None, min_length=1, max_length=500)
    value: Amount | None = None
    tolerance: Amount = Field(default=Decimal(0), ge=0)
    relative_tolerance: Amount = Field(default=Decimal(0), ge=0, lt=1)
    also: list[Alternative] = Field(default_factory=list, max_length=MAX_ALSO)
    points: Decimal = Field(default=Decimal(1), gt=0)

    @model_serializer(mode="wrap")
    def _without_empty_also(self, handler: SerializerFunctionWrapHandler) -> object:
        # A key without alternatives keeps the content, and so the version hash, it had before ``also``.
        data = handler(self)
        if isinstance(data, dict) and not self.also:
            data.pop("also", None)
        return data
