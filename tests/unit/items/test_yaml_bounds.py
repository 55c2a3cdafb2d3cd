"""Every YAML read is bounded: alias bombs, self-referencing aliases, deep nesting and huge
files are refused quickly with ``path:line: field: message``, before any Python object is built."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from items.bank import BankInvalid, load_banks
from items.located_yaml import (
    MAX_ALIASES,
    MAX_EXPANDED_NODES,
    MAX_NESTING,
    MAX_YAML_BYTES,
    FilesInvalid,
    LocatedError,
    read_yaml_text,
)
from kits.model import load_kits

REPO = Path(__file__).resolve().parents[3]
SAMPLE = REPO / "tests" / "fixtures" / "banks" / "sample.yaml"
KIT = REPO / "kits" / "account_manager_smb.yaml"


def alias_bomb(levels: int = 9) -> str:
    """About 600 bytes that expand to 9**levels strings ("billion laughs")."""
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


def _errors(text: str, field: str = "") -> list[LocatedError]:
    errors: list[LocatedError] = []
    assert read_yaml_text(text, "editor", errors, field) is None
    return errors


def test_an_alias_bomb_is_refused_at_the_line_where_it_grows_past_the_bound() -> None:
    started = time.perf_counter()
    errors = _errors(alias_bomb(), "body")
    assert time.perf_counter() - started < 1
    assert [str(e) for e in errors] == [
        f"editor:6: body.l5: expands to more than {MAX_EXPANDED_NODES:,} values once its aliases are resolved"
    ]


def test_an_alias_bomb_in_a_bank_file_is_a_located_bank_error(tmp_path: Path) -> None:
    bank = tmp_path / "bomb.yaml"
    bank.write_text(
        SAMPLE.read_text().replace("items:\n", alias_bomb().replace("l", "x-l", 1) + "items:\n", 1)
    )
    started = time.perf_counter()
    with pytest.raises(BankInvalid) as caught:
        load_banks([bank])
    assert time.perf_counter() - started < 2
    assert [str(e) for e in caught.value.errors] == [
        f"{bank}:8: l5: expands to more than {MAX_EXPANDED_NODES:,} values once its aliases are resolved"
    ]


def test_an_alias_bomb_in_a_kit_file_is_a_located_error(tmp_path: Path) -> None:
    kit = tmp_path / "kit.yaml"
    kit.write_text(KIT.read_text() + "bomb:\n" + "".join(f"  {line}\n" for line in alias_bomb().splitlines()))
    with pytest.raises(FilesInvalid) as caught:
        load_kits([kit])
    (error,) = caught.value.errors
    assert error.path == str(kit) and error.field == "bomb.l5"
    assert "expands to more than" in error.message


def test_too_many_aliases_are_refused_even_when_each_is_small() -> None:
    text = "".join(f"a{i}: &a{i} x\nb{i}: *a{i}\n" for i in range(MAX_ALIASES + 1))
    (error,) = _errors(text)
    assert error.message == f"more than {MAX_ALIASES} aliases in one document"
    assert (error.line, error.field) == (2 * MAX_ALIASES + 2, f"b{MAX_ALIASES}")


def test_an_alias_inside_its_own_anchor_is_refused() -> None:
    (error,) = _errors("title: t\nloop: &me\n  - *me\n", "key")
    assert str(error) == "editor:2: key.loop[0]: an alias refers to a value that contains it"


def test_nesting_past_the_bound_is_refused() -> None:
    depth = MAX_NESTING + 5
    (error,) = _errors("[" * depth + "]" * depth)
    assert error.message == f"nests deeper than {MAX_NESTING} levels"


def test_nesting_far_past_the_parsers_stack_is_an_error_not_a_crash() -> None:
    (error,) = _errors("[" * 50_000 + "]" * 50_000)
    assert error.message.startswith("invalid YAML") or "nests deeper" in error.message


def test_text_and_files_larger_than_the_bound_are_not_parsed(tmp_path: Path) -> None:
    (error,) = _errors("a: b\n" + "#" * MAX_YAML_BYTES)
    assert error.message == f"the text is larger than {MAX_YAML_BYTES // 1024} KB"
    big = tmp_path / "big.yaml"
    big.write_text(SAMPLE.read_text() + "#" * MAX_YAML_BYTES)
    with pytest.raises(BankInvalid) as caught:
        load_banks([big])
    assert [str(e) for e in caught.value.errors] == [
        f"{big}:0: the file is larger than {MAX_YAML_BYTES // 1024} KB"
    ]


def test_a_few_honest_aliases_still_load() -> None:
    errors: list[LocatedError] = []
    data = read_yaml_text("scale: &scale [1, 2, 3, 4]\nfirst: *scale\nsecond: *scale\n", "editor", errors)
    assert errors == []
    assert data == {"scale": [1, 2, 3, 4], "first": [1, 2, 3, 4], "second": [1, 2, 3, 4]}
