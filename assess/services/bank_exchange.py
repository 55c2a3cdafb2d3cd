"""Banks out of the database as bank YAML, and other platforms' questions in as authored items."""

from __future__ import annotations

import base64
import binascii
import re
import tempfile
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assess.models import AuthoredItem, ItemVersionLog, StaffUser
from assess.services.authored_items import EditConflict, item_entry
from assess.services.authoring import LiveBanks, live_banks
from assess.services.catalogue import pin_versions
from assess.services.staff import record_audit
from interchange import ImportProblem, ImportResult, InterchangeError, dump_bank, import_file
from items.bank import ID_PATTERN, Catalogue, ItemVersion, check_item
from items.located_yaml import LocatedError, read_yaml

#: Questions one import may hold; a larger file is refused whole, with this number in the message.
MAX_IMPORT_QUESTIONS = 2000
#: What an uploaded file may be called on disk: the importers tell formats apart by suffix (QTI .zip).
UPLOAD_SUFFIXES = {".xml", ".zip", ".txt", ".gift", ".aiken", ".imsmanifest"}


def bank_title(live: LiveBanks, bank: str) -> str:
    """The title in the bank's file, or one made up for a bank stored only in the database."""
    path = live.banks.get(bank, "")
    if path:
        errors: list[LocatedError] = []
        data = read_yaml(Path(path), errors)
        if isinstance(data, dict) and isinstance(data.get("title"), str):
            return str(data["title"])
    return f"{bank} (authored in assess)"


def bank_file_name(path: str, bank_roots: tuple[str, ...]) -> str:
    """The bank's file as named under the bank folder it was loaded from, or "" for a database-only bank.

    Staff see which file to edit, never the server's directory layout.
    """
    if not path:
        return ""
    file = Path(path).resolve()
    for root in bank_roots:
        folder = Path(root).resolve()
        if file == folder:
            return file.name
        if file.is_relative_to(folder):
            return file.relative_to(folder).as_posix()
    return file.name


def export_bank_yaml(live: LiveBanks, bank: str, now: datetime) -> str:
    """The bank as a bank file: every item's head (retired ones too, so forms still resolve) and its forms.

    ``assess bank validate`` accepts the exported files of all banks together; retirement
    lives in the database only, so the top comment names the retired items.
    """
    items = live.bank_items(bank)
    forms = [f.spec for f in sorted(live.forms.values(), key=lambda f: f.spec.id) if f.bank == bank]
    comment = [f"Exported from the assess authoring pages on {now:%Y-%m-%d %H:%M} UTC."]
    retired = [live_item for live_item in items if live_item.is_retired]
    if retired:
        comment.append("Retired there (kept here so forms still resolve; never drawn while retired):")
        comment += [f"  {r.item.item_id} (on {r.retired_at:%Y-%m-%d})" for r in retired if r.retired_at]
    return dump_bank(
        [item_entry(live_item.item) for live_item in items],
        bank,
        bank_title(live, bank),
        "\n".join(comment),
        forms=[spec.model_dump(by_alias=True, exclude_defaults=True) for spec in forms],
    )


@dataclass(frozen=True)
class ImportedItem:
    """One imported item, with the version it would be saved as or what stops it."""

    raw: dict[str, Any]
    version: ItemVersion | None
    problems: list[str]


@dataclass(frozen=True)
class ImportCheck:
    filename: str
    items: list[ImportedItem]
    #: Questions the importer could not map, or mapped with something left behind.
    reported: list[str]

    @property
    def can_save(self) -> bool:
        return bool(self.items) and all(not item.problems for item in self.items)


#: Formats told apart by a file's suffixes, checked before its content.
FORMAT_OF_SUFFIX = {".zip": "qti", ".gift": "gift", ".aiken": "aiken", ".imsmanifest": "qti"}
AIKEN_ANSWER = re.compile(rb"^ANSWER\s*:\s*[A-Za-z]\s*$", re.MULTILINE)
XML_START = re.compile(rb"^(\xef\xbb\xbf)?\s*<")


def detect_format(filename: str, data: bytes) -> str | None:
    """The import format a file is in, from its name's suffixes and then its content; None when unclear.

    An author once got sixteen cryptic errors from a GIFT file read as Aiken (the old
    default), so the page guesses first and the author may still override it.
    """
    for suffix in reversed(Path(filename).suffixes):
        if suffix.lower() in FORMAT_OF_SUFFIX:
            return FORMAT_OF_SUFFIX[suffix.lower()]
    head = data[:4096]
    if XML_START.match(head):
        if b"<quiz" in head:
            return "moodle"
        if b"qti" in head.lower() or b"assessmentItem" in head or b"<manifest" in head:
            return "qti"
        return None
    is_aiken = AIKEN_ANSWER.search(data) is not None
    is_gift = b"{" in data and b"}" in data
    if is_aiken != is_gift:
        return "aiken" if is_aiken else "gift"
    return None


def pack_upload(data: bytes) -> str:
    """A checked file as text for a hidden field, so "Import" after "Check" needs no second choice.

    Compressed: the page re-posts it, and the request size limit must still admit it.
    """
    return base64.b64encode(zlib.compress(data, 9)).decode("ascii")


