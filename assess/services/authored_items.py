"""Saving items from the authoring pages: checked as the bank loader checks them, one new version per save.

Invariant 3: a save adds an immutable ``item_versions`` row and moves the item's head;
attempts keep the versions they pinned. Invariant 6: a draft with any problem stores nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assess.models import AuthoredItem, ItemVersionLog, StaffUser
from assess.services.authoring import LiveBanks, live_banks, with_item
from assess.services.catalogue import pin_versions
from assess.services.live_forms import describe, spec_item_ids
from assess.services.staff import record_audit
from interchange.bank_yaml import dump_yaml
from items.bank import ID_PATTERN, Catalogue, ItemVersion, check_item
from items.located_yaml import Located, LocatedError, field_parts, plain, read_yaml_text

#: The draft's fields, in the order the page shows them; problems are reported under these names.
DRAFT_FIELDS = ("bank", "id", "type", "title", "section", "minutes", "tags", "rationale", "body", "key")
MAX_NOTE = 500
#: Body fields an author reads first (as the candidate does); the rest keep the model's order.
LEADING_FIELDS = ("prompt", "instructions")


@dataclass(frozen=True)
class ItemDraft:
    """An item as the edit page sends it: the envelope as text, body and key as YAML text."""

    bank: str
    id: str
    type: str
    title: str
    section: str
    minutes: str
    tags: str
    rationale: str
    body: str
    key: str


@dataclass(frozen=True)
class FieldProblem:
    """One problem with an item or form draft, under the field it belongs to.

    ``line`` is the line in a YAML text area (a form's "content", an item's "body" or "key").
    """

    field: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return (
            f"{self.path}{where}: {self.message}" if self.path else f"{where.strip()} {self.message}".strip()
        )


class ItemInvalid(Exception):
    """Every problem with a draft; nothing was stored."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = list(problems)


class EditConflict(Exception):
    """Someone else saved the item since this edit began; nothing was stored."""


class NoSuchItem(LookupError):
    """No bank file and no authored item has this id."""


@dataclass(frozen=True)
class SaveResult:
    item: ItemVersion
    #: False when the draft was the head as it stands: no new version was made.
    is_new_version: bool


def draft_of(item: ItemVersion) -> ItemDraft:
    """The edit page's fields for an existing version."""
    return ItemDraft(
        bank=item.bank,
        id=item.item_id,
        type=item.type,
        title=item.title,
        section=item.section,
        minutes=f"{item.minutes.normalize():f}",
        tags=", ".join(item.tags),
        rationale=item.rationale,
        body=dump_yaml(_body_data(item)),
        key=dump_yaml(item.key.model_dump(exclude_defaults=True)),
    )


def item_yaml(item: ItemVersion) -> str:
    """One item as it is written in a bank file (defaults left out); what diffs compare."""
    return dump_yaml(item_entry(item))


def item_entry(item: ItemVersion) -> dict[str, Any]:
    """One item as the plain data of a bank file's ``items`` entry."""
    entry: dict[str, Any] = {
        "id": item.item_id,
        "type": item.type,
        "title": item.title,
        "section": item.section,
        "minutes": item.minutes,
    }
    if item.tags:
        entry["tags"] = list(item.tags)
    if item.rationale:
        entry["rationale"] = item.rationale
    entry["body"] = _body_data(item)
    entry["key"] = item.key.model_dump(exclude_defaults=True)
    return entry


def _body_data(item: ItemVersion) -> dict[str, Any]:
    """The body as written in a bank file: defaults left out, the prompt first."""
    data = item.body.model_dump(exclude_defaults=True)
    return {**{name: data[name] for name in LEADING_FIELDS if name in data}, **data}


def check_draft(
    draft: ItemDraft, live: LiveBanks, editing: str | None
) -> tuple[ItemVersion | None, list[FieldProblem]]:
    """The version a draft would save, or None with every problem, each under its field.

    ``editing`` is the id of the item being edited (None for a new item): its id and bank stay.
    """
    problems: list[FieldProblem] = []
    nodes: dict[str, Any] = {}
    for part in ("body", "key"):
        errors: list[LocatedError] = []
        nodes[part] = read_yaml_text(getattr(draft, part), part, errors, part)
        problems += [FieldProblem(part, part, e.message, e.line or None) for e in errors]
    raw = {
        "id": draft.id.strip(),
        "type": draft.type.strip(),
        "title": draft.title.strip(),
        "section": draft.section.strip(),
        "minutes": draft.minutes.strip(),
        "tags": [tag.strip() for tag in draft.tags.split(",") if tag.strip()],
        # Kept as written (a trailing newline is content too); browsers send text areas with CRLF.
        "rationale": draft.rationale.replace("\r\n", "\n"),
        "body": plain(nodes["body"]),
        "key": plain(nodes["key"]),
    }
    unreadable = {p.field for p in problems}
    item, errors = check_item(raw, draft.bank.strip(), "authoring page")
    for error in errors:
        parts = field_parts(error.field)
        field = _draft_field(parts)
        if field in unreadable:
            continue  # the YAML itself did not parse: that is the one problem to fix
        line = None
        if field in ("body", "key") and nodes[field] is not None:
            line = Located(field, nodes[field], ()).line_of(parts[1:])
        problems.append(FieldProblem(field, error.field, error.message, line))
    problems += _envelope_problems(draft, raw, live, editing)
    if item is not None and not problems:
        problems += _form_problems(live, item)
    return (item if not problems else None), problems


