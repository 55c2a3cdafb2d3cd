"""CRM data entry and multi-step spreadsheet instructions: notes in, record fields out.

Every field is scored on its own, so a partial record earns what it got right.
Dates and amounts are typed rather than picked: finding the right value in the
notes (the renewal date that moved, the new seat count) is what is tested.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, model_validator

from items.base import (
    Form,
    ItemType,
    Option,
    Part,
    Problem,
    ResponseError,
    Schema,
    Score,
    body_of,
    first_value,
    option_problems,
)
from items.shapes import NoFaithfulTarget, Selection, TextGap, TypedTexts
from items.simulation import Answerer, misspelled
from items.values import parse_amount, parse_date, show_date

MAX_ENTRY_CHARACTERS = 300


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


class Response(Schema):
    """Field id -> what was typed (whitespace collapsed); ordered lists and flags are lists."""

    fields: dict[str, str | list[str]]

    @model_validator(mode="before")
    @classmethod
    def _as_the_page_reads(cls, data: Any, info: ValidationInfo) -> Any:
        body = body_of(info)
        fields = data.get("fields") if isinstance(data, dict) else None
        if body is None or not isinstance(fields, dict):
            return data
        _check_known(body, fields)
        entries = {entry.id: entry for entry in body.fields}
        read = {name: _entry_value(body, entries[name], v) for name, v in fields.items() if v is not None}
        return {**data, "fields": {name: value for name, value in read.items() if value}}


Given = str | list[str] | None


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


def _entry_text(field: str, raw: str) -> str:
    text = " ".join(raw.split())
    if len(text) > MAX_ENTRY_CHARACTERS:
        raise ResponseError(field, f"is longer than {MAX_ENTRY_CHARACTERS} characters")
    return text


def _interpret(entry: Entry, text: str) -> str | datetime.date | Decimal:
    """A single typed value as its kind reads it: folded text, a date, an amount or an option id."""
    try:
        if isinstance(entry, DateEntry):
            return parse_date(text)
        if isinstance(entry, AmountEntry):
            return parse_amount(text)
    except ValueError as exc:
        raise ResponseError(entry.id, str(exc)) from None
    if isinstance(entry, ChoiceEntry):
        if text not in {o.id for o in entry.options}:
            raise ResponseError(entry.id, f"{text!r} is not one of the options")
        return text
    return _folded(text)


def _row_ids(body: Body) -> list[str]:
    return [r.id for r in body.table.rows] if body.table else []


def _flagged(body: Body, field: str, chosen: set[str]) -> list[str]:
    rows = _row_ids(body)
    unknown = sorted(chosen - set(rows))
    if unknown:
        raise ResponseError(field, f"{unknown[0]!r} is not a row of the table")
    return [r for r in rows if r in chosen]


def _sent(entry: Entry, form: Form) -> str | list[str]:
    """What the page sends for one field: ordered lists as ``<id>-<position>`` inputs."""
    if isinstance(entry, OrderedListEntry):
        return [first_value(form, f"{entry.id}-{n}") for n in range(1, entry.count + 1)]
    if isinstance(entry, FlagsEntry):
        return list(form.get(entry.id) or [])
    return first_value(form, entry.id)


def _entry_value(body: Body, entry: Entry, given: object) -> str | list[str]:
    """One field's answer as stored, from what the page sent or JSON gave; blank when unanswered."""
    if isinstance(entry, OrderedListEntry):
        if not isinstance(given, list) or len(given) != entry.count:
            raise ResponseError(entry.id, f"expected a list of {entry.count} names")
        texts = [_entry_text(f"{entry.id}-{n}", str(g)) for n, g in enumerate(given, start=1)]
        return texts if any(texts) else ""
    if isinstance(entry, FlagsEntry):
        if not isinstance(given, list):
            raise ResponseError(entry.id, "expected a list of row ids")
        return _flagged(body, entry.id, {str(v).strip() for v in given if str(v).strip()})
    if isinstance(given, list):
        raise ResponseError(entry.id, "expected a single value, got a list")
    if not isinstance(given, str):
        raise ResponseError(entry.id, "expected text, as typed")
    text = _entry_text(entry.id, given)
    if text:
        _interpret(entry, text)
    return text


def normalise(body: Body, form: Form) -> Response | None:
    answers = {entry.id: _entry_value(body, entry, _sent(entry, form)) for entry in body.fields}
    answered = {field: value for field, value in answers.items() if value}
    return Response(fields=answered) if answered else None


