"""Import -> export -> import: what another platform gave comes back the same from assess's own export.

For every fixture of every import format and both export formats, an item exported without a
note comes back with the same body, key and scoring rule; one exported with a note (Moodle
renaming option ids, a relative tolerance written as absolute) still comes back, changed only
as the note says. Moodle has no expected time per question, so minutes are not compared there.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from interchange_cases import EXTERNAL, content, load_items

from interchange import export_bank, import_file

SOURCES = {"qti21": "qti", "qti30": "qti", "moodle_xml": "moodle", "gift": "gift", "aiken": "aiken"}
FIXTURES = [(folder, path.name) for folder in SOURCES for path in sorted((EXTERNAL / folder).iterdir())]


@pytest.mark.parametrize("target", ["qti", "moodle"])
@pytest.mark.parametrize(("folder", "name"), FIXTURES)
def test_imported_items_come_back_the_same_through_each_export(
    tmp_path: Path, folder: str, name: str, target: str
) -> None:
    first = load_items(import_file(SOURCES[folder], EXTERNAL / folder / name).items, tmp_path, "first")
    exported = export_bank(first.items.values(), target)
    path = tmp_path / ("package.zip" if target == "qti" else "quiz.xml")
    path.write_bytes(exported.data)
    back = load_items(import_file(target, path).items, tmp_path, "back").items
    noted = {p.item_id for p in exported.problems if p.exported}
    assert set(exported.exported) <= set(back)
    for item_id in set(exported.exported) - noted:
        expected, got = content(first.items[item_id]), content(back[item_id])
        if target == "moodle":
            expected.pop("minutes"), got.pop("minutes")
        assert got == expected, item_id


def test_the_round_trip_compares_items_of_every_importer_and_type(tmp_path: Path) -> None:
    compared: set[tuple[str, str]] = set()
    for folder, name in FIXTURES:
        first = load_items(import_file(SOURCES[folder], EXTERNAL / folder / name).items, tmp_path, "first")
        for target in ("qti", "moodle"):
            exported = export_bank(first.items.values(), target)
            noted = {p.item_id for p in exported.problems if p.exported}
            compared |= {(SOURCES[folder], first.items[i].type) for i in set(exported.exported) - noted}
    assert {source for source, _ in compared} == set(SOURCES.values())
    assert {item_type for _, item_type in compared} >= {
        "numeric", "proofreading", "record_entry", "single_choice", "written",
    }  # fmt: skip
