"""Values as QTI response processing sees them: typed from their text, with NULL and containers."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

NUMERIC = frozenset({"float", "integer"})


@dataclass(frozen=True)
class Container:
    """A multiple (unordered) or ordered value; an empty one is QTI's NULL."""

    ordered: bool
    values: tuple[Value, ...]


Value = str | Decimal | bool | tuple[str, str] | frozenset[str] | Container | None


class Unreadable(Exception):
    """Response processing assess cannot read; the message says what it uses."""


def parse_value(text: str, base_type: str) -> Value:
    text = text.strip()
    if base_type in NUMERIC:
        try:
            return Decimal(text)
        except InvalidOperation:
            raise Unreadable(f"{text!r} is not a number") from None
    if base_type == "boolean":
        return text == "true"
    if base_type in {"pair", "directedPair"}:
        parts = text.split()
        if len(parts) != 2:
            raise Unreadable(f"{text!r} is not a pair")
        return (parts[0], parts[1]) if base_type == "directedPair" else frozenset(parts)
    if base_type in {"identifier", "string", ""}:
        return text
    raise Unreadable(f"values of base type {base_type} are not read")


def is_null(value: Value) -> bool:
    return value is None or value == "" or (isinstance(value, Container) and not value.values)


def same(a: Value, b: Value) -> bool:
    if isinstance(a, Container) and isinstance(b, Container):
        return a.values == b.values if a.ordered else Counter(a.values) == Counter(b.values)
    return a == b
