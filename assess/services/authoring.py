"""The live catalogue: the bank files overlaid with what the authoring pages saved.

An authored head replaces the file's version of its item, items authored in the browser
join their bank, authored forms replace file forms of the same id, and retired items are
left out of drawing. Read from the database on every request: the app keeps nothing in
process memory that another worker would need (design: storage and scale); what a process
caches is rebuilt from those rows whenever they differ.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from assess.models import AuthoredForm, AuthoredItem
from assess.services.authored_heads import AuthoredItemRow, head_items
from assess.services.live_forms import LiveForm, build_live_form, describe, form_spec_of, spec_item_ids
from items.bank import Catalogue, ItemVersion
from items.forms import FormSpec


@dataclass(frozen=True)
class LiveItem:
    """An item as the authoring pages show it: its head, where it comes from, whether it is retired."""

    item: ItemVersion
    #: The bank file's version of this item; None for items authored in the browser.
    file_version: str | None
    #: True when the head was saved in the browser (it replaces any file version).
    is_authored: bool
    retired_at: datetime | None
    retired_by: int | None

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


@dataclass(frozen=True)
class LiveBanks:
    """Every item (retired ones too) and form, and the catalogue attempts are drawn from."""

    items: dict[str, LiveItem]
    forms: dict[str, LiveForm]
    #: bank id -> its file, or "" for a bank that exists only in the browser.
    banks: dict[str, str]
    catalogue: Catalogue

    def bank_items(self, bank: str) -> list[LiveItem]:
        """The bank's items in file order, then those added in the browser (diffs stay small)."""
        return self._by_bank.get(bank, [])

    @functools.cached_property
    def _by_bank(self) -> dict[str, list[LiveItem]]:
        # Grouped once per build: the banks page asks for every bank's items.
        grouped: dict[str, list[LiveItem]] = {}
        for live in self.items.values():
            grouped.setdefault(live.item.bank, []).append(live)
        return grouped


AuthoredFormRow = tuple[str, str, str]
#: Live banks this process built, by the authored rows they were built from (and the bank files').
_LiveKey = tuple[tuple[AuthoredItemRow, ...], tuple[AuthoredFormRow, ...]]
_live_cache: dict[_LiveKey, tuple[Catalogue, LiveBanks]] = {}
#: One form's catalogue, by its form row and its items' authored rows (and the bank files').
_FormKey = tuple[str, AuthoredFormRow | None, tuple[AuthoredItemRow, ...]]
_form_cache: dict[_FormKey, tuple[Catalogue, Catalogue]] = {}
_LIVE_CACHE_MAX = 16
_FORM_CACHE_MAX = 64
# Built once: every candidate's instructions page and Start reads them.
_AUTHORED_ITEMS = select(
    AuthoredItem.item_id,
    AuthoredItem.bank_id,
    AuthoredItem.head_version,
    AuthoredItem.retired_at,
    AuthoredItem.retired_by,
).order_by(AuthoredItem.item_id)
_FORM_ITEMS = _AUTHORED_ITEMS.where(AuthoredItem.item_id.in_(bindparam("ids", expanding=True)))
_AUTHORED_FORMS = select(AuthoredForm.form_id, AuthoredForm.bank_id, AuthoredForm.content).order_by(
    AuthoredForm.form_id
)
_AUTHORED_FORM = select(AuthoredForm.bank_id, AuthoredForm.content).where(
    AuthoredForm.form_id == bindparam("form_id")
)


def live_banks(session: Session, file_catalogue: Catalogue) -> LiveBanks:
    """The bank files overlaid with the database's authored heads, retirements and forms."""
    authored_items = _item_rows(session.execute(_AUTHORED_ITEMS).all())
    authored_forms = tuple(
        (form_id, bank_id, json.dumps(content, sort_keys=True))
        for form_id, bank_id, content in session.execute(_AUTHORED_FORMS)
    )
    # Read from the database on every call, built only when it changed: head versions are
    # content hashes and forms are compared whole, so equal rows mean an equal catalogue.
    key = (authored_items, authored_forms)
    cached = _live_cache.get(key)
    if cached is not None and cached[0] is file_catalogue:
        return cached[1]
    live = _build_live_banks(
        file_catalogue, authored_items, head_items(session, authored_items), authored_forms
    )
    if len(_live_cache) >= _LIVE_CACHE_MAX:
        _live_cache.clear()
    _live_cache[key] = (file_catalogue, live)
    return live


def _item_rows(rows: Sequence[Sequence[Any]]) -> tuple[AuthoredItemRow, ...]:
    return tuple((row[0], row[1], row[2], row[3], row[4]) for row in rows)


def _overlay(
    items: dict[str, LiveItem],
    banks: dict[str, str],
    rows: Sequence[AuthoredItemRow],
    heads: Mapping[str, ItemVersion],
) -> None:
    """Put the authored heads and retirements over the file's items, in place."""
    for item_id, _, _, retired_at, retired_by in rows:
        known = items.get(item_id)
        head = heads.get(item_id)
        if head is not None:
            item = head
        elif known is not None:
            item = known.item
        else:
            continue  # retired while in a bank file that no longer has it: nothing to show
        banks.setdefault(item.bank, "")
        items[item_id] = LiveItem(
            item,
            known.file_version if known is not None else None,
            head is not None,
            retired_at,
            retired_by,
        )


