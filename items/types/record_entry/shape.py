"""What other formats can hold of a record: typed text gaps, or a selection of table rows."""

from __future__ import annotations

from items.base import Option
from items.shapes import NoFaithfulTarget, Selection, TextGap, TypedTexts
from items.types.record_entry.entries import Body, FlagsEntry, Table, TextEntry
from items.types.record_entry.expected import FlagsExpected, Key, TextExpected

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
