"""Signals never touch scores: by construction, integrity and scoring cannot reach each other.

Scoring's functions take item versions and responses only, and neither package imports the
other (directly or through any module they import), so no signal, tier or threshold can enter
a score. The layers contract in pyproject.toml says the same to lint-imports.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import scoring.items
import scoring.outcome
import scoring.totals

ROOT = Path(__file__).resolve().parents[3]


def _imports(package: str) -> set[str]:
    found: set[str] = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found


def test_integrity_reads_nothing_of_scoring_items_or_reports() -> None:
    assert _imports("integrity") & {"scoring", "items", "reports", "kits", "interchange", "assess"} == set()


def test_scoring_and_what_it_imports_know_nothing_of_integrity() -> None:
    reachable = {"scoring"}
    for package in ("scoring", "items", "kits"):
        reachable |= _imports(package)
    assert "integrity" not in reachable


def test_no_scoring_function_takes_a_signal_or_a_tier() -> None:
    for module in (scoring.items, scoring.totals, scoring.outcome):
        for name, function in inspect.getmembers(module, inspect.isfunction):
            for parameter in inspect.signature(function).parameters.values():
                annotation = str(parameter.annotation)
                assert "integrity" not in annotation and "Signal" not in annotation, (name, parameter)