def _show_expected(entry: Entry, expected: Expected) -> str:
    if isinstance(expected, DateExpected):
        return show_date(expected.value)
    if isinstance(expected, AmountExpected):
        return f"{expected.value:,}"
    if isinstance(expected, ChoiceExpected) and isinstance(entry, ChoiceEntry):
        return next((o.text for o in entry.options if o.id == expected.value), expected.value)
    if isinstance(expected, OrderedListExpected | FlagsExpected):
        return ", ".join(expected.value) or "nothing"
    return expected.value


def _text_matches(expected: TextExpected, given: str) -> bool:
    def compared(text: str) -> str:
        return " ".join(text.split()) if expected.case_sensitive else _folded(text)

    return compared(given) in {compared(t) for t in (expected.value, *expected.accept)}


def _single(entry: Entry, expected: Expected, given: str) -> tuple[Decimal, str]:
    value = _interpret(entry, given)
    right = _show_expected(entry, expected)
    if isinstance(expected, TextExpected):
        is_right = _text_matches(expected, given)
        right += " (case matters)" if expected.case_sensitive else ""
    elif isinstance(expected, AmountExpected) and isinstance(value, Decimal):
        is_right = abs(value - expected.value) <= expected.tolerance
    else:
        is_right = value == expected.value
    if isinstance(entry, ChoiceEntry):
        shown = next(o.text for o in entry.options if o.id == value)
    else:
        read_as = show_date(value) if isinstance(value, datetime.date) else given
        shown = repr(given) + (f" (read as {read_as})" if read_as != given else "")
    if is_right:
        return expected.points, f"Entered {shown}, which matches the expected {right}."
    return Decimal(0), f"Entered {shown}; expected {right}."


def _ordered(entry: OrderedListEntry, expected: OrderedListExpected, given: list[str]) -> tuple[Decimal, str]:
    if len(given) != entry.count:
        raise ResponseError(entry.id, f"expected {entry.count} entries, got {len(given)}")
    mine, keyed = [_folded(g) for g in given], [_folded(k) for k in expected.value]
    shown = ", ".join(g or "(blank)" for g in given)
    if mine == keyed:
        return expected.points, f"Entered {shown}: the expected names in the expected order."
    if sorted(mine) == sorted(keyed):
        order = ", ".join(expected.value)
        return Decimal(0), f"Entered {shown}: the right names in the wrong order; expected {order}."
    position = next(i for i, (g, k) in enumerate(zip(mine, keyed, strict=True)) if g != k)
    return Decimal(0), (
        f"Entered {shown}; position {position + 1} is {given[position] or '(blank)'!r} where "
        f"{expected.value[position]!r} was expected (full order: {', '.join(expected.value)})."
    )


def _flags(expected: FlagsExpected, given: list[str]) -> tuple[Decimal, str]:
    chosen, keyed = set(given), set(expected.value)
    hits = [r for r in given if r in keyed]
    false = [r for r in given if r not in keyed]
    missed = [r for r in expected.value if r not in chosen]
    summary = (
        f"flagged correctly: {', '.join(hits) or 'none'}; missed: {', '.join(missed) or 'none'}; "
        f"flagged wrongly: {', '.join(false) or 'none'}"
    )
    if expected.rule == "exact":
        earned = expected.points if chosen == keyed else Decimal(0)
        return earned, f"Exactly the keyed rows earn the points; {summary}."
    net = min(max(len(hits) - len(false), 0), len(keyed))
    return expected.points * net, (
        f"{len(hits)} right minus {len(false)} wrong = {net} of {len(keyed)} rows; {summary}."
    )


def _earned(body: Body, entry: Entry, expected: Expected, given: Given) -> tuple[Decimal, str]:
    if isinstance(entry, FlagsEntry) and isinstance(expected, FlagsExpected):
        if isinstance(given, str) and given:
            raise ResponseError(entry.id, "expected a list of row ids")
        return _flags(expected, _flagged(body, entry.id, set(given or [])))
    if not given:
        return Decimal(0), f"Left blank; expected {_show_expected(entry, expected)}."
    if isinstance(entry, OrderedListEntry) and isinstance(expected, OrderedListExpected):
        if not isinstance(given, list):
            raise ResponseError(entry.id, "expected a list of names")
        return _ordered(entry, expected, [_entry_text(entry.id, g) for g in given])
    if isinstance(given, list):
        raise ResponseError(entry.id, "expected a single value, got a list")
    return _single(entry, expected, _entry_text(entry.id, given))


