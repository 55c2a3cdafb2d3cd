"""The one registry: discovery, lookup, and a clear message for unknown types."""

from __future__ import annotations

import pytest

from items import registry
from items.base import ItemType

EXPECTED = {
    "single_choice",
    "sjt_most_least",
    "sjt_rate",
    "sjt_rank",
    "numeric",
    "proofreading",
    "record_entry",
    "written",
}


def test_every_type_module_is_registered_under_its_module_name() -> None:
    assert set(registry.names()) >= EXPECTED
    for name in registry.names():
        assert isinstance(registry.get(name), ItemType)
        assert registry.get(name).name == name


def test_unknown_type_names_the_known_ones() -> None:
    with pytest.raises(registry.UnknownType) as caught:
        registry.get("essay")
    message = str(caught.value)
    assert "unknown item type 'essay'" in message
    assert "single_choice" in message
