"""YAML bank files -> validated, immutable item versions and assessment forms.

Every problem in every file is collected and reported as
``path:line: field: message``; nothing is returned while any remain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError
from ruamel.yaml.comments import CommentedMap

from items import registry
from items.base import ItemType, Schema, Variant
from items.forms import AssessmentForm, FormSpec, build_form
from items.located_yaml import (
    FilesInvalid,
    Located,
    LocatedError,
    field_parts,
    plain,
    read_yaml,
    validation_errors,
    yaml_files,
)

ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"


# The names the CLI, the services and the tests know bank problems by.
BankError = LocatedError
BankInvalid = FilesInvalid
bank_files = yaml_files


class ItemSpec(Schema):
    """The envelope of one item; ``body`` and ``key`` are checked by its type."""

    id: str = Field(pattern=ID_PATTERN)
    type: str
    title: str = Field(min_length=1)
    section: str = Field(min_length=1)
    minutes: Decimal = Field(gt=0, le=120)
    tags: list[str] = Field(default_factory=list)
    rationale: str = ""
    body: dict[str, Any]
    key: dict[str, Any]


class BankSpec(Schema):
    bank: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    items: list[Any] = Field(default_factory=list)
    forms: list[Any] = Field(default_factory=list)


@dataclass(frozen=True)
class ItemVersion:
    """One immutable version of an item; ``version`` is a hash of its content."""

    item_id: str
    version: str
    type: str
    title: str
    section: str
    minutes: Decimal
    tags: tuple[str, ...]
    rationale: str
    body: Schema
    key: Schema
    bank: str
    source: str

    @property
    def item_type(self) -> ItemType[Any, Any, Any]:
        return registry.get(self.type)

    def realize(self, variant: Variant) -> tuple[Schema, Schema]:
        """The body the candidate saw and the key that applies, for a frozen variant."""
        return self.item_type.realize(self.body, self.key, variant)

    def content(self) -> dict[str, Any]:
        """The item as plain JSON-able data: what the version hash is taken over."""
        return {
            "id": self.item_id,
            "type": self.type,
            "title": self.title,
            "section": self.section,
            "minutes": str(self.minutes),
            "tags": list(self.tags),
            "rationale": self.rationale,
            "body": self.body.model_dump(mode="json"),
            "key": self.key.model_dump(mode="json"),
        }


def content_version(content: dict[str, Any]) -> str:
    """A short, stable hash of an item's content: any change makes a new version."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


class FormUnavailable(LookupError):
    """A form that cannot be drawn now: an item it always shows was retired, or a pool ran short."""

    def __init__(self, form_id: str, problems: list[str]) -> None:
        super().__init__(f"form {form_id!r} cannot be drawn: {'; '.join(problems)}")
        self.form_id = form_id
        self.problems = problems


@dataclass(frozen=True)
class Catalogue:
    """Everything loaded from a set of bank files (or overlaid with authored items)."""

    items: dict[str, ItemVersion]
    forms: dict[str, AssessmentForm]
    banks: dict[str, str]
    #: form id -> the bank it is written in.
    form_banks: dict[str, str] = field(default_factory=dict)
    #: form id -> why it cannot be drawn now; always empty for bank files, which must validate.
    form_problems: dict[str, list[str]] = field(default_factory=dict)

    def form(self, form_id: str) -> AssessmentForm:
        """The form to draw an attempt from; ``FormUnavailable`` when it cannot be drawn now."""
        if self.form_problems.get(form_id):
            raise FormUnavailable(form_id, self.form_problems[form_id])
        try:
            return self.forms[form_id]
        except KeyError:
            known = ", ".join(sorted(self.forms)) or "none"
            raise KeyError(f"no form {form_id!r}; forms loaded: {known}") from None


def load_banks(paths: Iterable[str | Path]) -> Catalogue:
    """Load and validate bank files; raise ``BankInvalid`` listing every problem."""
    errors: list[BankError] = []
    items: dict[str, ItemVersion] = {}
    forms: list[tuple[Located, FormSpec]] = []
    banks: dict[str, str] = {}
    broken: set[str] = set()
    files = bank_files(paths)
    if not files:
        raise BankInvalid([BankError(str(p), 0, "", "no bank files found") for p in paths])
    for path in files:
        _load_file(path, errors, items, forms, banks, broken)
    built: dict[str, AssessmentForm] = {}
    for located, spec in forms:
        if spec.id in built:
            errors.append(located.error(("id",), f"duplicate form id {spec.id!r}"))
            continue
        form, problems = build_form(spec, items, broken)
        for field_path, message in problems:
            errors.append(located.error(field_path, message))
        built[spec.id] = form
    if errors:
        raise BankInvalid(errors)
    bank_of_file = {path: bank for bank, path in banks.items()}
    form_banks = {spec.id: bank_of_file[located.path] for located, spec in forms}
    return Catalogue(items=items, forms=built, banks=banks, form_banks=form_banks)


