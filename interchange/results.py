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
    """Bank item dicts (ready for the bank loader) and the problems met reading them.

    ``origins`` names where each item came from, item id -> (source, location), so that every
    question can be told as "imported as TYPE" or "reported: reason" (``question_outcomes``).
    """

    items: list[dict[str, Any]]
    problems: list[ImportProblem] = field(default_factory=list)
    origins: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class QuestionOutcome:
    """What became of one question of a source: the item it became and what it left, or why none.

    ``item_id`` is None for a question that was not imported, and for a loss reported about a
    question whose item is not known (its reason names the item).
    """

    source: str
    location: str
    item_id: str | None
    item_type: str | None
    reasons: tuple[str, ...]
    title: str = ""

    @property
    def where(self) -> str:
        """The question's line or identifier in the source; its title when the importer did not say."""
        return self.location or self.title

    def place(self, imported: str) -> str:
        """Where the question is within ``imported``, the file or package the user named.

        A package's questions are in its files: the file is named, not the package again.
        """
        inside = self.source.removeprefix(imported).lstrip(":/")
        return ":".join(part for part in (inside, self.where) if part)

    @property
    def outcome(self) -> str:
        if self.item_type is None:
            return "reported: " + "; ".join(self.reasons)
        left = f"; reported: {'; '.join(self.reasons)}" if self.reasons else ""
        return f"imported as {self.item_type}{left}"


@dataclass(frozen=True)
class ImportSummary:
    """One outcome per question, and how many were imported whole, imported with a loss, or not."""

    questions: tuple[QuestionOutcome, ...]
    imported: int
    lossy: int
    not_imported: int

    def counts(self) -> str:
        return (
            f"{self.imported + self.not_imported} question(s): {self.imported - self.lossy} imported as they "
            f"are, {self.lossy} imported with something left behind, {self.not_imported} not imported"
        )


def summarise_import(
    items: list[dict[str, Any]], problems: list[ImportProblem], origins: Mapping[str, tuple[str, str]]
) -> ImportSummary:
    """Each item with the problems met where it came from, then each question that was not imported.

    A problem about an imported question whose place is not in ``origins`` stands on its own
    line; its reason names the item.
    """
    placed = {origin: item_id for item_id, origin in origins.items()}
    notes: dict[str, list[str]] = {}
    alone: list[QuestionOutcome] = []
    for problem in problems:
        owner = placed.get((problem.source, problem.location)) if problem.imported else None
        if owner is None:
            alone.append(QuestionOutcome(problem.source, problem.location, None, None, (problem.reason,)))
        else:
            notes.setdefault(owner, []).append(problem.reason)
    questions = [
        QuestionOutcome(
            *origins.get(item["id"], ("", "")),
            item_id=item["id"],
            item_type=str(item["type"]),
            reasons=tuple(notes.get(item["id"], ())),
            title=str(item.get("title", "")),
        )
        for item in items
    ]
    lossy = len({(p.source, p.location) for p in problems if p.imported})
    not_imported = sum(1 for p in problems if not p.imported)
    return ImportSummary(tuple(_in_source_order(questions + alone)), len(items), lossy, not_imported)


def _in_source_order(questions: list[QuestionOutcome]) -> list[QuestionOutcome]:
    """By line within each source when every location is a line number; else as the importer met them."""
    if not all(q.location.isdigit() for q in questions):
        return questions
    sources = list(dict.fromkeys(q.source for q in questions))
    return sorted(questions, key=lambda q: (sources.index(q.source), int(q.location)))


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
