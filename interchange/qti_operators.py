"""What each QTI expression computes from its operands and the item's declarations."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal, InvalidOperation

from lxml import etree

from interchange.qti_item import Declared
from interchange.qti_values import Container, Unreadable, Value, is_null, parse_value, same


def correct(declared: Declared) -> Value:
    values = tuple(parse_value(v, declared.base_type) for v in declared.correct)
    if declared.cardinality in {"multiple", "ordered"}:
        return Container(declared.cardinality == "ordered", values) if values else None
    return values[0] if values else None


def _key_matches(declared: Declared, key: str, value: Value) -> bool:
    if isinstance(value, str) and key in declared.caseless:
        return key.casefold() == value.casefold()
    return same(parse_value(key, declared.base_type), value)


def map_response(declared: Declared, given: Value) -> Value:
    def mapped(value: Value) -> Decimal:
        found = (points for key, points in declared.mapping.items() if _key_matches(declared, key, value))
        return next(found, declared.default)

    if isinstance(given, Container):
        total = sum((mapped(v) for v in dict.fromkeys(given.values)), Decimal(0))
    else:
        total = Decimal(0) if given is None else mapped(given)
    if declared.lower is not None:
        total = max(total, declared.lower)
    if declared.upper is not None:
        total = min(total, declared.upper)
    return total


def _numbers(name: str, values: list[Value]) -> list[Decimal] | None:
    if any(v is None for v in values):
        return None
    if not all(isinstance(v, Decimal) for v in values):
        raise Unreadable(f"its {name.removeprefix('qti-')} compares values that are not numbers")
    return [v for v in values if isinstance(v, Decimal)]


def operate(name: str, element: etree._Element, values: list[Value]) -> Value:
    if name == "qti-is-null":
        return is_null(values[0])
    if name in {"qti-and", "qti-or"}:
        if any(v is None for v in values):
            return None
        return all(v is True for v in values) if name == "qti-and" else any(v is True for v in values)
    if name == "qti-not":
        return None if values[0] is None else values[0] is not True
    if name in {"qti-match", "qti-string-match"}:
        if any(is_null(v) for v in values):
            return None
        a, b = values
        if name == "qti-string-match" and (element.get("case-sensitive") or "true") == "false":
            a, b = str(a).casefold(), str(b).casefold()
        if name == "qti-string-match" and element.get("substring") == "true":
            return str(a) in str(b)
        return same(a, b)
    if name in {"qti-multiple", "qti-ordered"}:
        flat: list[Value] = []
        for v in values:
            flat.extend(v.values if isinstance(v, Container) else [] if v is None else [v])
        return Container(name == "qti-ordered", tuple(flat))
    if name == "qti-container-size":
        return Decimal(len(values[0].values)) if isinstance(values[0], Container) else Decimal(0)
    if name == "qti-index":
        container = values[0]
        text = (element.get("n") or "").strip()
        position = int(text) if text.isdigit() else 0
        if not isinstance(container, Container) or not 1 <= position <= len(container.values):
            return None
        return container.values[position - 1]
    if name in {"qti-member", "qti-contains"}:
        if any(is_null(v) for v in values):
            return None
        if name == "qti-member":
            return isinstance(values[1], Container) and values[0] in values[1].values
        whole, part = values
        if not isinstance(whole, Container) or not isinstance(part, Container):
            return None
        if whole.ordered:
            size = len(part.values)
            return any(whole.values[i : i + size] == part.values for i in range(len(whole.values) - size + 1))
        return not Counter(part.values) - Counter(whole.values)
    numbers = _numbers(name, values)
    if numbers is None:
        return None
    return _arithmetic(name, element, numbers)


def _arithmetic(name: str, element: etree._Element, numbers: list[Decimal]) -> Value:
    if name == "qti-sum":
        return sum(numbers, Decimal(0))
    if name == "qti-product":
        product = Decimal(1)
        for n in numbers:
            product *= n
        return product
    if name == "qti-subtract":
        return numbers[0] - numbers[1]
    if name == "qti-integer-to-float":
        return numbers[0]
    if name == "qti-equal":
        return _equal(element, numbers[0], numbers[1])
    a, b = numbers
    return {"qti-gt": a > b, "qti-gte": a >= b, "qti-lt": a < b, "qti-lte": a <= b}[name]


def _equal(element: etree._Element, a: Decimal, b: Decimal) -> bool:
    mode = element.get("tolerance-mode") or "exact"
    if mode == "exact":
        return a == b
    try:
        bounds = [Decimal(t) for t in (element.get("tolerance") or "0").split()] or [Decimal(0)]
    except InvalidOperation:
        raise Unreadable(f"its tolerance {element.get('tolerance')!r} is not a number") from None
    below, above = bounds[0], bounds[-1]
    if mode == "relative":
        low, high = b * (1 - below / 100), b * (1 + above / 100)
    else:
        low, high = b - below, b + above
    low, high = min(low, high), max(low, high)
    include_low = (element.get("include-lower-bound") or "true") == "true"
    include_high = (element.get("include-upper-bound") or "true") == "true"
    return (low < a or (include_low and a == low)) and (a < high or (include_high and a == high))