def _load_file(
    path: Path,
    errors: list[BankError],
    items: dict[str, ItemVersion],
    forms: list[tuple[Located, FormSpec]],
    banks: dict[str, str],
    broken: set[str],
) -> None:
    data = read_yaml(path, errors)
    if data is None:
        return
    root = Located(str(path), data, ())
    if not isinstance(data, CommentedMap):
        errors.append(root.error((), "a bank file must be a mapping with bank, title, items and forms"))
        return
    try:
        spec = BankSpec.model_validate(dict(data))
    except ValidationError as exc:
        errors.extend(validation_errors(root, exc, ()))
        return
    if spec.bank in banks:
        errors.append(root.error(("bank",), f"bank id {spec.bank!r} is also used by {banks[spec.bank]}"))
    banks[spec.bank] = str(path)
    for index, raw in enumerate(spec.items):
        located = Located.child(str(path), data["items"], "items", index)
        version = _load_item(located, raw, spec.bank, errors)
        if version is None:
            if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                broken.add(raw["id"])
            continue
        if version.item_id in items:
            also = items[version.item_id].source
            errors.append(located.error(("id",), f"duplicate item id {version.item_id!r} (also in {also})"))
            continue
        items[version.item_id] = version
    for index, raw in enumerate(spec.forms):
        located = Located.child(str(path), data["forms"], "forms", index)
        try:
            forms.append((located, FormSpec.model_validate(plain(raw))))
        except ValidationError as exc:
            errors.extend(validation_errors(located, exc, ()))


def _load_item(located: Located, raw: Any, bank: str, errors: list[BankError]) -> ItemVersion | None:
    if not isinstance(raw, dict):
        message = "an item must be a mapping with id, type, title, section, minutes, body and key"
        errors.append(located.error((), message))
        return None
    found = len(errors)
    spec: ItemSpec | None = None
    try:
        spec = ItemSpec.model_validate(plain(raw))
    except ValidationError as exc:
        errors.extend(validation_errors(located, exc, ()))
    # Check body and key even when the envelope is wrong: authors want every problem at once.
    type_name = raw.get("type")
    item_type = None
    if isinstance(type_name, str):
        try:
            item_type = registry.get(type_name)
        except registry.UnknownType as exc:
            errors.append(located.error(("type",), str(exc)))
    body = key = None
    if item_type is not None:
        for part in ("body", "key"):
            model = item_type.body if part == "body" else item_type.key
            try:
                parsed = model.model_validate(plain(raw.get(part)))
            except ValidationError as exc:
                errors.extend(validation_errors(located, exc, (part,)))
                continue
            if part == "body":
                body = parsed
            else:
                key = parsed
    if item_type is not None and body is not None and key is not None:
        for problem in item_type.check(body, key):
            errors.append(located.error(field_parts(problem.field), problem.message))
    if spec is None or body is None or key is None or len(errors) > found:
        return None
    unversioned = ItemVersion(
        item_id=spec.id,
        version="",
        type=spec.type,
        title=spec.title,
        section=spec.section,
        minutes=spec.minutes,
        tags=tuple(spec.tags),
        rationale=spec.rationale,
        body=body,
        key=key,
        bank=bank,
        source=f"{located.path}:{located.line_of(())}",
    )
    return replace(unversioned, version=content_version(unversioned.content()))


def check_item(raw: Any, bank: str, source: str) -> tuple[ItemVersion | None, list[BankError]]:
    """One item checked exactly as the loader checks an item of a bank file.

    For editors outside the files (the authoring pages): ``raw`` is the item as plain
    data; the version is None while any problem remains, and every problem is listed.
    """
    errors: list[BankError] = []
    version = _load_item(Located(source, raw, ()), raw, bank, errors)
    return version, errors


def item_version_from_content(content: dict[str, Any], bank: str = "", source: str = "") -> ItemVersion:
    """Rebuild a pinned version from the content stored with an attempt.

    The version is recomputed from the content, so stored content that was
    altered no longer matches the version an attempt pinned.
    """
    item_type = registry.get(content["type"])
    item = ItemVersion(
        item_id=content["id"],
        version="",
        type=content["type"],
        title=content["title"],
        section=content["section"],
        minutes=Decimal(content["minutes"]),
        tags=tuple(content["tags"]),
        rationale=content["rationale"],
        body=item_type.body.model_validate(content["body"]),
        key=item_type.key.model_validate(content["key"]),
        bank=bank,
        source=source,
    )
    return replace(item, version=content_version(item.content()))
