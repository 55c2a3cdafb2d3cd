"""What an import or an export gives back: the items or bytes, and every problem met on the way."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from items.bank import ItemVersion
from items.shapes import NoFaithfulTarget, Shape

#: Told (done, total) as questions are read, so a command line can draw a progress bar.
Progress = Callable[[int, int], None]


class InterchangeError(Exception):
    """A whole source that cannot be read: unsafe or malformed XML, an unreadable file or archive."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.message = message


class UnsafeXml(InterchangeError):
    """XML refused for safety (declared entities, oversized input): the whole import stops."""


@dataclass(frozen=True)
class ImportProblem:
    """A question that was not imported, or was imported with something left behind.

    ``location`` is a line number (text and Moodle XML files) or an identifier (QTI),
    so that ``str()`` reads ``SRC:LINE-or-ID: reason``.
    """

    source: str
    location: str
    reason: str
    imported: bool = False

    def __str__(self) -> str:
        return f"{self.source}:{self.location}: {self.reason}"


@dataclass(frozen=True)
class ImportResult:
    """Bank item dicts (ready for the bank loader) and the problems met reading them."""

    items: list[dict[str, Any]]
    problems: list[ImportProblem] = field(default_factory=list)


@dataclass(frozen=True)
class ExportProblem:
    """An item left out of an export (or exported with something left behind), and why."""

    item_id: str
    source: str
    reason: str
    exported: bool = False

    def __str__(self) -> str:
        return f"{self.source}: {self.item_id}: {self.reason}"


@dataclass(frozen=True)
class ExportResult:
    """The exported file's bytes, which items went in, and what could not."""

    data: bytes
    exported: list[str]
    problems: list[ExportProblem] = field(default_factory=list)


class NoTarget(Exception):
    """An item with no faithful form in the format being written; the message says why."""


Writer = TypeVar("Writer")


def shape_and_writer(
    item: ItemVersion, writers: Mapping[type[Shape], Writer | NoFaithfulTarget], format: str
) -> tuple[Shape, Writer]:
    """The item's shape and the format's writer for it; ``NoTarget`` with the reason when there is none.

    The reason is the type's own when it names no shape, else the format's for that shape.
    """
    shape = item.item_type.shape(item.body, item.key)
    target = shape if isinstance(shape, NoFaithfulTarget) else writers[type(shape)]
    if isinstance(target, NoFaithfulTarget):
        raise NoTarget(f"{item.type} has no {format} form: {target.reason}")
    return shape, target
