"""Questions from other platforms in, bank items out (QTI 2.1/3.0, Moodle XML, GIFT, Aiken), and back.

``import_file`` maps what has a faithful assess type and reports every other question
with its file, line or identifier and the reason; ``export_bank`` writes QTI 3.0 or
Moodle XML and reports the items that have no form there. Pure: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from interchange.aiken import import_aiken
from interchange.bank_yaml import dump_bank
from interchange.gift import import_gift
from interchange.moodle_export import export_moodle
from interchange.moodle_import import import_moodle
from interchange.qti_export import export_qti
from interchange.qti_import import import_qti
from interchange.results import (
    ExportProblem,
    ExportResult,
    ImportProblem,
    ImportResult,
    ImportSummary,
    InterchangeError,
    Progress,
    QuestionOutcome,
    UnsafeXml,
    summarise_import,
)
from items.bank import ItemVersion

IMPORTERS: dict[str, Callable[[Path, Progress | None], ImportResult]] = {
    "qti": import_qti,
    "moodle": import_moodle,
    "gift": import_gift,
    "aiken": import_aiken,
}
EXPORTERS: dict[str, Callable[[Iterable[ItemVersion]], ExportResult]] = {
    "qti": export_qti,
    "moodle": export_moodle,
}

__all__ = [
    "EXPORTERS",
    "IMPORTERS",
    "ExportProblem",
    "ExportResult",
    "ImportProblem",
    "ImportResult",
    "ImportSummary",
    "InterchangeError",
    "QuestionOutcome",
    "UnsafeXml",
    "dump_bank",
    "export_bank",
    "import_file",
    "summarise_import",
]


def import_file(format: str, path: str | Path, progress: Progress | None = None) -> ImportResult:
    """Read ``path`` in ``format`` (qti, moodle, gift, aiken) as bank items and problems.

    Raises ``InterchangeError`` when the source as a whole cannot be read (``UnsafeXml``
    for XML refused for safety); a question that cannot be mapped is a problem, not an error.
    """
    if format not in IMPORTERS:
        raise ValueError(f"unknown import format {format!r}; known: {', '.join(IMPORTERS)}")
    source = Path(path)
    if not source.exists():
        raise InterchangeError(str(source), "does not exist")
    return IMPORTERS[format](source, progress)


def export_bank(catalogue_items: Iterable[ItemVersion], format: str) -> ExportResult:
    """Items as ``format`` (qti: a zipped QTI 3.0 package; moodle: one quiz XML), with what was left out."""
    if format not in EXPORTERS:
        raise ValueError(f"unknown export format {format!r}; known: {', '.join(EXPORTERS)}")
    return EXPORTERS[format](catalogue_items)
