"""Random damage to a YAML file, line by line or node by node, for the bank and kit fuzzers.

Each example loads whole files, so a run tries ``FUZZ_EXAMPLES`` per test (a sample that keeps the
suite short); ``ASSESS_FUZZ_EXAMPLES=2000`` in the environment makes the long run.
"""

from __future__ import annotations

import io
import os
from typing import Any

from hypothesis import strategies as st
from ruamel.yaml import YAML

FUZZ_EXAMPLES = int(os.environ.get("ASSESS_FUZZ_EXAMPLES", "30"))

line_edits = st.lists(
    st.tuples(
        st.sampled_from(["delete", "duplicate", "indent", "dedent", "replace", "insert", "truncate"]),
        st.integers(min_value=0, max_value=10_000),
        st.text(max_size=12),
    ),
    min_size=1,
    max_size=6,
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


def mutate_lines(text: str, edits: list[tuple[str, int, str]]) -> str:
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


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_paths(value, (*prefix, index)))
    return found


def mutate_node(text: str, pick: int, value: Any, drop: bool) -> str:
    """``text`` with its ``pick``-th node (any depth, modulo their number) dropped or set to ``value``."""
    yaml = YAML(typ="rt", pure=True)
    data = yaml.load(text)
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
    return out.getvalue()
