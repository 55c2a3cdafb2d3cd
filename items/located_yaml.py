"""YAML files read so that every problem can be reported as ``path:line: field: message``.

Shared by the loaders of banks and interview kits: ruamel.yaml's round-trip parser keeps
the line of every key and list entry, pydantic's error location names the field, and
``Located`` joins the two.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

# Invariant 8: one hostile file must not spin a worker or fill its memory. A 600-byte alias
# bomb names one node a billion times; it is measured on the composed graph, where an alias
# is a second reference to the same node, before any Python object is built or copied.
MAX_YAML_BYTES = 2 * 1024 * 1024
MAX_ALIASES = 100
#: Nodes after expanding every alias; the largest shipped file holds under 2,000.
MAX_EXPANDED_NODES = 100_000
MAX_NESTING = 50


@dataclass(frozen=True)
class LocatedError:
    """One problem in a YAML file, located by line and field."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class FilesInvalid(Exception):
    """Raised with every problem found; nothing was loaded."""

    def __init__(self, errors: Sequence[LocatedError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = list(errors)


def yaml_files(paths: Iterable[str | Path]) -> list[Path]:
    """The YAML files named, or found under the directories named, in a stable order."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in {".yaml", ".yml"}))
        else:
            found.append(path)
    return found


class _TextTimestampConstructor(RoundTripConstructor):
    """Reads YAML timestamps as the text the author wrote.

    Item types parse dates themselves, with located errors; ruamel's own date
    parsing would fail on an impossible date with no line or field to report.
    """


_TextTimestampConstructor.add_constructor(
    "tag:yaml.org,2002:timestamp", RoundTripConstructor.construct_yaml_str
)


def read_yaml(path: Path, errors: list[LocatedError]) -> Any:
    """The parsed document, or None after adding to ``errors`` why there is none."""
    try:
        if path.stat().st_size > MAX_YAML_BYTES:
            errors.append(
                LocatedError(str(path), 0, "", f"the file is larger than {MAX_YAML_BYTES // 1024} KB")
            )
            return None
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        errors.append(LocatedError(str(path), 0, "", f"cannot read file: {exc}"))
        return None
    found = len(errors)
    data = read_yaml_text(text, str(path), errors)
    if data is None and len(errors) == found:
        errors.append(LocatedError(str(path), 1, "", "the file is empty"))
    return data


def read_yaml_text(text: str, path: str, errors: list[LocatedError], field: str = "") -> Any:
    """Parsed YAML text (None when empty), read as ``read_yaml`` reads a file; errors name ``field``."""
    if len(text) > MAX_YAML_BYTES:
        errors.append(LocatedError(path, 0, field, f"the text is larger than {MAX_YAML_BYTES // 1024} KB"))
        return None
    try:
        yaml = YAML(typ="rt", pure=True)
        yaml.Constructor = _TextTimestampConstructor
        node = yaml.compose(text)
        if node is None:
            return None
        if (problem := _expansion_problem(node)) is not None:
            line, at, message = problem
            errors.append(LocatedError(path, line, dotted((*_field(field), *at)), message))
            return None
        return yaml.constructor.construct_document(node)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        reason = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        errors.append(LocatedError(path, line, field, f"invalid YAML: {reason or exc}"))
    except (YAMLError, ValueError, TypeError, RecursionError) as exc:
        errors.append(LocatedError(path, 0, field, f"invalid YAML: {exc}"))
    return None


def _field(field: str) -> tuple[str, ...]:
    return (field,) if field else ()


#: How a node was reached: its parent, the key or index naming it there, and the line of that key.
_Edge = tuple[Node, str | int, int]


def _children(node: Node) -> list[tuple[Node, _Edge]]:
    """Each node directly below ``node``, with how it is reached from ``node``."""
    line = node.start_mark.line
    if isinstance(node, MappingNode):
        found: list[tuple[Node, _Edge]] = []
        for key, value in node.value:
            label = str(key.value) if not isinstance(key.value, list) else "?"
            found += [(key, (node, label, key.start_mark.line)), (value, (node, label, key.start_mark.line))]
        return found
    if isinstance(node, SequenceNode):
        return [(child, (node, index, line)) for index, child in enumerate(node.value)]
    return []


def _expansion_problem(root: Node) -> tuple[int, tuple[str | int, ...], str] | None:
    """Where the document grows past a bound once its aliases are expanded: line, field, why.

    A depth-first walk without recursion (an alias chain may nest deeper than the stack):
    each node's expanded size and depth are computed once, so measuring costs the
    size of the text, not of the expansion.
    """
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    parent: dict[int, _Edge] = {}
    entered: set[int] = set()
    aliases = 0
    stack: list[tuple[Node, bool, _Edge | None]] = [(root, False, None)]
    while stack:
        node, finished, via = stack.pop()
        key = id(node)
        if finished:
            children = [child for child, _ in _children(node)]
            size[key] = 1 + sum(size[id(child)] for child in children)
            depth[key] = 1 + max((depth[id(child)] for child in children), default=0)
            if size[key] > MAX_EXPANDED_NODES:
                message = f"expands to more than {MAX_EXPANDED_NODES:,} values once its aliases are resolved"
                return node.start_mark.line + 1, _path_to(node, parent), message
            if depth[key] > MAX_NESTING:
                return (
                    node.start_mark.line + 1,
                    _path_to(node, parent),
                    f"nests deeper than {MAX_NESTING} levels",
                )
        elif key in entered and via is not None:
            # A second way to a node is an alias: report it where the alias is used.
            aliases += 1
            line, at = via[2] + 1, (*_path_to(via[0], parent), via[1])
            if key not in size:
                return line, at, "an alias refers to a value that contains it"
            if aliases > MAX_ALIASES:
                return line, at, f"more than {MAX_ALIASES} aliases in one document"
        else:
            entered.add(key)
            if via is not None:
                parent[key] = via
            stack.append((node, True, via))
            stack.extend((child, False, edge) for child, edge in reversed(_children(node)))
    return None


def _path_to(node: Node, parent: dict[int, _Edge]) -> tuple[str | int, ...]:
    """The keys and indexes from the document's root to where ``node`` first appears."""
    path: list[str | int] = []
    while id(node) in parent:
        node, label, _ = parent[id(node)]
        path.append(label)
    return tuple(reversed(path))


class Located:
    """A parsed YAML node that can name the line of any field below it."""

    def __init__(self, path: str, node: Any, prefix: tuple[str | int, ...], line: int = 1) -> None:
        self.path = path
        self.node = node
        self.prefix = prefix
        # Scalars carry no position of their own; their parent's says where they are.
        self.line = _line(node) if getattr(node, "lc", None) is not None else line

    @classmethod
    def child(cls, path: str, seq: Any, key: str, index: int) -> Located:
        return cls(path, seq[index], (key, index), seq.lc.item(index)[0] + 1)

    def line_of(self, field_path: Sequence[str | int]) -> int:
        node, line = self.node, self.line
        for part in field_path:
            if isinstance(node, CommentedMap) and (key := _map_key(node, part)) is not None:
                line = node.lc.key(key)[0] + 1
                node = node[key]
            elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
                line = node.lc.item(part)[0] + 1
                node = node[part]
            else:
                break
        return line

    def error(self, field_path: Sequence[str | int], message: str) -> LocatedError:
        return LocatedError(self.path, self.line_of(field_path), dotted((*self.prefix, *field_path)), message)


def _map_key(node: CommentedMap, part: str | int) -> Any:
    """The key of ``node`` that ``part`` names; pydantic gives ``levels: {1: ...}`` keys as text."""
    if part in node:
        return part
    return next((key for key in node if not isinstance(key, str) and str(key) == str(part)), None)


def _line(node: Any) -> int:
    lc = getattr(node, "lc", None)
    return lc.line + 1 if lc is not None and lc.line is not None else 1


def dotted(parts: Sequence[str | int]) -> str:
    """``("items", 3, "key")`` -> ``items[3].key``."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def field_parts(dotted_path: str) -> list[str | int]:
    """``key.credit[2].id`` -> ["key", "credit", 2, "id"]."""
    pieces = dotted_path.replace("]", "").replace("[", ".").split(".")
    return [int(p) if p.isdigit() else p for p in pieces if p]


def validation_errors(
    located: Located, exc: ValidationError, prefix: tuple[str | int, ...]
) -> Iterator[LocatedError]:
    """Each of pydantic's errors, as a located error worded for a file's author."""
    for error in exc.errors(include_url=False):
        loc = (*prefix, *error["loc"])
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown field (check its spelling, or whether it belongs elsewhere)"
        elif error["type"] == "missing":
            message = "required field is missing"
        elif "input" in error:
            shown = repr(error["input"])
            if len(shown) <= 60:
                message = f"{message}, got {shown}"
        yield located.error(loc, message)


def plain(value: Any) -> Any:
    """ruamel's round-trip containers as plain dicts and lists, for pydantic."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


# Checks on a raw document (plain dicts and lists), for cross references that pydantic
# cannot see: they run even where a neighbouring field is malformed.

FieldPath = tuple[str | int, ...]


def entries(value: Any) -> Iterator[tuple[int, Any]]:
    """Index and entry of a list; nothing for anything else (pydantic reports that)."""
    return enumerate(value) if isinstance(value, list) else iter(())


def mappings(value: Any) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """Index and entry of the mappings in a list."""
    return ((i, entry) for i, entry in entries(value) if isinstance(entry, dict))


def declared_ids(value: Any) -> set[str]:
    """The ``id`` of every mapping in a list, broken entries included, so no reference cascades."""
    return {entry["id"] for _, entry in mappings(value) if isinstance(entry.get("id"), str)}


def duplicates(value: Any, at: FieldPath, key: str) -> Iterator[tuple[FieldPath, str]]:
    """Each mapping of a list whose ``key`` repeats an earlier one's."""
    seen: dict[str, int] = {}
    for index, entry in mappings(value):
        name = entry.get(key)
        if not isinstance(name, str):
            continue
        if name in seen:
            yield (*at, index, key), f"{name!r} appears twice (first at {dotted((*at, seen[name]))})"
        else:
            seen[name] = index


def unknown_references(
    ref: Any, known: set[str], at: FieldPath, kind: str
) -> Iterator[tuple[FieldPath, str]]:
    """A problem when ``ref`` names no ``kind`` declared in the file."""
    if isinstance(ref, str) and ref not in known:
        yield at, f"no {kind} {ref!r} in this file; known: {', '.join(sorted(known)) or 'none'}"