def _draft_field(parts: list[str | int]) -> str:
    head = str(parts[0]) if parts else ""
    return head if head in DRAFT_FIELDS else "id"


def _envelope_problems(
    draft: ItemDraft, raw: dict[str, Any], live: LiveBanks, editing: str | None
) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    bank = draft.bank.strip()
    if not re.match(ID_PATTERN, bank):
        message = "a bank id is lower-case letters, digits, '.', '_' or '-', e.g. am-smb-process"
        problems.append(FieldProblem("bank", "bank", message))
    if editing is None:
        known = live.items.get(raw["id"])
        if known is not None:
            message = f"an item with id {raw['id']!r} already exists (bank {known.item.bank})"
            problems.append(FieldProblem("id", "id", message))
    else:
        current = live.items[editing]
        if raw["id"] != editing:
            problems.append(FieldProblem("id", "id", f"an item's id cannot change; this is {editing!r}"))
        if bank != current.item.bank:
            message = f"an item stays in its bank; this one is in {current.item.bank!r}"
            problems.append(FieldProblem("bank", "bank", message))
    return problems


def _form_problems(live: LiveBanks, item: ItemVersion) -> list[FieldProblem]:
    """Forms the save would break (a time budget pushed over its limit), as the loader would say."""
    after = with_item(live, item)
    problems: list[FieldProblem] = []
    for form_id, form in after.forms.items():
        if item.item_id not in spec_item_ids(form.spec):
            continue
        before = live.forms.get(form_id)
        old = {describe(p) for p in before.warnings} if before else set()
        for problem in form.warnings:
            if describe(problem) not in old:
                message = f"form {form_id!r} would break: {describe(problem)}"
                problems.append(FieldProblem("minutes", "minutes", message))
    return problems


def save_item(
    session: Session,
    file_catalogue: Catalogue,
    draft: ItemDraft,
    editing: str | None,
    base_version: str | None,
    note: str,
    actor: StaffUser,
    now: datetime,
) -> SaveResult:
    """Check the draft and store it as the item's new head version, in one transaction.

    ``base_version`` is the head the author started from: if another save moved the head
    since, ``EditConflict`` is raised and nothing is stored (no save silently undoes another).
    """
    live = live_banks(session, file_catalogue)
    if editing is not None and editing not in live.items:
        raise NoSuchItem(editing)
    item, problems = check_draft(draft, live, editing)
    note = note.strip()
    if len(note) > MAX_NOTE:
        problems.append(FieldProblem("note", "note", f"at most {MAX_NOTE} characters"))
    if item is None or problems:
        raise ItemInvalid(problems)
    current = live.items.get(item.item_id)
    if current is not None and current.item.version != base_version:
        raise EditConflict(
            f"item {item.item_id!r} was saved as version {current.item.version} since you opened it"
        )
    if current is not None and current.item.version == item.version:
        return SaveResult(current.item, is_new_version=False)
    row = session.get(AuthoredItem, item.item_id)
    first_edit_of_file = (
        current is not None and current.file_version is not None and (row is None or row.head_version is None)
    )
    pinned = [current.item, item] if first_edit_of_file and current is not None else [item]
    try:
        pin_versions(session, pinned)
        if row is None:
            session.add(
                AuthoredItem(
                    item_id=item.item_id, bank_id=item.bank, head_version=item.version, updated_at=now
                )
            )
            session.flush()
        else:
            moved = session.execute(
                update(AuthoredItem)
                .where(
                    AuthoredItem.item_id == item.item_id,
                    AuthoredItem.head_version.is_(None)
                    if row.head_version is None
                    else AuthoredItem.head_version == row.head_version,
                )
                .values(head_version=item.version, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            if moved.rowcount != 1:  # type: ignore[attr-defined]
                raise EditConflict(f"item {item.item_id!r} was saved by someone else at the same moment")
        if first_edit_of_file and current is not None:
            session.add(
                ItemVersionLog(
                    item_id=item.item_id,
                    version=current.item.version,
                    saved_by=None,
                    saved_at=now,
                    note=f"the version in the bank file ({current.item.source})",
                )
            )
        session.add(
            ItemVersionLog(
                item_id=item.item_id, version=item.version, saved_by=actor.id, saved_at=now, note=note
            )
        )
        detail = {"version": item.version, "from": current.item.version if current else None, "note": note}
        record_audit(session, actor, "item.save", "item", item.item_id, detail, now)
        session.commit()
    except IntegrityError:
        # Another author created the same new item id at the same moment.
        session.rollback()
        raise EditConflict(f"item {item.item_id!r} was created by someone else at the same moment") from None
    except EditConflict:
        session.rollback()
        raise
    return SaveResult(item, is_new_version=True)


def set_retired(
    session: Session, file_catalogue: Catalogue, item_id: str, retire: bool, actor: StaffUser, now: datetime
) -> bool:
    """Retire (never drawn for new attempts) or restore an item; False when it already was."""
    live = live_banks(session, file_catalogue)
    current = live.items.get(item_id)
    if current is None:
        raise NoSuchItem(item_id)
    if current.is_retired == retire:
        return False
    row = session.get(AuthoredItem, item_id)
    if row is None:
        row = AuthoredItem(item_id=item_id, bank_id=current.item.bank, head_version=None, updated_at=now)
        session.add(row)
    row.retired_at = now if retire else None
    row.retired_by = actor.id if retire else None
    row.updated_at = now
    detail = {"version": current.item.version, "bank": current.item.bank}
    record_audit(session, actor, "item.retire" if retire else "item.restore", "item", item_id, detail, now)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True
