"""What a record item shows: the prompt, call notes, a reference table and the fields to fill."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from items.base import Option, Schema


class Row(Schema):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    cells: list[str]


class Table(Schema):
    """Reference data shown read-only; a ``flags`` field puts a checkbox on each row."""

    caption: str = ""
    columns: list[str] = Field(min_length=1)
    rows: list[Row] = Field(min_length=1)


class _Entry(Schema):
    # No hyphen in ids: ordered lists name their inputs ``<id>-<position>``.
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1)
    hint: str = ""


class TextEntry(_Entry):
    kind: Literal["text"]


class DateEntry(_Entry):
    kind: Literal["date"]


class AmountEntry(_Entry):
    kind: Literal["amount"]


class ChoiceEntry(_Entry):
    kind: Literal["choice"]
    options: list[Option] = Field(min_length=2)


class OrderedListEntry(_Entry):
    kind: Literal["ordered_list"]
    count: int = Field(ge=2, le=20)


class FlagsEntry(_Entry):
    kind: Literal["flags"]


Entry = Annotated[
    TextEntry | DateEntry | AmountEntry | ChoiceEntry | OrderedListEntry | FlagsEntry,
    Field(discriminator="kind"),
]


class Body(Schema):
    prompt: str = Field(min_length=1)
    notes: str = ""
    table: Table | None = None
    fields: list[Entry] = Field(min_length=1)


def row_ids(body: Body) -> list[str]:
    return [r.id for r in body.table.rows] if body.table else []