def _check_known(body: Body, given: Iterable[str]) -> None:
    known = [e.id for e in body.fields]
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ResponseError("fields", f"{unknown[0]!r} is not a field of this record: {', '.join(known)}")


def score(body: Body, key: Key, response: Response) -> Score:
    _check_known(body, response.fields)
    parts: list[Part] = []
    for entry in body.fields:
        expected = key.fields[entry.id]
        earned, why = _earned(body, entry, expected, response.fields.get(entry.id))
        parts.append(Part(entry.label, earned, _field_max(expected), why))
    return Score(sum((p.points for p in parts), Decimal(0)), max_points(body, key), tuple(parts))


def _field_max(expected: Expected) -> Decimal:
    if isinstance(expected, FlagsExpected) and expected.rule == "per_row":
        return expected.points * len(expected.value)
    return expected.points


def max_points(body: Body, key: Key) -> Decimal:
    return sum((_field_max(key.fields[e.id]) for e in body.fields if e.id in key.fields), Decimal(0))


def _table_problems(table: Table | None) -> list[Problem]:
    if table is None:
        return []
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, row in enumerate(table.rows):
        if row.id in seen:
            problems.append(Problem(f"body.table.rows[{index}].id", f"duplicate row id {row.id!r}"))
        seen.add(row.id)
        if len(row.cells) != len(table.columns):
            message = f"has {len(row.cells)} cells for {len(table.columns)} columns"
            problems.append(Problem(f"body.table.rows[{index}].cells", message))
    return problems


def _entry_problems(body: Body, index: int, entry: Entry, expected: Expected) -> list[Problem]:
    where = f"key.fields.{entry.id}"
    if expected.kind != entry.kind:
        return [Problem(f"{where}.kind", f"is {expected.kind!r} but the field is {entry.kind!r}")]
    if isinstance(entry, ChoiceEntry) and isinstance(expected, ChoiceExpected):
        options = f"body.fields[{index}].options"
        problems = option_problems(entry.options, {f"{where}.value": expected.value})
        return [Problem(p.field.replace("body.options", options), p.message) for p in problems]
    if (
        isinstance(entry, OrderedListEntry)
        and isinstance(expected, OrderedListExpected)
        and len(expected.value) != entry.count
    ):
        return [Problem(f"{where}.value", f"lists {len(expected.value)} names; the field has {entry.count}")]
    if isinstance(expected, FlagsExpected):
        return _flag_problems(body, index, where, expected)
    return []


def _flag_problems(body: Body, index: int, where: str, expected: FlagsExpected) -> list[Problem]:
    if body.table is None:
        return [Problem(f"body.fields[{index}]", "a flags field needs body.table, to flag its rows")]
    rows = _row_ids(body)
    problems = [
        Problem(f"{where}.value[{i}]", f"names row {row!r}, which is not one of: {', '.join(rows)}")
        for i, row in enumerate(expected.value)
        if row not in rows
    ]
    if len(set(expected.value)) != len(expected.value):
        problems.append(Problem(f"{where}.value", "names a row more than once"))
    if expected.rule == "per_row" and not expected.value:
        problems.append(Problem(f"{where}.rule", "per_row needs at least one row to flag; use exact"))
    return problems


def check(body: Body, key: Key) -> list[Problem]:
    problems = _table_problems(body.table)
    ids = [e.id for e in body.fields]
    for index, entry in enumerate(body.fields):
        if entry.id in ids[:index]:
            problems.append(Problem(f"body.fields[{index}].id", f"duplicate field id {entry.id!r}"))
        elif entry.id not in key.fields:
            problems.append(Problem("key.fields", f"field {entry.id!r} has no key"))
        else:
            problems.extend(_entry_problems(body, index, entry, key.fields[entry.id]))
    for field in key.fields:
        if field not in ids:
            problems.append(Problem(f"key.fields.{field}", f"names {field!r}, which is not in body.fields"))
    return problems


#: Why a field of each kind has no form elsewhere, when it is not the whole question.
_NO_FORM = {
    "date": "is a date, read from 'March 4, 2026' or '2026-03-04'; other formats compare it as text",
    "amount": "is an amount, read from '$12,000' or '12000'; other formats compare it as text",
    "choice": "is a choice inside a record; other formats ask a choice as a question of its own",
    "ordered_list": "is an ordered list of names, which other formats have no entry for",
    "flags": "flags table rows beside other fields; other formats ask a selection as a question of its own",
}


