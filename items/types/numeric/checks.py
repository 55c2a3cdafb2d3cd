"""A numeric key checked against its body: params shown, one kind of key, formulas that evaluate."""

from __future__ import annotations

import itertools
from decimal import Decimal

from items.base import Problem
from items.formulas import FormulaError, evaluate, formula_names
from items.types.numeric.schema import MAX_WHOLE_DIGITS, PLACEHOLDER, Body, Key

# Formulas are evaluated for every possible draw at load time when there are this few.
EXHAUSTIVE_CHECK_LIMIT = 20_000


def check(body: Body, key: Key) -> list[Problem]:
    declared = set(body.params)
    placeholders = set(PLACEHOLDER.findall(body.prompt))
    known = ", ".join(sorted(declared)) or "none"
    problems = [
        Problem("body.prompt", f"uses {{{name}}}, which is not one of the params ({known})")
        for name in sorted(placeholders - declared)
    ]
    problems += [
        Problem(f"body.params.{name}", "is never shown in the prompt, so candidates cannot use it")
        for name in sorted(declared - placeholders)
    ]
    return problems + _key_problems(body, key)


def _key_problems(body: Body, key: Key) -> list[Problem]:
    if (key.answer is None) == (key.value is None):
        return [Problem("key.answer", "give exactly one of answer (a formula) or value (a fixed number)")]
    if key.answer is None:
        return [Problem("key.value", "an item with params needs a formula in answer")] if body.params else []
    if key.also:
        return [Problem("key.also", "alternatives go with a fixed value; a formula key stays single")]
    try:
        unknown = formula_names(key.answer) - set(body.params)
    except FormulaError as exc:
        return [Problem("key.answer", str(exc))]
    if unknown:
        return [Problem("key.answer", f"uses {', '.join(sorted(unknown))}, which are not declared params")]
    return _evaluation_problems(body, key.answer)


def _evaluation_problems(body: Body, formula: str) -> list[Problem]:
    """Evaluate every possible draw when there are few, else the shown values and the range ends."""
    params = list(body.params.values())
    size = 1
    for param in params:
        size *= param.count()
    draws: list[tuple[Decimal, ...]]
    if size <= EXHAUSTIVE_CHECK_LIMIT:
        draws = list(itertools.product(*([p.nth(i) for i in range(p.count())] for p in params)))
    else:
        draws = [
            tuple(p.shown() for p in params),
            tuple(p.nth(0) for p in params),
            tuple(p.nth(p.count() - 1) for p in params),
        ]
    limit = Decimal(10) ** MAX_WHOLE_DIGITS
    for values in draws:
        try:
            result = evaluate(formula, dict(zip(body.params, values, strict=True)))
        except FormulaError as exc:
            return [Problem("key.answer", str(exc))]
        if abs(result) >= limit:
            drawn = ", ".join(f"{name} = {value}" for name, value in zip(body.params, values, strict=True))
            return [Problem("key.answer", f"gives {result} with {drawn}: too large to type")]
    return []
