"""Fuzzed bank files: random mutations of the shipped bank never produce a traceback."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from yaml_fuzzing import FUZZ_EXAMPLES, line_edits, mutate_lines, mutate_node, scalars

from items.bank import BankInvalid, Catalogue, bank_files, load_banks

SHIPPED = Path(__file__).resolve().parents[3] / "items" / "banks"
FILES = {p.name: p.read_text() for p in bank_files([SHIPPED])}


def _load(files: dict[str, str]) -> Catalogue | None:
    with tempfile.TemporaryDirectory() as folder:
        for name, text in files.items():
            Path(folder, name).write_text(text, encoding="utf-8")
        try:
            return load_banks([folder])
        except BankInvalid as exc:
            assert exc.errors, "BankInvalid must carry at least one problem"
            for error in exc.errors:
                assert error.path.startswith(folder)
                assert error.message
            return None


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(FILES)), edits=line_edits)
def test_line_mutations_give_located_errors_or_a_valid_bank(
    name: str, edits: list[tuple[str, int, str]]
) -> None:
    _load({**FILES, name: mutate_lines(FILES[name], edits)})


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(FILES)), pick=st.integers(min_value=0), value=scalars, drop=st.booleans())
def test_structural_mutations_give_located_errors_or_a_valid_bank(
    name: str, pick: int, value: Any, drop: bool
) -> None:
    _load({**FILES, name: mutate_node(FILES[name], pick, value, drop)})
