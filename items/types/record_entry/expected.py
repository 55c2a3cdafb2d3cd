"""What a record item's key expects in each field, and the points each field is worth."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

from items.base import Schema


class _Expected(Schema):
    points: Decimal = Field(default=Decimal(1), gt=0)


class TextExpected(_Expected):
    """Compared ignoring spacing, and case unless ``case_sensitive``; ``accept``: other right spellings."""

    kind: Literal["text"]
    value: str = Field(pattern=r"\S")
    accept: list[str] = Field(default_factory=list)
    case_sensitive: bool = False


class DateExpected(_Expected):
    kind: Literal["date"]
    value: datetime.date


class AmountExpected(_Expected):
    kind: Literal["amount"]
    value: Decimal
    tolerance: Decimal = Field(default=Decimal(0), ge=0)


class ChoiceExpected(_Expected):
    kind: Literal["choice"]
    value: str


class OrderedListExpected(_Expected):
    """All ``points`` or none: a list is in order or it is not (the seed's "not sorted" miss)."""

    kind: Literal["ordered_list"]
    value: list[str] = Field(min_length=2)


class FlagsExpected(_Expected):
    """Rows that must be flagged.

    ``exact``: ``points`` only for exactly this set. ``per_row``: ``points`` per
    row, earned as (rows hit - rows flagged wrongly), never below 0.
    """

    kind: Literal["flags"]
    value: list[str]
    rule: Literal["exact", "per_row"] = "per_row"


Expected = Annotated[
    TextExpected | DateExpected | AmountExpected | ChoiceExpected | OrderedListExpected | FlagsExpected,
    Field(discriminator="kind"),
]


class Key(Schema):
    fields: dict[str, Expected]
