"""Export then import gives back the same items and keys, per format and type; the rest is reported."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from interchange_cases import SHIPPED_BANKS, content, imported_content, load_items

from interchange import export_bank, import_file
from items.bank import Catalogue, load_banks

BANK = Path(__file__).with_name("round_trip_bank.yaml")
QTI_TYPES = ["numeric", "proofreading", "single_choice", "sjt_rank", "sjt_rate", "written"]
MOODLE_TYPES = ["numeric", "single_choice", "written"]


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_banks([BANK])


def _round_trip(catalogue: Catalogue, fmt: str, tmp_path: Path) -> tuple[dict[str, dict[str, Any]], Any]:
    exported = export_bank(catalogue.items.values(), fmt)
    path = tmp_path / ("package.zip" if fmt == "qti" else "quiz.xml")
    path.write_bytes(exported.data)
    result = import_file(fmt, path)
    # Through the bank file too: what comes back must load as it is.
    reloaded = load_items(result.items, tmp_path, f"back-{fmt}")
    return {i: content(v) for i, v in reloaded.items.items()}, exported


@pytest.mark.parametrize("item_type", QTI_TYPES)
def test_qti_round_trip_gives_back_the_same_items_and_keys(
    catalogue: Catalogue, tmp_path: Path, item_type: str
) -> None:
    back, _ = _round_trip(catalogue, "qti", tmp_path)
    originals = [v for v in catalogue.items.values() if v.type == item_type]
    assert originals
    for original in originals:
        assert back[original.item_id] == content(original)


@pytest.mark.parametrize("item_type", MOODLE_TYPES)
def test_moodle_round_trip_gives_back_the_same_items_and_keys(
    catalogue: Catalogue, tmp_path: Path, item_type: str
) -> None:
    back, _ = _round_trip(catalogue, "moodle", tmp_path)
    for original in (v for v in catalogue.items.values() if v.type == item_type):
        expected = content(original)
        # Moodle has no expected time per question: minutes come back as the default.
        expected["minutes"] = "1"
        if original.item_id == "numeric-percent":
            # Moodle tolerances are absolute: 2% of 12.5 comes back as ±0.25, which accepts the same answers.
            expected["key"].update(tolerance="0.25", relative_tolerance="0")
        if original.item_id == "numeric-currency":
            # Moodle has no field for the answer's label (the export says so): the default comes back.
            expected["body"]["label"] = "Your answer"
        assert back[original.item_id] == expected


def test_moodle_export_notes_what_it_changes_and_reports_types_it_cannot_carry(catalogue: Catalogue) -> None:
    result = export_bank(catalogue.items.values(), "moodle")
    notes = {(p.item_id, p.reason) for p in result.problems}
    assert (
        "numeric-percent",
        "exported, but the relative tolerance is written as the absolute ±0.25 it allows for this key",
    ) in notes
    assert (
        "numeric-currency",
        "exported, but the answer label 'New monthly charge' has no Moodle field",
    ) in notes
    left_out = {p.item_id for p in result.problems if not p.exported}
    assert left_out == {"rate-grid", "rank-four", "proofread", "proofread-marks-only"}
    assert set(result.exported) | left_out == set(catalogue.items)


def test_qti_export_reports_what_players_treat_differently(catalogue: Catalogue) -> None:
    result = export_bank(catalogue.items.values(), "qti")
    assert set(result.exported) == set(catalogue.items)
    assert {(p.item_id, p.exported) for p in result.problems} == {("rank-four", True), ("proofread", True)}


@pytest.mark.parametrize("fmt", ["qti", "moodle"])
def test_shipped_bank_exports_round_trip_or_are_reported_never_dropped(tmp_path: Path, fmt: str) -> None:
    shipped = load_banks([SHIPPED_BANKS])
    result = export_bank(shipped.items.values(), fmt)
    left_out = {p.item_id for p in result.problems if not p.exported}
    assert set(result.exported) | left_out == set(shipped.items)
    assert not set(result.exported) & left_out
    assert {shipped.items[i].type for i in left_out} >= {"record_entry", "sjt_most_least"}
    path = tmp_path / "out"
    path.write_bytes(result.data)
    back = import_file(fmt, path)
    assert [p for p in back.problems if not p.imported] == []
    for item in back.items:
        expected = content(shipped.items[item["id"]])
        if fmt == "moodle":
            expected["minutes"] = "1"
        assert imported_content(item) == expected


def test_parameterised_numeric_items_are_reported_not_dropped() -> None:
    shipped = load_banks([SHIPPED_BANKS])
    quote = shipped.items["detail-quote-check"]
    for fmt in ("qti", "moodle"):
        result = export_bank([quote], fmt)
        assert result.exported == []
        [problem] = result.problems
        assert problem.item_id == "detail-quote-check" and "formula" in problem.reason
        assert problem.source == quote.source


def test_qti_export_is_reproducible_byte_for_byte(catalogue: Catalogue) -> None:
    first = export_bank(catalogue.items.values(), "qti").data
    assert export_bank(catalogue.items.values(), "qti").data == first
    assert Decimal(len(first)) > 0
