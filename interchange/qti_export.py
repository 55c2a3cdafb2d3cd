"""Bank items -> QTI 3.0: one ``qti-assessment-item`` per item in a zipped IMS content package.

The package holds ``imsmanifest.xml`` (each item a resource, with its expected time and
tags as LOM metadata), ``assessment.xml`` (a test whose sections are the items' sections)
and ``items/<id>.xml``. What QTI has no field for travels in class-named markup that
assess reads back: the entry's unit and label, a ranking's end labels, and keys for
scorers only (``qti-rubric-block view="scorer"``: rubrics, error kinds, corrections).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable
from typing import Any

from lxml import etree

from interchange.qti_choice_writers import write_choice, write_ranking, write_rating, write_selection
from interchange.qti_entry_writers import write_number, write_proofreading, write_texts, write_written
from interchange.qti_item_builder import ItemXml
from interchange.qti_manifest import TEST_FILE, manifest_xml, test_xml
from interchange.results import ExportProblem, ExportResult, NoTarget, shape_and_writer
from items.bank import ItemVersion
from items.shapes import (
    DrawnNumber,
    MarkedPassage,
    NoFaithfulTarget,
    NumberWithTolerance,
    Ordering,
    PerOptionRating,
    ScoredChoice,
    Selection,
    Shape,
    TextWithRubric,
    TypedTexts,
)

# A fixed timestamp keeps the package byte-for-byte reproducible (and reads no clock).
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def item_xml(item: ItemVersion) -> tuple[etree._Element, list[str]]:
    """The QTI 3.0 item for ``item`` and what other QTI players will treat differently."""
    shape, writer = shape_and_writer(item, WRITERS, "QTI")
    xml = ItemXml(item)
    writer(xml, shape)
    return xml.finish(), xml.notes


#: What QTI holds each shape as: a writer, or why it cannot.
WRITERS: dict[type[Shape], Callable[[ItemXml, Any], None] | NoFaithfulTarget] = {
    ScoredChoice: write_choice,
    PerOptionRating: write_rating,
    Ordering: write_ranking,
    NumberWithTolerance: write_number,
    DrawnNumber: NoFaithfulTarget(
        "numbers drawn per attempt with a formula key need QTI templates, which are not exported"
    ),
    TextWithRubric: write_written,
    MarkedPassage: write_proofreading,
    TypedTexts: write_texts,
    Selection: write_selection,
}


def _bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def export_qti(items: Iterable[ItemVersion]) -> ExportResult:
    """A zipped QTI 3.0 content package of every item with a QTI form; the rest reported."""
    files: dict[str, bytes] = {}
    entries: list[ItemVersion] = []
    problems: list[ExportProblem] = []
    for item in items:
        try:
            root, notes = item_xml(item)
        except NoTarget as exc:
            problems.append(ExportProblem(item.item_id, item.source, f"not exported: {exc}"))
            continue
        files[f"items/{item.item_id}.xml"] = _bytes(root)
        entries.append(item)
        problems.extend(
            ExportProblem(item.item_id, item.source, f"exported, but {n}", exported=True) for n in notes
        )
    files["imsmanifest.xml"] = _bytes(manifest_xml(entries))
    files[TEST_FILE] = _bytes(test_xml(entries))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ["imsmanifest.xml", TEST_FILE, *sorted(n for n in files if n.startswith("items/"))]:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    return ExportResult(out.getvalue(), [i.item_id for i in entries], problems)
