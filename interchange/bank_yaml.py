"""Imported items written as a bank YAML file that ``assess bank validate`` accepts."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import LiteralScalarString


def _represent_decimal(representer: RoundTripRepresenter, value: Decimal) -> Any:
    # Written as the number the author would type: 1, 0.5, 4.136 (never 1E+1 or a quoted string).
    if value == value.to_integral_value():
        return representer.represent_scalar("tag:yaml.org,2002:int", str(int(value)))
    return representer.represent_scalar("tag:yaml.org,2002:float", format(value, "f"))


def _blocks(value: Any) -> Any:
    """Multi-line strings as literal blocks (``|``), so passages keep their line breaks readably."""
    if isinstance(value, dict):
        return {k: _blocks(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_blocks(v) for v in value]
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value)
    return value


def _writer() -> YAML:
    yaml = YAML(typ="rt", pure=True)
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.representer.add_representer(Decimal, _represent_decimal)
    # Shared values (the default minutes) would otherwise be written as anchors and aliases.
    yaml.representer.ignore_aliases = lambda data: True
    return yaml


def dump_yaml(data: Any) -> str:
    """Plain data as YAML written the way bank files are (numbers as typed, passages as blocks)."""
    out = io.StringIO()
    _writer().dump(_blocks(data), out)
    return out.getvalue()


def dump_bank(
    items: Sequence[dict[str, Any]],
    bank_id: str,
    title: str,
    comment: str = "",
    forms: Sequence[dict[str, Any]] = (),
) -> str:
    """The text of a bank file holding ``items`` (and ``forms``); ``comment`` goes on top."""
    out = io.StringIO()
    if comment:
        out.write("".join(f"# {line}\n".replace("# \n", "#\n") for line in comment.splitlines()))
    bank: dict[str, Any] = {"bank": bank_id, "title": title, "items": list(items)}
    if forms:
        bank["forms"] = list(forms)
    _writer().dump(_blocks(bank), out)
    return out.getvalue()
