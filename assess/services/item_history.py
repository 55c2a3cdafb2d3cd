"""An item's saved versions, any one of them as it was, and a readable diff between two."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assess.models import ItemVersionLog, StaffUser
from assess.services.authored_items import item_yaml
from assess.services.authoring import LiveBanks
from assess.services.catalogue import PinnedVersionMissing, pinned_item
from items.bank import ItemVersion


@dataclass(frozen=True)
class HistoryEntry:
    number: int
    version: str
    saved_at: datetime
    saved_by: StaffUser | None
    note: str


@dataclass(frozen=True)
class DiffLine:
    """One line of a unified diff; ``kind`` is "added", "removed", "context" or "hunk"."""

    kind: str
    text: str


def item_history(session: Session, item_id: str) -> list[HistoryEntry]:
    """Every save of the item, oldest first, numbered from 1."""
    rows = session.execute(
        select(ItemVersionLog, StaffUser)
        .outerjoin(StaffUser, StaffUser.id == ItemVersionLog.saved_by)
        .where(ItemVersionLog.item_id == item_id)
        .order_by(ItemVersionLog.saved_at, ItemVersionLog.id)
    ).all()
    return [
        HistoryEntry(number, log.version, log.saved_at, user, log.note)
        for number, (log, user) in enumerate(rows, start=1)
    ]


def item_version(session: Session, live: LiveBanks, item_id: str, version: str | None) -> ItemVersion:
    """The head (``version`` None), or a version stored for this item; ``PinnedVersionMissing`` else."""
    current = live.items.get(item_id)
    if current is None:
        raise PinnedVersionMissing(f"no item {item_id!r}")
    if version is None or version == current.item.version:
        return current.item
    return pinned_item(session, item_id, version)


def diff_versions(older: ItemVersion, newer: ItemVersion) -> list[DiffLine]:
    """The two versions as bank-file YAML, compared line by line (empty when they are the same)."""
    lines = difflib.unified_diff(
        item_yaml(older).splitlines(),
        item_yaml(newer).splitlines(),
        fromfile=f"version {older.version}",
        tofile=f"version {newer.version}",
        lineterm="",
        n=3,
    )
    diff: list[DiffLine] = []
    for line in lines:
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            diff.append(DiffLine("hunk", line))
        elif line.startswith("+"):
            diff.append(DiffLine("added", line[1:]))
        elif line.startswith("-"):
            diff.append(DiffLine("removed", line[1:]))
        else:
            diff.append(DiffLine("context", line[1:]))
    return diff
