"""A pool's maximum exposure in a form: validated with a located message, kept, and drawn through a hook."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from items.bank import BankInvalid, load_banks
from items.forms import Pool, draw_attempt

PROCESS = Path(__file__).resolve().parents[3] / "items" / "banks" / "account_manager_smb" / "process.yaml"
POOL_ITEMS = "[process-renewal-first-step, process-best-upsell-target, process-feature-request]"


def _bank(tmp_path: Path, pool: str) -> Path:
    tmp_path.mkdir(exist_ok=True)
    shutil.copy(PROCESS, tmp_path / "process.yaml")
    form = tmp_path / "form.yaml"
    form.write_text(
        "bank: f\ntitle: F\nforms:\n  - id: capped\n    title: Capped\n    time_limit_minutes: 10\n"
        "    sections:\n      - id: s\n        title: S\n        items:\n"
        f"          - {pool}\n"
    )
    return tmp_path


def _errors(path: Path) -> list[str]:
    with pytest.raises(BankInvalid) as caught:
        load_banks([path])
    return [str(e) for e in caught.value.errors]


def test_a_pool_keeps_its_maximum_exposure(tmp_path: Path) -> None:
    catalogue = load_banks([_bank(tmp_path, f"{{draw: 2, max_exposure: 40, from: {POOL_ITEMS}}}")])
    (pool,) = catalogue.form("capped").sections[0].entries
    assert isinstance(pool, Pool) and pool.max_exposure == 40 and pool.draw == 2


def test_a_pool_without_a_maximum_has_none(tmp_path: Path) -> None:
    catalogue = load_banks([_bank(tmp_path, f"{{draw: 2, from: {POOL_ITEMS}}}")])
    (pool,) = catalogue.form("capped").sections[0].entries
    assert isinstance(pool, Pool) and pool.max_exposure is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "a whole number, 1 or more (leave it out for no maximum), got 0"),
        ("-3", "a whole number, 1 or more (leave it out for no maximum), got -3"),
        ("ten", "Input should be a valid integer, unable to parse string as an integer, got 'ten'"),
    ],
)
def test_a_bad_maximum_exposure_names_file_line_and_field(tmp_path: Path, value: str, message: str) -> None:
    path = _bank(tmp_path, f"{{draw: 1, max_exposure: {value}, from: {POOL_ITEMS}}}")
    errors = _errors(path)
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"{path / 'form.yaml'}:11: forms[0].sections[0].items[0].pool.max_exposure: ")
    assert errors[0].endswith(message)


def test_a_pool_problem_is_reported_once_as_the_pool(tmp_path: Path) -> None:
    path = _bank(tmp_path, f"{{draw: 0, from: {POOL_ITEMS}}}")
    assert _errors(path) == [
        f"{path / 'form.yaml'}:11: forms[0].sections[0].items[0].pool.draw: "
        "Input should be greater than or equal to 1, got 0"
    ]


def test_a_cap_leaves_the_form_content_version_and_the_default_draw_as_they_were(tmp_path: Path) -> None:
    capped = load_banks([_bank(tmp_path / "a", f"{{draw: 2, max_exposure: 5, from: {POOL_ITEMS}}}")])
    plain = load_banks([_bank(tmp_path / "b", f"{{draw: 2, from: {POOL_ITEMS}}}")])
    # The content version of a form is its repr: a cap draws no prepared attempt again.
    assert repr(capped.form("capped")) == repr(plain.form("capped"))
    form = capped.form("capped")
    for seed in range(5):
        drawn = [slot.item.item_id for slot in draw_attempt(form, capped.items, random.Random(seed))]
        expected = random.Random(seed).sample(POOL_ITEMS.strip("[]").split(", "), 2)
        assert drawn == expected


def test_a_pool_draw_hook_picks_the_items(tmp_path: Path) -> None:
    catalogue = load_banks([_bank(tmp_path, f"{{draw: 2, max_exposure: 5, from: {POOL_ITEMS}}}")])
    picked: list[Pool] = []

    def last_two(pool: Pool, rng: random.Random) -> list[str]:
        picked.append(pool)
        return list(pool.item_ids[-2:])

    slots = draw_attempt(catalogue.form("capped"), catalogue.items, random.Random(1), last_two)
    assert [slot.item.item_id for slot in slots] == ["process-best-upsell-target", "process-feature-request"]
    assert [pool.max_exposure for pool in picked] == [5]