def shape(body: Body, key: Key) -> TypedTexts | Selection | NoFaithfulTarget:
    """Typed text fields are gaps; one flags field over a one-column table is a selection.

    Anything else a record holds (dates, amounts, choices, ordered lists, a table beside other
    fields) is scored in ways other formats cannot hold; the reason names the first such field.
    """
    prompt = "\n\n".join(text for text in (body.prompt, body.notes) if text.strip())
    pairs = [(entry, key.fields[entry.id]) for entry in body.fields]
    first, expected = pairs[0]
    if len(pairs) == 1 and isinstance(first, FlagsEntry) and isinstance(expected, FlagsExpected):
        return _selection(prompt, body.table, first, expected)
    other = next((entry for entry, _ in pairs if not isinstance(entry, TextEntry)), None)
    if other is not None:
        return NoFaithfulTarget(f"field {other.id!r} {_NO_FORM[other.kind]}")
    if body.table is not None:
        return NoFaithfulTarget(
            f"field {first.id!r} is typed beside a reference table, which other formats have no place for"
        )
    gaps = tuple(
        TextGap(
            entry.id,
            entry.label,
            entry.hint,
            tuple(dict.fromkeys((x.value, *x.accept))),
            x.case_sensitive,
            x.points,
        )
        for entry, x in pairs
        if isinstance(x, TextExpected)
    )
    return TypedTexts(prompt, gaps)


def _selection(
    prompt: str, table: Table | None, entry: FlagsEntry, expected: FlagsExpected
) -> Selection | NoFaithfulTarget:
    if table is None or len(table.columns) != 1 or table.caption:
        columns = len(table.columns) if table else 0
        caption = " and a caption" if table and table.caption else ""
        return NoFaithfulTarget(
            f"field {entry.id!r} flags rows of a table with {columns} column(s){caption}; "
            "other formats offer options of one text each"
        )
    if not expected.value:
        return NoFaithfulTarget(
            f"field {entry.id!r} is right only when nothing is flagged, which other formats cannot key"
        )
    options = tuple(Option(id=row.id, text=row.cells[0]) for row in table.rows)
    return Selection(
        prompt, entry.label, options, tuple(expected.value), expected.rule == "exact", expected.points
    )


def simulate(body: Body, key: Key, who: Answerer) -> Form:
    form: dict[str, list[str]] = {}
    for entry in body.fields:
        expected = key.fields[entry.id]
        shift = who.rng.uniform(-0.6, 0.6)
        if isinstance(expected, FlagsExpected):
            keyed = set(expected.value)
            form[entry.id] = [
                row
                for row in _row_ids(body)
                if (who.gets(shift) if row in keyed else who.rng.random() < 0.3 * (1 - who.chance()))
            ]
            continue
        value = _simulated_value(entry, expected, who, who.gets(shift))
        if isinstance(value, list):
            for number, name in enumerate(value, start=1):
                form[f"{entry.id}-{number}"] = [name]
        else:
            form[entry.id] = [value]
    return form


def _simulated_value(entry: Entry, expected: Expected, who: Answerer, right: bool) -> str | list[str]:
    rng = who.rng
    if isinstance(expected, OrderedListExpected):
        names = list(expected.value)
        if not right:
            swap = rng.randrange(len(names) - 1)
            names[swap], names[swap + 1] = names[swap + 1], names[swap]
        return names
    if isinstance(expected, DateExpected):
        slip = datetime.timedelta(days=rng.choice((-30, -1, 1, 7))) if not right else datetime.timedelta(0)
        day = expected.value + slip
        return rng.choice((f"{day:%B} {day.day}, {day.year}", day.isoformat(), f"{day:%m/%d/%Y}"))
    if isinstance(expected, AmountExpected):
        amount = expected.value if right else expected.value * Decimal(rng.choice(("0.8", "0.9", "1.1")))
        amount = amount.quantize(Decimal("0.01")) if amount != amount.to_integral() else amount.to_integral()
        return rng.choice((f"{amount:f}", f"{amount:,f}"))
    if isinstance(expected, ChoiceExpected) and isinstance(entry, ChoiceEntry):
        return expected.value if right else who.wrong_pick([o.id for o in entry.options], expected.value)
    text = str(expected.value)
    return text if right else misspelled(text, rng)


TYPE = ItemType(
    name="record_entry",
    description="Enter call notes or instructions into record fields (CRM data entry, account plan).",
    body=Body,
    key=Key,
    response=Response,
    normalise=normalise,
    score=score,
    max_points=max_points,
    check=check,
    shape=shape,
    simulate=simulate,
)
