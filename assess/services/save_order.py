"""Which save of an answer is kept: the server decides, never a browser's clock (Invariant 4).

Every stored answer carries a revision the server assigns (+1 per stored change),
the device that stored it and that device's own edit counter. A save names the
revision its edit was based on, its device and its edit number:

- an edit no newer than one the server already has from that device: superseded (or, being
  the same content, "saved"). Within one device the candidate's last edit always wins,
  whatever order saves arrive in and whatever other devices did in between;
- the same content as stored: "saved" is true, and the device's edit is recorded
  (no new revision, no timeline event);
- the device that stored the answer: its later edit wins;
- another device, based on the stored revision: it wins (it saw what it replaces);
- another device, based on an older revision: a conflict. What is stored stays, and the
  save is answered as not stored, so no page says "Saved" for an answer that is not.

A plain form post without JavaScript has no device: only its base revision orders it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Outcome(Enum):
    STORE = "store"
    #: The stored answer is this device's too: record the device's edit, change nothing else.
    CONFIRM = "confirm"
    UNCHANGED = "unchanged"
    SUPERSEDED = "superseded"
    CONFLICT = "conflict"

    @property
    def writes(self) -> bool:
        return self in (Outcome.STORE, Outcome.CONFIRM)

    @property
    def is_saved(self) -> bool:
        """After this outcome, is the save's answer the stored one?"""
        return self in (Outcome.STORE, Outcome.CONFIRM, Outcome.UNCHANGED)


#: How many devices' last edits an answer remembers; the oldest is forgotten first.
MAX_DEVICES = 8


@dataclass(frozen=True)
class StoredAnswer:
    response: dict[str, Any] | None
    revision: int
    #: The device whose save is stored, and that save's edit number.
    device: str | None
    edit: int
    #: The newest edit seen from each device (see ``with_edit``).
    edits: Mapping[str, int] = field(default_factory=dict)
    #: Counts every write of the row; the compare-and-set a save makes checks it.
    stamp: int = 0


@dataclass(frozen=True)
class SaveOrder:
    """Where a save stands: what it was based on and who made it."""

    #: The stored revision the edit was made on.
    base: int
    #: None for a plain form post without JavaScript.
    device: str | None = None
    #: The device's own edit counter (1, 2, 3 ...); 0 without a device.
    edit: int = 0


@dataclass(frozen=True)
class SaveResult:
    outcome: Outcome
    #: The stored revision after this save: the client's base for its next edit.
    revision: int
    #: Whether the stored answer (this one or the one kept) answers the item.
    answered: bool


def decide_save(stored: StoredAnswer, response: dict[str, Any] | None, order: SaveOrder) -> Outcome:
    same_content = response == stored.response
    if order.device is not None and order.edit <= stored.edits.get(order.device, 0):
        return Outcome.UNCHANGED if same_content else Outcome.SUPERSEDED
    if same_content:
        return Outcome.UNCHANGED if order.device is None else Outcome.CONFIRM
    if order.device is not None and order.device == stored.device:
        return Outcome.STORE
    if order.base == stored.revision:
        return Outcome.STORE
    return Outcome.CONFLICT


def with_edit(edits: Mapping[str, int], order: SaveOrder) -> dict[str, int]:
    """``edits`` with this save's device at its edit, the most recent device last, bounded."""
    updated = {device: edit for device, edit in edits.items() if device != order.device}
    if order.device is not None:
        updated[order.device] = order.edit
    return dict(list(updated.items())[-MAX_DEVICES:])
