"""What a QTI item's response processing computes: its SCORE for a given response.

The standard templates (match_correct, map_response, map_response_point, named by their
QTI 2.1 or 3.0 URI) are read as the rules they stand for, and custom processing is
evaluated rule by rule, so an importer can compare the source's scoring with an assess
type's on the same answers. Only the rules and operators in ``KNOWN`` are read: anything
else makes the processing ``Unreadable``, naming it, and the item is reported rather than
scored by guesswork. An item without processing is read by its declarations (each response's
mapping, else its correct response), as the importer has always keyed it. Evaluation is
bounded: nesting depth and steps per response are capped.
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from lxml import etree

from interchange.qti_item import Declared, Q, QtiItem
from interchange.qti_package import QTI3
from interchange.safe_xml import local_name

MAX_DEPTH = 64
MAX_STEPS = 50_000
TEMPLATE = re.compile(r"(match_correct|map_response_point|map_response)(?:\.xml)?$")
RULES = frozenset(
    {
        "qti-response-condition",
        "qti-response-if",
        "qti-response-else-if",
        "qti-response-else",
        "qti-set-outcome-value",
        "qti-exit-response",
        "qti-response-processing-fragment",
    }
)
EXPRESSIONS = frozenset(
    {
        "qti-variable",
        "qti-correct",
        "qti-base-value",
        "qti-null",
        "qti-default",
        "qti-map-response",
        "qti-is-null",
        "qti-match",
        "qti-string-match",
        "qti-equal",
        "qti-and",
        "qti-or",
        "qti-not",
        "qti-gt",
        "qti-gte",
        "qti-lt",
        "qti-lte",
        "qti-sum",
        "qti-subtract",
        "qti-product",
        "qti-integer-to-float",
        "qti-index",
        "qti-container-size",
        "qti-member",
        "qti-contains",
        "qti-multiple",
        "qti-ordered",
    }
)
KNOWN = RULES | EXPRESSIONS
NUMERIC = frozenset({"float", "integer"})


@dataclass(frozen=True)
class Container:
    """A multiple (unordered) or ordered value; an empty one is QTI's NULL."""

    ordered: bool
    values: tuple[Value, ...]


Value = str | Decimal | bool | tuple[str, str] | frozenset[str] | Container | None


class Unreadable(Exception):
    """Response processing assess cannot read; the message says what it uses."""


class _Exit(Exception):
    pass


def _q(tag: str, attributes: dict[str, str] | None = None, *children: etree._Element) -> etree._Element:
    element = etree.Element(f"{{{QTI3}}}{tag}", attributes or {})
    element.extend(children)
    return element


def _number(value: str) -> etree._Element:
    element = _q("qti-base-value", {"base-type": "float"})
    element.text = value
    return element


def _set_score(value: etree._Element) -> etree._Element:
    return _q("qti-set-outcome-value", {"identifier": "SCORE"}, value)


def _template_rules(name: str) -> list[etree._Element]:
    """The rules a standard template stands for, as the QTI specification defines them."""
    response = _q("qti-variable", {"identifier": "RESPONSE"})
    if name == "match_correct":
        test = _q("qti-match", None, response, _q("qti-correct", {"identifier": "RESPONSE"}))
        then, otherwise = _number("1"), _number("0")
    else:
        test = _q("qti-is-null", None, response)
        then, otherwise = _number("0"), _q("qti-map-response", {"identifier": "RESPONSE"})
    return [
        _q(
            "qti-response-condition",
            None,
            _q("qti-response-if", None, test, _set_score(then)),
            _q("qti-response-else", None, _set_score(otherwise)),
        )
    ]


def _implied_rules(responses: Mapping[str, Declared]) -> list[etree._Element]:
    """No processing: each keyed response adds its mapped value, or 1 when it matches its correct response."""
    rules = []
    for name, declared in responses.items():
        variable = _q("qti-variable", {"identifier": name})
        if declared.mapping:
            test = _q("qti-not", None, _q("qti-is-null", None, variable))
            points = _q("qti-map-response", {"identifier": name})
        elif declared.correct:
            test = _q("qti-match", None, variable, _q("qti-correct", {"identifier": name}))
            points = _number("1")
        else:
            continue
        total = _q("qti-sum", None, _q("qti-variable", {"identifier": "SCORE"}), points)
        rules.append(_q("qti-response-condition", None, _q("qti-response-if", None, test, _set_score(total))))
    return rules


def _elements(parent: etree._Element) -> list[etree._Element]:
    return [child for child in parent if isinstance(child.tag, str)]


class Processing:
    """One item's response processing, ready to score responses.

    ``kind`` is "template" (a standard template), "implied" (no processing: the
    declarations) or "custom"; ``problem`` says why it cannot be read, else is None.
    """

    def __init__(self, item: QtiItem) -> None:
        self.responses = item.responses
        self.outcomes = _outcome_defaults(item.root)
        self.problem: str | None = None
        source = item.processing
        template = (source.get("template") or "").strip() if source is not None else ""
        self.rules: list[etree._Element] = []
        if source is None:
            self.kind, self.rules = "implied", _implied_rules(item.responses)
        elif not _elements(source) and template:
            found = TEMPLATE.search(template)
            self.kind = "template"
            if not found:
                self.problem = f"uses the response processing template {template}, which assess does not know"
            elif found.group(1) == "map_response_point":
                self.problem = (
                    "is scored by areas of an image (map_response_point), which assess does not read"
                )
            else:
                self.rules = _template_rules(found.group(1))
        else:
            self.kind, self.rules = "custom", _elements(source)
            self.problem = _unknown(source)

    def score(self, responses: Mapping[str, Value]) -> Decimal:
        """SCORE after processing ``responses`` (absent ones are NULL); NULL scores 0."""
        if self.problem:
            raise Unreadable(self.problem)
        run = _Run(self, responses)
        with contextlib.suppress(_Exit):
            run.rules(self.rules, 0)
        value = run.outcomes.get("SCORE")
        return value if isinstance(value, Decimal) else Decimal(0)


