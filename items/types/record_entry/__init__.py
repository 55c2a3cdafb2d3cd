"""CRM data entry and multi-step spreadsheet instructions: notes in, record fields out.

Every field is scored on its own, so a partial record earns what it got right.
Dates and amounts are typed rather than picked: finding the right value in the
notes (the renewal date that moved, the new seat count) is what is tested.
"""

from __future__ import annotations

from items.base import ItemType
from items.types.record_entry.checks import check
from items.types.record_entry.entries import Body
from items.types.record_entry.expected import FlagsExpected, Key, TextExpected
from items.types.record_entry.reading import Response, normalise
from items.types.record_entry.scoring import max_points, score
from items.types.record_entry.shape import shape
from items.types.record_entry.simulation import simulate

__all__ = [
    "TYPE",
    "Body",
    "FlagsExpected",
    "Key",
    "Response",
    "TextExpected",
    "check",
    "max_points",
    "normalise",
    "score",
]


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
