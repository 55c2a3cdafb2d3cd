"""The one registry of item types: every module (a package, for a large type) in ``items/types/``."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from items import types as types_package
from items.base import ItemType


class RegistryError(RuntimeError):
    """A type module that breaks the contract; raised at import, never later."""


def _discover() -> dict[str, ItemType[Any, Any, Any]]:
    found: dict[str, ItemType[Any, Any, Any]] = {}
    for info in sorted(pkgutil.iter_modules(types_package.__path__), key=lambda i: i.name):
        where = f"items/types/{info.name}{'/__init__.py' if info.ispkg else '.py'}"
        module = importlib.import_module(f"{types_package.__name__}.{info.name}")
        item_type = getattr(module, "TYPE", None)
        if not isinstance(item_type, ItemType):
            raise RegistryError(f"{where} defines no TYPE = ItemType(...)")
        if item_type.name != info.name:
            raise RegistryError(
                f"{where} registers {item_type.name!r}; a type's name must be its module name"
            )
        found[item_type.name] = item_type
    return found


TYPES: dict[str, ItemType[Any, Any, Any]] = _discover()


class UnknownType(KeyError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

    def __str__(self) -> str:
        return f"unknown item type {self.name!r}; known types: {', '.join(sorted(TYPES))}"


def get(name: str) -> ItemType[Any, Any, Any]:
    """The type registered as ``name``; ``UnknownType`` names the known ones."""
    try:
        return TYPES[name]
    except KeyError:
        raise UnknownType(name) from None


def names() -> list[str]:
    return sorted(TYPES)
