"""Every item type is covered by every export format: a writer for its shape, or a reason it has none."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from interchange_cases import SHIPPED_BANKS

from interchange import EXPORTERS, export_bank, moodle_export, qti_export
from items import registry
from items.bank import ItemVersion, load_banks
from items.shapes import SHAPES, NoFaithfulTarget

ROUND_TRIP_BANK = Path(__file__).with_name("round_trip_bank.yaml")
FORMATS: dict[str, tuple[str, Mapping[type[Any], Callable[..., Any] | NoFaithfulTarget]]] = {
    "qti": ("QTI", qti_export.WRITERS),
    "moodle": ("Moodle", moodle_export.WRITERS),
}


@pytest.fixture(scope="module")
def items() -> list[ItemVersion]:
    shipped = load_banks([SHIPPED_BANKS])
    round_trip = load_banks([ROUND_TRIP_BANK])
    return [*shipped.items.values(), *round_trip.items.values()]


def test_every_export_format_is_in_this_test() -> None:
    assert set(FORMATS) == set(EXPORTERS)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_shape_has_a_writer_or_a_reason_in_every_format(fmt: str) -> None:
    _, writers = FORMATS[fmt]
    assert set(writers) == set(SHAPES)
    for shape, writer in writers.items():
        assert callable(writer) or (isinstance(writer, NoFaithfulTarget) and writer.reason.strip()), shape


def test_every_type_takes_a_shape_or_names_why_it_has_none(items: list[ItemVersion]) -> None:
    seen = set()
    for item in items:
        shape = item.item_type.shape(item.body, item.key)
        assert isinstance(shape, SHAPES) or (isinstance(shape, NoFaithfulTarget) and shape.reason.strip())
        seen.add(item.type)
    assert seen == set(registry.names()), "every type needs a bank item here for its shape to be checked"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_item_is_exported_or_reported_with_its_reason(fmt: str, items: list[ItemVersion]) -> None:
    name, writers = FORMATS[fmt]
    result = export_bank(items, fmt)
    left_out = {p.item_id: p.reason for p in result.problems if not p.exported}
    for item in items:
        shape = item.item_type.shape(item.body, item.key)
        target = shape if isinstance(shape, NoFaithfulTarget) else writers[type(shape)]
        if isinstance(target, NoFaithfulTarget):
            assert left_out[item.item_id] == f"not exported: {item.type} has no {name} form: {target.reason}"
        elif item.item_id not in result.exported:
            # A writer may still find no form for this instance (a Moodle short answer holds one blank).
            assert left_out[item.item_id].startswith(f"not exported: {item.type} has no {name} form: ")
