"""Authored head versions, rebuilt from their stored content once per process and shared by every read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session

from assess.models import AuthoredItem, StoredItemVersion
from items.bank import ItemVersion, item_version_from_content

AuthoredItemRow = tuple[str, str, str | None, datetime | None, int | None]
#: Authored head versions this process rebuilt, by (item id, version, bank). A version is the
#: hash of its content, so an entry is right for every database and worker: a save rebuilds
#: one item, not the catalogue. Emptied when full.
_heads: dict[tuple[str, str, str], ItemVersion] = {}
_HEADS_MAX = 250_000
#: Past this many heads to rebuild, read every head's content at once rather than by id.
_BY_ID_MAX = 500
# Every head's content by a join on the head version: set-based, so the statement's size never
# follows the catalogue (an IN list of every (id, head) pair overflowed PostgreSQL's stack).
_HEAD_CONTENTS = select(AuthoredItem.item_id, AuthoredItem.head_version, StoredItemVersion.content).join(
    StoredItemVersion,
    and_(
        StoredItemVersion.item_id == AuthoredItem.item_id,
        StoredItemVersion.version == AuthoredItem.head_version,
    ),
)
# A few versions' content (a save, a form's items); pairs outside the wanted ones are dropped.
_VERSION_CONTENTS = select(
    StoredItemVersion.item_id, StoredItemVersion.version, StoredItemVersion.content
).where(
    StoredItemVersion.item_id.in_(bindparam("ids", expanding=True)),
    StoredItemVersion.version.in_(bindparam("versions", expanding=True)),
)


def head_items(session: Session, rows: Sequence[AuthoredItemRow]) -> dict[str, ItemVersion]:
    """Each row's authored head version, rebuilt from its stored content only once per process."""
    wanted = {(item_id, version, bank) for item_id, bank, version, _, _ in rows if version is not None}
    missing = wanted - _heads.keys()
    if missing:
        if len(_heads) + len(missing) > _HEADS_MAX:
            _heads.clear()
            missing = wanted
        banks = {item_id: bank for item_id, _, bank in missing}
        if len(missing) > _BY_ID_MAX:
            found = session.execute(_HEAD_CONTENTS)
        else:
            ids, versions = sorted(banks), sorted({version for _, version, _ in missing})
            found = session.execute(_VERSION_CONTENTS, {"ids": ids, "versions": versions})
        for item_id, version, content in found:
            key = (item_id, version, banks.get(item_id, ""))
            if key in missing:
                _heads[key] = item_version_from_content(content, bank=key[2], source="authored in assess")
        for item_id, version, bank in missing - _heads.keys():
            # The head moved between the two reads: this row's version is still stored (Invariant 3).
            content = session.execute(_VERSION_CONTENTS, {"ids": [item_id], "versions": [version]}).one()[2]
            _heads[(item_id, version, bank)] = item_version_from_content(
                content, bank=bank, source="authored in assess"
            )
    return {item_id: _heads[(item_id, version, bank)] for item_id, version, bank in wanted}