def _build_live_banks(
    file_catalogue: Catalogue,
    rows: Sequence[AuthoredItemRow],
    heads: Mapping[str, ItemVersion],
    authored_forms: tuple[AuthoredFormRow, ...],
) -> LiveBanks:
    items = {
        item_id: LiveItem(item, item.version, False, None, None)
        for item_id, item in file_catalogue.items.items()
    }
    banks = dict(file_catalogue.banks)
    _overlay(items, banks, rows, heads)
    specs = {
        form_id: (form_spec_of(form), file_catalogue.form_banks.get(form_id, ""), False)
        for form_id, form in file_catalogue.forms.items()
    }
    for form_id, bank_id, content_json in authored_forms:
        specs[form_id] = (FormSpec.model_validate(json.loads(content_json)), bank_id, True)
        banks.setdefault(bank_id, "")
    return _assemble(items, specs, banks)


def _form_catalogue(session: Session, file_catalogue: Catalogue, form_id: str) -> Catalogue:
    """One form and its own items (pools included): all a candidate's link and Start need.

    Both queries name the form's items, so their size follows the form, never the catalogue
    (Invariant 8: 50,000 authored items must not slow a candidate down). Rows are read on
    every call and the catalogue rebuilt only when they differ, as ``live_banks`` does.
    """
    row = session.execute(_AUTHORED_FORM, {"form_id": form_id}).one_or_none()
    form_row: AuthoredFormRow | None = None
    if row is not None:
        form_row = (form_id, row.bank_id, json.dumps(row.content, sort_keys=True))
        ids = sorted(spec_item_ids(_spec_of(form_row[2])))
    elif form_id in file_catalogue.forms:
        ids = sorted(set(file_catalogue.forms[form_id].item_ids()))
    else:
        ids = []
    rows = _item_rows(session.execute(_FORM_ITEMS, {"ids": ids}).all())
    key = (form_id, form_row, rows)
    cached = _form_cache.get(key)
    if cached is not None and cached[0] is file_catalogue:
        return cached[1]
    in_files = [file_catalogue.items[item_id] for item_id in ids if item_id in file_catalogue.items]
    items = {item.item_id: LiveItem(item, item.version, False, None, None) for item in in_files}
    banks = dict(file_catalogue.banks)
    _overlay(items, banks, rows, head_items(session, rows))
    specs: dict[str, tuple[FormSpec, str, bool]] = {}
    if form_row is not None:
        specs[form_id] = (_spec_of(form_row[2]), form_row[1], True)
    elif form_id in file_catalogue.forms:
        bank = file_catalogue.form_banks.get(form_id, "")
        specs[form_id] = (form_spec_of(file_catalogue.forms[form_id]), bank, False)
    catalogue = _assemble(items, specs, banks).catalogue
    if len(_form_cache) >= _FORM_CACHE_MAX:
        _form_cache.clear()
    _form_cache[key] = (file_catalogue, catalogue)
    return catalogue


@functools.lru_cache(maxsize=64)
def _spec_of(content_json: str) -> FormSpec:
    return FormSpec.model_validate(json.loads(content_json))


def _assemble(
    items: dict[str, LiveItem], specs: dict[str, tuple[FormSpec, str, bool]], banks: dict[str, str]
) -> LiveBanks:
    retired = {item_id for item_id, live in items.items() if live.is_retired}
    drawable = {item_id: live.item for item_id, live in items.items() if not live.is_retired}
    forms: dict[str, LiveForm] = {}
    for form_id, (spec, bank, is_authored) in specs.items():
        form, blocking, warnings = build_live_form(spec, drawable, retired)
        forms[form_id] = LiveForm(spec, bank, is_authored, form, blocking, warnings)
    catalogue = Catalogue(
        items=drawable,
        forms={form_id: live.form for form_id, live in forms.items()},
        banks=banks,
        form_banks={form_id: live.bank for form_id, live in forms.items()},
        form_problems={
            form_id: [describe(p) for p in live.blocking] for form_id, live in forms.items() if live.blocking
        },
    )
    return LiveBanks(items=items, forms=forms, banks=banks, catalogue=catalogue)


def live_catalogue(session: Session, file_catalogue: Catalogue, form_id: str | None = None) -> Catalogue:
    """The catalogue new attempts draw from: authored heads, authored forms, no retired items.

    With ``form_id``, only that form and its items: what a candidate's request reads.
    """
    if form_id is not None:
        return _form_catalogue(session, file_catalogue, form_id)
    return live_banks(session, file_catalogue).catalogue


def with_item(live: LiveBanks, item: ItemVersion) -> LiveBanks:
    """The banks as they would be with ``item`` saved as its item's head (to check a save first)."""
    known = live.items.get(item.item_id)
    items = dict(live.items)
    items[item.item_id] = LiveItem(
        item,
        known.file_version if known else None,
        True,
        known.retired_at if known else None,
        known.retired_by if known else None,
    )
    specs = {form_id: (f.spec, f.bank, f.is_authored) for form_id, f in live.forms.items()}
    banks = dict(live.banks)
    banks.setdefault(item.bank, "")
    return _assemble(items, specs, banks)
