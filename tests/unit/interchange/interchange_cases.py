"""Shared by the interchange tests: fixture paths, bank round trips through YAML, text comparison."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from interchange import dump_bank
from items import registry
from items.bank import Catalogue, ItemVersion, load_banks

ROOT = Path(__file__).resolve().parents[3]
EXTERNAL = ROOT / "tests" / "fixtures" / "external"
SHIPPED_BANKS = ROOT / "items" / "banks"


def load_items(items: list[dict[str, Any]], tmp_path: Path, name: str = "imported") -> Catalogue:
    """Write ``items`` as a bank file and load it the way ``assess bank validate`` does."""
    path = tmp_path / f"{name}.yaml"
    path.write_text(dump_bank(items, name, f"Bank {name}"), encoding="utf-8")
    return load_banks([path])


def canonical(value: Any) -> Any:
    """Text with each line's spacing tidied and the ends stripped: how text survives HTML and XML."""
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    if isinstance(value, str):
        lines = [" ".join(line.split()) for line in value.strip().splitlines()]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return value


def content(item: ItemVersion) -> dict[str, Any]:
    """An item version as plain data, text canonical, for comparing what went out with what came back."""
    return canonical(item.content())


def imported_content(item: dict[str, Any]) -> dict[str, Any]:
    """An imported item dict as ``content`` shows a loaded version (defaults filled in by the type)."""
    item_type = registry.get(item["type"])
    return canonical(
        {
            "id": item["id"],
            "type": item["type"],
            "title": item["title"],
            "section": item["section"],
            "minutes": str(item["minutes"]),
            "tags": list(item.get("tags", [])),
            "rationale": item.get("rationale", ""),
            "body": item_type.body.model_validate(item["body"]).model_dump(mode="json"),
            "key": item_type.key.model_validate(item["key"]).model_dump(mode="json"),
        }
    )
