"""The bank loader: located errors, every problem at once, content versions."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from items.bank import BankInvalid, item_version_from_content, load_banks

SHIPPED = Path(__file__).resolve().parents[3] / "items" / "banks"
PROCESS = SHIPPED / "account_manager_smb" / "process.yaml"


def _line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    seen = 0
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in {path}")


def _errors(*paths: Path) -> list[str]:
    with pytest.raises(BankInvalid) as caught:
        load_banks(paths)
    return [str(e) for e in caught.value.errors]


def test_shipped_bank_loads_with_its_form() -> None:
    catalogue = load_banks([SHIPPED])
    form = catalogue.form("account-manager-smb")
    assert form.time_limit_minutes == 30
    assert form.budget_minutes <= 30
    assert [s.id for s in form.sections] == [
        "situational_judgment",
        "attention_to_detail",
        "communication",
        "process_analysis",
    ]
    assert set(form.item_ids()) <= set(catalogue.items)


def test_broken_copy_names_every_problem_with_file_line_and_field(tmp_path: Path) -> None:
    broken = tmp_path / "process.yaml"
    text = PROCESS.read_text()
    text = text.replace("correct: b", "correct: e", 1)
    text = text.replace("type: single_choice", "type: single_choise", 2).replace(
        "type: single_choise", "type: single_choice", 1
    )
    text = text.replace("    title: Handling a feature request that does not exist yet\n", "", 1)
    broken.write_text(text)
    errors = _errors(broken)
    assert errors == [
        f"{broken}:{_line_of(broken, 'correct: e')}: items[0].key.correct: "
        "names option 'e', which is not one of: a, b, c, d",
        f"{broken}:{_line_of(broken, 'type: single_choise')}: items[1].type: "
        "unknown item type 'single_choise'; known types: " + ", ".join(_known_types()),
        f"{broken}:{_line_of(broken, '- id: process-feature-request')}: "
        "items[2].title: required field is missing",
    ]


def _known_types() -> list[str]:
    from items import registry

    return registry.names()


def test_bad_yaml_is_reported_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("bank: x\ntitle: X\nitems:\n  - id: a\n    body: [unclosed\n")
    (error,) = _errors(bad)
    assert error.startswith(f"{bad}:")
    assert "invalid YAML" in error


def test_duplicate_yaml_keys_are_an_error_not_a_silent_overwrite(tmp_path: Path) -> None:
    bad = tmp_path / "dup.yaml"
    bad.write_text("bank: x\ntitle: X\ntitle: Y\n")
    (error,) = _errors(bad)
    assert error.startswith(f"{bad}:3:")
    assert "duplicate" in error


def test_problems_in_several_files_are_all_reported(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("bank: a\ntitle: A\nitems: [1]\n")
    (tmp_path / "b.yaml").write_text("just a string\n")
    errors = _errors(tmp_path)
    assert len(errors) == 2
    assert errors[0].startswith(f"{tmp_path / 'a.yaml'}:3: items[0]:")
    assert errors[1].startswith(f"{tmp_path / 'b.yaml'}:1:")


def test_duplicate_item_ids_across_files_are_named(tmp_path: Path) -> None:
    shutil.copy(PROCESS, tmp_path / "one.yaml")
    (tmp_path / "two.yaml").write_text(PROCESS.read_text().replace("bank: am-smb-process", "bank: other"))
    errors = _errors(tmp_path)
    assert len(errors) == 3
    assert all("duplicate item id" in e and str(tmp_path / "two.yaml") in e for e in errors)


def test_form_referring_to_missing_items_and_over_budget(tmp_path: Path) -> None:
    shutil.copy(PROCESS, tmp_path / "process.yaml")
    form = tmp_path / "form.yaml"
    form.write_text(
        "bank: f\ntitle: F\nforms:\n  - id: short\n    title: Short\n    time_limit_minutes: 2\n"
        "    sections:\n      - id: s\n        title: S\n        items:\n"
        "          - process-renewal-first-step\n          - nowhere\n"
        "          - {draw: 2, from: [process-best-upsell-target, process-feature-request]}\n"
    )
    errors = _errors(tmp_path)
    assert errors == [
        f"{form}:12: forms[0].sections[0].items[1]: no item with id 'nowhere' in the banks loaded",
        f"{form}:6: forms[0].time_limit_minutes: items need 3 minutes, more than the 2-minute limit",
    ]


def test_empty_and_missing_files_are_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    assert _errors(empty) == [f"{empty}:1: the file is empty"]
    assert "cannot read file" in _errors(tmp_path / "absent.yaml")[0]


def test_any_change_to_an_item_is_a_new_version(tmp_path: Path) -> None:
    original = load_banks([PROCESS]).items["process-feature-request"]
    edited = tmp_path / "p.yaml"
    edited.write_text(PROCESS.read_text().replace("bulk-export", "bulk export"))
    changed = load_banks([edited]).items["process-feature-request"]
    assert changed.version != original.version
    again = load_banks([PROCESS]).items["process-feature-request"]
    assert again.version == original.version


def test_stored_content_rebuilds_the_same_version() -> None:
    item = load_banks([PROCESS]).items["process-renewal-first-step"]
    rebuilt = item_version_from_content(item.content())
    assert rebuilt.version == item.version
    assert rebuilt.key == item.key
    assert rebuilt.minutes == Decimal(1)


def test_impossible_yaml_date_is_reported_at_its_field(tmp_path: Path) -> None:
    bad = tmp_path / "date.yaml"
    bad.write_text(PROCESS.read_text().replace("minutes: 1\n", "minutes: 2025-07-32\n", 1))
    (error,) = _errors(bad)
    assert error.startswith(f"{bad}:{_line_of(bad, '2025-07-32')}: items[0].minutes:")
