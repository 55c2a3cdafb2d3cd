"""The safe evaluator for key formulas: + - * / over numbers and named params, in Decimal.

Formulas come from bank authors, so they are checked node by node against a short
allow-list rather than handed to ``eval``.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping
from decimal import Context, Decimal, DivisionByZero, InvalidOperation, Overflow, localcontext

FORMULA_NODES = (
    ast.BinOp, ast.UnaryOp, ast.Name, ast.Load,
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.USub, ast.UAdd,
)  # fmt: skip
ARITHMETIC = Context(prec=28, traps=[InvalidOperation, DivisionByZero, Overflow])


class FormulaError(ValueError):
    """A key formula that cannot be parsed or evaluated."""


def parse_formula(formula: str) -> ast.expr:
    """The formula's syntax tree, allowing only numbers, names, + - * /, parentheses and signs."""
    try:
        tree = ast.parse(formula, mode="eval").body
    except (SyntaxError, ValueError, RecursionError) as exc:
        raise FormulaError(f"cannot parse {formula!r}: {exc}") from None
    for node in ast.walk(tree):
        if not (_is_number(node) or isinstance(node, FORMULA_NODES)):
            raise FormulaError(
                f"{formula!r} uses {type(node).__name__}; only numbers, params, + - * / and ( ) are allowed"
            )
    return tree


def _is_number(node: ast.AST) -> bool:
    if not isinstance(node, ast.Constant) or isinstance(node.value, bool):
        return False
    return isinstance(node.value, (int, float)) and math.isfinite(node.value)


def formula_names(formula: str) -> set[str]:
    return {node.id for node in ast.walk(parse_formula(formula)) if isinstance(node, ast.Name)}


def evaluate(formula: str, values: Mapping[str, Decimal]) -> Decimal:
    """The formula's value in Decimal arithmetic (28 significant digits)."""
    tree = parse_formula(formula)
    try:
        with localcontext(ARITHMETIC):
            return _evaluate(tree, values)
    except (InvalidOperation, DivisionByZero, Overflow) as exc:
        numbers = ", ".join(f"{name} = {value}" for name, value in values.items())
        raise FormulaError(f"{formula!r} cannot be computed with {numbers}: {type(exc).__name__}") from None


def _evaluate(node: ast.expr, values: Mapping[str, Decimal]) -> Decimal:
    if isinstance(node, ast.Constant):
        return Decimal(str(node.value))
    if isinstance(node, ast.Name):
        if node.id not in values:
            raise FormulaError(f"{node.id!r} is not a declared param")
        return values[node.id]
    if isinstance(node, ast.UnaryOp):
        operand = _evaluate(node.operand, values)
        return -operand if isinstance(node.op, ast.USub) else +operand
    assert isinstance(node, ast.BinOp)
    left, right = _evaluate(node.left, values), _evaluate(node.right, values)
    if isinstance(node.op, ast.Add):
        return left + right
    if isinstance(node.op, ast.Sub):
        return left - right
    if isinstance(node.op, ast.Mult):
        return left * right
    return left / right
