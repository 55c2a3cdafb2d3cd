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
from collections.abc import Mapping
from decimal import Decimal

from lxml import etree

from interchange.qti_item import Declared, Q, QtiItem
from interchange.qti_operators import correct, map_response, operate
from interchange.qti_package import QTI3
from interchange.qti_values import NUMERIC, Unreadable, Value, parse_value
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


class _Exit(Exception):
    """An exit-response rule: processing stops with the outcomes set so far."""


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
            initial = parse_value(values[0], base)
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
            return parse_value("".join(element.itertext()), element.get("base-type") or "")
        if name == "qti-null":
            return None
        if name in {"qti-variable", "qti-correct", "qti-default", "qti-map-response"}:
            return self._named(name, element.get("identifier") or "")
        values = [self.value(a, depth + 1) for a in args]
        return operate(name, element, values)

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
            return correct(declared)
        return map_response(declared, self.responses.get(identifier))
