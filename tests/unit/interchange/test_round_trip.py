"""Export then import gives back the same items and keys, per format and type; the rest is reported."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from interchange_cases import SHIPPED_BANKS, content, imported_content, load_items

from interchange import export_bank, import_file
from items.bank import Catalogue, ItemVersion, load_banks

# The types each format has a faithful form for; every other type is reported by the export.
FAITHFUL_TYPES = {
    "qti": {"numeric", "proofreading", "record_entry", "single_choice", "sjt_rank", "sjt_rate", "written"},
    "moodle": {"numeric", "record_entry", "single_choice", "written"},
}
BANK = Path(__file__).with_name("round_trip_bank.yaml")
CATALOGUE = load_banks([BANK])


def _cases() -> list[Any]:
    """Every item of the round-trip bank that each format exports, as (format, item id)."""
    cases = []
    for fmt in ("qti", "moodle"):
        for item_id in export_bank(CATALOGUE.items.values(), fmt).exported:
            cases.append(pytest.param(fmt, item_id, id=f"{fmt}-{item_id}"))
    return cases


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return CATALOGUE


def _round_trip(catalogue: Catalogue, fmt: str, tmp_path: Path) -> tuple[dict[str, dict[str, Any]], Any]:
    exported = export_bank(catalogue.items.values(), fmt)
    path = tmp_path / ("package.zip" if fmt == "qti" else "quiz.xml")
    path.write_bytes(exported.data)
    result = import_file(fmt, path)
    # Through the bank file too: what comes back must load as it is.
    reloaded = load_items(result.items, tmp_path, f"back-{fmt}")
    return {i: content(v) for i, v in reloaded.items.items()}, exported


def _moodle_expected(original: ItemVersion) -> dict[str, Any]:
    """What Moodle XML gives back for ``original``: the same item, less what Moodle has no field for."""
    expected = content(original)
    # Moodle has no expected time per question: minutes come back as the default.
    expected["minutes"] = "1"
    if original.item_id == "numeric-percent":
        # Moodle tolerances are absolute: 2% of 12.5 comes back as ±0.25, which accepts the same answers.
        expected["key"].update(tolerance="0.25", relative_tolerance="0")
    if original.item_id == "numeric-currency":
        # Moodle has no field for the answer's label (the export says so): the default comes back.
        expected["body"]["label"] = "Your answer"
    return expected


@pytest.mark.parametrize(("fmt", "item_id"), _cases())
def test_export_then_import_gives_back_the_same_item_key_and_scoring_rule(
    catalogue: Catalogue, tmp_path: Path, fmt: str, item_id: str
) -> None:
    back, _ = _round_trip(catalogue, fmt, tmp_path)
    original = catalogue.items[item_id]
    expected = _moodle_expected(original) if fmt == "moodle" else content(original)
    assert back.get(item_id) == expected


@pytest.mark.parametrize("fmt", ["qti", "moodle"])
def test_every_type_with_a_faithful_form_is_in_the_round_trip(catalogue: Catalogue, fmt: str) -> None:
    exported = export_bank(catalogue.items.values(), fmt).exported
    types = {catalogue.items[i].type for i in exported}
    assert types == FAITHFUL_TYPES[fmt]


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
    assert left_out == {
        "rate-grid", "rank-four", "proofread", "proofread-marks-only",
        "typed-gaps", "select-exact", "record-with-date",
    }  # fmt: skip
    assert set(result.exported) | left_out == set(catalogue.items)


def test_qti_export_reports_what_players_treat_differently(catalogue: Catalogue) -> None:
    result = export_bank(catalogue.items.values(), "qti")
    assert set(result.exported) == set(catalogue.items) - {"record-with-date"}
    assert {(p.item_id, p.exported) for p in result.problems} == {
        ("rank-four", True),
        ("proofread", True),
        ("record-with-date", False),
    }


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
