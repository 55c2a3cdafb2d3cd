"""Which save of an answer is kept: the server decides, never a browser's clock (Invariant 4).

Every stored answer carries a revision the server assigns (+1 per stored change),
the device that stored it and that device's own edit counter. A save names the
revision its edit was based on, its device and its edit number:

- the same content as stored: nothing to write, and saying "saved" is true;
- the device that stored the answer: its later edit wins, an earlier one is superseded
  (within one device the candidate's last edit always wins, whatever order saves arrive in);
- another device, based on the stored revision: it wins (it saw what it replaces);
- another device, based on an older revision: a conflict. What is stored stays, and the
  save is answered as not stored, so no page says "Saved" for an answer that is not.

A plain form post without JavaScript has no device: only its base revision orders it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any


class Outcome(Enum):
    STORE = "store"
    UNCHANGED = "unchanged"
    SUPERSEDED = "superseded"
    CONFLICT = "conflict"

    @property
    def is_saved(self) -> bool:
        """After this outcome, is the save's answer the stored one?"""
        return self in (Outcome.STORE, Outcome.UNCHANGED)


@dataclass(frozen=True)
class StoredAnswer:
    response: dict[str, Any] | None
    revision: int
    device: str | None
    edit: int


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
    if response == stored.response:
        return Outcome.UNCHANGED
    if order.device is not None and order.device == stored.device:
        return Outcome.STORE if order.edit > stored.edit else Outcome.SUPERSEDED
    if order.base == stored.revision:
        return Outcome.STORE
    return Outcome.CONFLICT