def _outcome_defaults(root: etree._Element) -> dict[str, Value]:
    outcomes: dict[str, Value] = {}
    for outcome in root.iter(f"{Q}qti-outcome-declaration"):
        base = outcome.get("base-type") or ""
        values = [" ".join("".join(v.itertext()).split()) for v in outcome.iter(f"{Q}qti-value")]
        initial: Value = Decimal(0) if base in NUMERIC else None
        if values and (outcome.get("cardinality") or "single") == "single":
            initial = _parse(values[0], base)
        outcomes[outcome.get("identifier") or ""] = initial
    outcomes.setdefault("SCORE", Decimal(0))
    return outcomes


def _unknown(source: etree._Element) -> str | None:
    for element in source.iter():
        if not isinstance(element.tag, str) or element is source:
            continue
        name = local_name(element)
        if name not in KNOWN:
            return f"its response processing uses {name.removeprefix('qti-')}, which assess does not read"
    return None


def _parse(text: str, base_type: str) -> Value:
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


def _is_null(value: Value) -> bool:
    return value is None or value == "" or (isinstance(value, Container) and not value.values)


def _same(a: Value, b: Value) -> bool:
    if isinstance(a, Container) and isinstance(b, Container):
        return a.values == b.values if a.ordered else Counter(a.values) == Counter(b.values)
    return a == b


class _Run:
    """One evaluation: the outcomes so far and the steps taken."""

    def __init__(self, processing: Processing, responses: Mapping[str, Value]) -> None:
        self.processing = processing
        self.responses = responses
        self.outcomes = dict(processing.outcomes)
        self.steps = 0

    def _step(self, depth: int) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS or depth > MAX_DEPTH:
            raise Unreadable(
                f"its response processing is too large to read (over {MAX_STEPS} steps "
                f"or nested deeper than {MAX_DEPTH})"
            )

    def rules(self, rules: list[etree._Element], depth: int) -> None:
        for rule in rules:
            self._step(depth)
            name = local_name(rule)
            if name == "qti-response-condition":
                self._condition(rule, depth + 1)
            elif name == "qti-set-outcome-value":
                expressions = _elements(rule)
                value = self.value(expressions[0], depth + 1) if expressions else None
                self.outcomes[rule.get("identifier") or ""] = value
            elif name == "qti-exit-response":
                raise _Exit
            elif name == "qti-response-processing-fragment":
                self.rules(_elements(rule), depth + 1)
            else:
                raise Unreadable(f"its response processing has {name} where a rule belongs")

    def _condition(self, condition: etree._Element, depth: int) -> None:
        for branch in _elements(condition):
            name = local_name(branch)
            parts = _elements(branch)
            if name == "qti-response-else":
                self.rules(parts, depth)
                return
            if parts and self.value(parts[0], depth) is True:
                self.rules(parts[1:], depth)
                return

    def value(self, element: etree._Element, depth: int) -> Value:
        self._step(depth)
        name = local_name(element)
        args = _elements(element)
        if name == "qti-base-value":
            return _parse("".join(element.itertext()), element.get("base-type") or "")
        if name == "qti-null":
            return None
        if name in {"qti-variable", "qti-correct", "qti-default", "qti-map-response"}:
            return self._named(name, element.get("identifier") or "")
        values = [self.value(a, depth + 1) for a in args]
        return _operate(name, element, values)

    def _named(self, name: str, identifier: str) -> Value:
        declared = self.processing.responses.get(identifier)
        if name == "qti-variable":
            if declared is not None:
                return self.responses.get(identifier)
            if identifier in self.outcomes:
                return self.outcomes[identifier]
            raise Unreadable(f"its response processing reads {identifier!r}, which is not declared")
        if name == "qti-default":
            return self.processing.outcomes.get(identifier)
        if declared is None:
            raise Unreadable(f"its response processing reads {identifier!r}, which is not a response")
        if name == "qti-correct":
            return _correct(declared)
        return _map_response(declared, self.responses.get(identifier))


def _correct(declared: Declared) -> Value:
    values = tuple(_parse(v, declared.base_type) for v in declared.correct)
    if declared.cardinality in {"multiple", "ordered"}:
        return Container(declared.cardinality == "ordered", values) if values else None
    return values[0] if values else None


def _key_matches(declared: Declared, key: str, value: Value) -> bool:
    if isinstance(value, str) and key in declared.caseless:
        return key.casefold() == value.casefold()
    return _same(_parse(key, declared.base_type), value)


def _map_response(declared: Declared, given: Value) -> Value:
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


def _operate(name: str, element: etree._Element, values: list[Value]) -> Value:
    if name == "qti-is-null":
        return _is_null(values[0])
    if name in {"qti-and", "qti-or"}:
        if any(v is None for v in values):
            return None
        return all(v is True for v in values) if name == "qti-and" else any(v is True for v in values)
    if name == "qti-not":
        return None if values[0] is None else values[0] is not True
    if name in {"qti-match", "qti-string-match"}:
        if any(_is_null(v) for v in values):
            return None
        a, b = values
        if name == "qti-string-match" and (element.get("case-sensitive") or "true") == "false":
            a, b = str(a).casefold(), str(b).casefold()
        if name == "qti-string-match" and element.get("substring") == "true":
            return str(a) in str(b)
        return _same(a, b)
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
        if any(_is_null(v) for v in values):
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