def unpack_upload(text: str, limit: int) -> bytes:
    """The file ``pack_upload`` wrote; ValueError when it is damaged or would exceed ``limit`` bytes."""
    try:
        packed = base64.b64decode(text.encode("ascii"), validate=True)
        inflater = zlib.decompressobj()
        # Bounded, so a crafted field cannot inflate into more than an upload could hold.
        data = inflater.decompress(packed, limit + 1)
    except (binascii.Error, UnicodeEncodeError, zlib.error):
        data, inflater = b"", None
    if len(data) > limit:
        raise ValueError("the checked file is larger than an upload may be; choose a smaller file")
    if inflater is None or not inflater.eof:
        raise ValueError("the checked file could not be read back; choose the file again")
    return data


def read_upload(format: str, filename: str, data: bytes) -> ImportResult:
    """Import an uploaded file (written to a private temporary folder, removed after), named as uploaded.

    Raises ``InterchangeError`` when the whole file cannot be read.
    """
    name = Path(filename).name or "upload"
    suffix = Path(name).suffix.lower()
    safe_name = "upload" + (suffix if suffix in UPLOAD_SUFFIXES else ".txt")
    with tempfile.TemporaryDirectory(prefix="assess-import-") as folder:
        path = Path(folder) / safe_name
        path.write_bytes(data)
        result = import_file(format, path)

    # Named as uploaded, keeping the file within a package: "pkg.zip:items/q1.xml".
    def uploaded(source: str) -> str:
        return name + source.removeprefix(str(path)) if source.startswith(str(path)) else name

    problems = [
        ImportProblem(uploaded(problem.source), problem.location, problem.reason, problem.imported)
        for problem in result.problems
    ]
    questions = len(result.items) + sum(1 for problem in problems if not problem.imported)
    if questions > MAX_IMPORT_QUESTIONS:
        # Refused at "Check", before any item is checked: one import is one transaction, and
        # every page that lists a bank must stay quick (Invariant 8).
        raise InterchangeError(
            name,
            f"at most {MAX_IMPORT_QUESTIONS:,} questions per import; this file has {questions:,}, "
            "so split it into smaller files",
        )
    origins = {
        item_id: (uploaded(source), location) for item_id, (source, location) in result.origins.items()
    }
    return ImportResult(items=result.items, problems=problems, origins=origins)


def check_import(
    live: LiveBanks,
    filename: str,
    raw_items: list[dict[str, Any]],
    reported: list[ImportProblem],
    bank: str,
    id_prefix: str,
) -> ImportCheck:
    """Every imported item checked as the loader checks items, with its new id and bank."""
    bank = bank.strip()
    bank_problem = [] if re.match(ID_PATTERN, bank) else [f"bank: {bank!r} is not a bank id"]
    seen: dict[str, int] = {}
    checked: list[ImportedItem] = []
    for index, original in enumerate(raw_items):
        raw = {**original, "id": f"{id_prefix.strip()}{original.get('id', '')}"}
        version, errors = check_item(raw, bank, filename)
        problems = list(bank_problem) + [f"{e.field}: {e.message}" if e.field else e.message for e in errors]
        known = live.items.get(raw["id"])
        if known is not None:
            problems.append(f"id: an item with id {raw['id']!r} already exists (bank {known.item.bank})")
        if raw["id"] in seen:
            problems.append(f"id: {raw['id']!r} is also the id of imported item {seen[raw['id']] + 1}")
        seen.setdefault(raw["id"], index)
        checked.append(ImportedItem(raw, version if not problems else None, problems))
    return ImportCheck(filename, checked, [str(p) for p in reported])


def save_import(
    session: Session,
    file_catalogue: Catalogue,
    filename: str,
    raw_items: list[dict[str, Any]],
    reported: list[ImportProblem],
    bank: str,
    id_prefix: str,
    actor: StaffUser,
    now: datetime,
) -> ImportCheck:
    """Save every imported item as a new authored item, or none of them while any has a problem."""
    checked = check_import(
        live_banks(session, file_catalogue), filename, raw_items, reported, bank, id_prefix
    )
    if not checked.can_save:
        return checked
    versions = [item.version for item in checked.items if item.version is not None]
    try:
        pin_versions(session, versions)
        for version in versions:
            session.add(
                AuthoredItem(
                    item_id=version.item_id,
                    bank_id=version.bank,
                    head_version=version.version,
                    updated_at=now,
                )
            )
            session.add(
                ItemVersionLog(
                    item_id=version.item_id,
                    version=version.version,
                    saved_by=actor.id,
                    saved_at=now,
                    note=f"imported from {filename}",
                )
            )
        detail = {"file": filename, "bank": bank.strip(), "items": [v.item_id for v in versions]}
        record_audit(session, actor, "item.import", "bank", bank.strip(), detail, now)
        session.commit()
    except IntegrityError:
        session.rollback()
        raise EditConflict("some of these item ids were created by someone else at the same moment") from None
    return checked
