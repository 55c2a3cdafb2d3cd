"""Bank item dicts built from imported questions: stable ids, defaults, and validation before use.

Every item an importer produces goes through ``Collector.add``, which checks it the way the
bank loader will (envelope, the type's body and key, the type's ``check``). An item that
would not load is reported instead, so a written bank always validates.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from interchange.results import ImportProblem, ImportResult, Progress
from items import registry
from items.bank import ItemSpec

DEFAULT_SECTION = "imported"
DEFAULT_MINUTES = Decimal(1)
TITLE_LIMIT = 80
ID_TEXT_LIMIT = 48
CATEGORY_ROOT = re.compile(r"^\$[a-z0-9]+\$/?")


def slug(text: str) -> str:
    """``text`` as an id in the bank pattern ``^[a-z0-9][a-z0-9_.-]*$``; '' when nothing is left."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    plain = re.sub(r"['’`]", "", plain.lower())
    plain = re.sub(r"[^a-z0-9_.-]+", "-", plain)
    plain = re.sub(r"[-_.]{2,}", "-", plain).strip("-_.")
    return plain[:ID_TEXT_LIMIT].rstrip("-_.")


def stable_id(*candidates: str) -> str:
    """The slug of the first candidate that has one: a source identifier or name, else the text."""
    for candidate in candidates:
        found = slug(candidate)
        if found:
            return found
    return "item"


def title_from(text: str) -> str:
    """A one-line title: the text's first non-blank line, shortened."""
    line = next((" ".join(part.split()) for part in text.splitlines() if part.strip()), "")
    if len(line) <= TITLE_LIMIT:
        return line or "Untitled question"
    return line[: TITLE_LIMIT - 1].rstrip() + "…"


def section_and_tags(category: str) -> tuple[str, list[str]]:
    """A Moodle/GIFT category path as (section, tags): the innermost category is the section,
    the outer ones become tags, so ``$course$/Sales/Renewals`` is section ``renewals``, tag ``sales``.
    """
    path = CATEGORY_ROOT.sub("", category.strip())
    names = [slug(part) for part in path.split("/")]
    names = [name for name in names if name]
    if not names:
        return DEFAULT_SECTION, []
    return names[-1], names[:-1]


def new_item(
    *,
    item_id: str,
    type_name: str,
    title: str,
    body: dict[str, Any],
    key: dict[str, Any],
    section: str = DEFAULT_SECTION,
    minutes: Decimal = DEFAULT_MINUTES,
    tags: Iterable[str] = (),
    rationale: str = "",
) -> dict[str, Any]:
    """An item in the bank YAML shape; empty tags and rationale are left out."""
    item: dict[str, Any] = {
        "id": item_id,
        "type": type_name,
        "title": title_from(title),
        "section": section,
        "minutes": minutes,
    }
    tag_list = list(dict.fromkeys(tags))
    if tag_list:
        item["tags"] = tag_list
    if rationale.strip():
        item["rationale"] = rationale.strip()
    item["body"] = body
    item["key"] = key
    return item


def item_problems(item: Mapping[str, Any]) -> list[str]:
    """Everything the bank loader would refuse in this item, as ``field: message``."""
    problems: list[str] = []
    try:
        ItemSpec.model_validate(dict(item))
    except ValidationError as exc:
        problems.extend(_messages(exc, ()))
    try:
        item_type = registry.get(str(item.get("type")))
    except registry.UnknownType as exc:
        return [*problems, str(exc)]
    parsed: dict[str, Any] = {}
    for part, model in (("body", item_type.body), ("key", item_type.key)):
        try:
            parsed[part] = model.model_validate(item.get(part))
        except ValidationError as exc:
            problems.extend(_messages(exc, (part,)))
    if len(parsed) == 2:
        problems.extend(f"{p.field}: {p.message}" for p in item_type.check(parsed["body"], parsed["key"]))
    return problems


def _messages(exc: ValidationError, prefix: tuple[str, ...]) -> list[str]:
    found = []
    for error in exc.errors(include_url=False):
        where = ".".join(str(part) for part in (*prefix, *error["loc"]))
        found.append(f"{where}: {error['msg']}" if where else str(error["msg"]))
    return found


class Collector:
    """Gathers one source's items and problems; ids are made unique in the order met."""

    def __init__(self, source: str, progress: Progress | None = None) -> None:
        self.source = source
        self.items: list[dict[str, Any]] = []
        self.problems: list[ImportProblem] = []
        self._ids: set[str] = set()
        self._origins: dict[str, tuple[str, str]] = {}
        self._progress = progress
        self._done = 0

    def skip(self, location: object, reason: str) -> None:
        """A question that is not imported."""
        self.problems.append(ImportProblem(self.source, str(location), reason))

    def is_taken(self, item_id: str) -> bool:
        """Whether an item kept so far has ``item_id``."""
        return item_id in self._ids

    def add(self, location: object, item: dict[str, Any], notes: Iterable[str] = ()) -> None:
        """Keep ``item`` if the bank loader would accept it; ``notes`` say what was left behind."""
        base, number = item["id"], 2
        while item["id"] in self._ids:
            item["id"] = f"{base}-{number}"
            number += 1
        problems = item_problems(item)
        if problems:
            shown = "; ".join(problems[:3]) + (
                f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
            )
            self.skip(location, f"cannot be a valid {item['type']} item: {shown}")
            return
        self._ids.add(item["id"])
        self._origins[item["id"]] = (self.source, str(location))
        self.items.append(item)
        for note in notes:
            reason = f"imported as {item['id']}, but {note}"
            self.problems.append(ImportProblem(self.source, str(location), reason, imported=True))

    def tick(self, total: int) -> None:
        """One more question read, of ``total``."""
        self._done += 1
        if self._progress is not None:
            self._progress(self._done, total)

    def result(self) -> ImportResult:
        return ImportResult(items=self.items, problems=self.problems, origins=self._origins)
