"""Fuzzed bank files: random mutations of the shipped bank never produce a traceback."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from items.bank import BankInvalid, Catalogue, bank_files, load_banks

SHIPPED = Path(__file__).resolve().parents[3] / "items" / "banks"
FILES = {p.name: p.read_text() for p in bank_files([SHIPPED])}

line_edits = st.lists(
    st.tuples(
        st.sampled_from(["delete", "duplicate", "indent", "dedent", "replace", "insert", "truncate"]),
        st.integers(min_value=0, max_value=10_000),
        st.text(max_size=12),
    ),
    min_size=1,
    max_size=6,
)


def _mutate_lines(text: str, edits: list[tuple[str, int, str]]) -> str:
    lines = text.splitlines()
    for action, position, noise in edits:
        if not lines:
            break
        i = position % len(lines)
        if action == "delete":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "indent":
            lines[i] = "  " + lines[i]
        elif action == "dedent":
            lines[i] = lines[i][2:]
        elif action == "replace" and lines[i]:
            j = position % len(lines[i])
            lines[i] = lines[i][:j] + noise + lines[i][j + 1 :]
        elif action == "insert":
            lines.insert(i, noise)
        elif action == "truncate":
            lines = lines[: i + 1]
    return "\n".join(lines) + "\n"


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


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(FILES)), edits=line_edits)
def test_line_mutations_give_located_errors_or_a_valid_bank(
    name: str, edits: list[tuple[str, int, str]]
) -> None:
    _load({**FILES, name: _mutate_lines(FILES[name], edits)})


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_paths(value, (*prefix, index)))
    return found


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(FILES)), pick=st.integers(min_value=0), value=scalars, drop=st.booleans())
def test_structural_mutations_give_located_errors_or_a_valid_bank(
    name: str, pick: int, value: Any, drop: bool
) -> None:
    yaml = YAML(typ="rt", pure=True)
    data = yaml.load(FILES[name])
    paths = _paths(data)
    path = paths[pick % len(paths)]
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    if drop:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    out = io.StringIO()
    yaml.dump(data, out)
    _load({**FILES, name: out.getvalue()})
