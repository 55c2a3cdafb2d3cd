"""A record's key checked against its body: every field keyed, kinds agreeing, rows and options known."""

from __future__ import annotations

from items.base import Problem, option_problems
from items.types.record_entry.entries import Body, ChoiceEntry, Entry, OrderedListEntry, Table, row_ids
from items.types.record_entry.expected import (
    ChoiceExpected,
    Expected,
    FlagsExpected,
    Key,
    OrderedListExpected,
)


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
    rows = row_ids(body)
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
