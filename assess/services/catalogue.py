"""The banks as loaded from disk, and item versions as pinned in the database."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from assess.models import StoredItemVersion
from items.bank import Catalogue, ItemVersion, bank_files, item_version_from_content, load_banks


class PinnedVersionMissing(LookupError):
    """An attempt names an item version the database does not hold."""


class PinnedVersionAltered(RuntimeError):
    """Stored content no longer hashes to its version: someone edited a pinned row."""


def load_catalogue(bank_paths: Sequence[str]) -> Catalogue:
    """The catalogue of these bank files; ``BankInvalid`` lists every problem.

    Cached per file list and modification stamp: bank files are read-only input,
    so a file that did not change loads to the same catalogue.
    """
    stamps = []
    for path in bank_files(bank_paths):
        try:
            stat = path.stat()
        except OSError:
            return load_banks(bank_paths)  # names the missing file in its error
        stamps.append((str(path), stat.st_mtime_ns, stat.st_size))
    return _load_stamped(tuple(bank_paths), tuple(stamps))


@functools.lru_cache(maxsize=8)
def _load_stamped(bank_paths: tuple[str, ...], stamps: tuple[tuple[str, int, int], ...]) -> Catalogue:
    return load_banks(bank_paths)


#: Pinned versions already rebuilt in this process, by (item id, version). The version is
#: the hash of the content, so an entry is right for every database that holds the row;
#: the first load of each checks that hash (Invariant 3). Emptied when full: items are few.
_pinned: dict[tuple[str, str], ItemVersion] = {}
_PINNED_MAX = 4096


def pinned_item(session: Session, item_id: str, version: str) -> ItemVersion:
    """The exact item version an attempt showed, rebuilt from the database, never from a bank file."""
    cached = _pinned.get((item_id, version))
    if cached is not None:
        return cached
    stored = session.get(StoredItemVersion, (item_id, version))
    if stored is None:
        raise PinnedVersionMissing(f"item {item_id!r} version {version!r} is not stored")
    item = item_version_from_content(stored.content)
    # Invariant 3: a pinned version is immutable; content that no longer hashes to it was altered.
    if item.version != version:
        raise PinnedVersionAltered(
            f"stored content of item {item_id!r} version {version!r} hashes to {item.version!r}"
        )
    if len(_pinned) >= _PINNED_MAX:
        _pinned.clear()
    _pinned[(item_id, version)] = item
    return item


_STORED = select(StoredItemVersion.item_id, StoredItemVersion.version).where(
    StoredItemVersion.item_id.in_(bindparam("ids", expanding=True)),
    StoredItemVersion.version.in_(bindparam("versions", expanding=True)),
)


def pin_versions(session: Session, items: list[ItemVersion]) -> None:
    """Store each version's content once; concurrent attempts may pin the same versions."""
    wanted = {(item.item_id, item.version): item for item in items}
    if not wanted:
        return
    # Most Starts pin versions stored long ago: look first, and serialize only what is new.
    # Two flat IN lists, not one of (id, version) pairs: PostgreSQL nests a row IN as one
    # OR per pair, which overflows its stack on a large import; the few extra rows are dropped.
    for key in session.execute(
        _STORED, {"ids": sorted({i for i, _ in wanted}), "versions": sorted({v for _, v in wanted})}
    ):
        wanted.pop((key[0], key[1]), None)
    if not wanted:
        return
    rows = [
        {"item_id": item.item_id, "version": item.version, "type": item.type, "content": item.content()}
        for item in wanted.values()
    ]
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(postgresql.insert(StoredItemVersion).values(rows).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.execute(sqlite.insert(StoredItemVersion).values(rows).on_conflict_do_nothing())
    else:
        raise NotImplementedError(f"assess supports SQLite and PostgreSQL, not {dialect}")
