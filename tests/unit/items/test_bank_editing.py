"""What editors outside the bank files rely on: one item checked as the loader checks it,
YAML text read like a file, a form's bank, and a form that cannot be drawn."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from interchange.bank_yaml import dump_bank, dump_yaml
from items.bank import FormUnavailable, check_item, load_banks
from items.located_yaml import LocatedError, read_yaml_text

SHIPPED = Path(__file__).resolve().parents[3] / "items" / "banks"

ITEM = {
    "id": "first-step",
    "type": "single_choice",
    "title": "First step",
    "section": "process",
    "minutes": "1",
    "body": {"prompt": "Which?", "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}]},
    "key": {"correct": "b"},
}


def test_check_item_gives_the_version_the_loader_would() -> None:
    version, errors = check_item(ITEM, "my-bank", "editor")
    assert errors == []
    assert version is not None and version.bank == "my-bank" and version.key.model_dump()["correct"] == "b"
    assert check_item(dict(ITEM), "my-bank", "editor")[0] == version


def test_check_item_reports_every_problem_by_field() -> None:
    broken = {**ITEM, "title": "", "minutes": "0", "key": {"correct": "e"}}
    version, errors = check_item(broken, "my-bank", "editor")
    assert version is None
    assert [(e.field, e.message) for e in errors] == [
        ("title", "String should have at least 1 character, got ''"),
        ("minutes", "Input should be greater than 0, got '0'"),
        ("key.correct", "names option 'e', which is not one of: a, b"),
    ]


def test_yaml_text_is_read_like_a_file_with_located_errors() -> None:
    errors: list[LocatedError] = []
    assert read_yaml_text("value: 2024-02-30\n", "body", errors, "body") == {"value": "2024-02-30"}
    assert read_yaml_text("a: [1,\n", "body", errors, "body") is None
    assert len(errors) == 1 and errors[0].field == "body" and errors[0].line == 2
    assert errors[0].message.startswith("invalid YAML")


def test_loaded_forms_know_their_bank() -> None:
    assert load_banks([SHIPPED]).form_banks == {"account-manager-smb": "am-smb-form"}


def test_a_form_with_problems_is_unavailable_with_the_reasons() -> None:
    catalogue = load_banks([SHIPPED])
    broken = replace(catalogue, form_problems={"account-manager-smb": ["sections[0].items[0]: retired"]})
    with pytest.raises(FormUnavailable) as caught:
        broken.form("account-manager-smb")
    assert caught.value.problems == ["sections[0].items[0]: retired"]
    with pytest.raises(KeyError, match="no form 'nope'"):
        broken.form("nope")


def test_dumped_banks_carry_forms_and_load_back(tmp_path: Path) -> None:
    form = {
        "id": "one-form",
        "title": "One",
        "time_limit_minutes": 5,
        "sections": [{"id": "s", "title": "S", "items": ["first-step"]}],
    }
    (tmp_path / "bank.yaml").write_text(dump_bank([ITEM], "my-bank", "Mine", "made by a test", forms=[form]))
    catalogue = load_banks([tmp_path])
    assert catalogue.form("one-form").item_ids() == ["first-step"]
    assert catalogue.form_banks == {"one-form": "my-bank"}
    assert dump_yaml({"text": "two\nlines"}) == "text: |-\n  two\n  lines\n"
