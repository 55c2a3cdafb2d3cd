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


def dump_bank(items: Sequence[dict[str, Any]], bank_id: str, title: str, comment: str = "") -> str:
    """The text of a bank file holding ``items``; ``comment`` goes on top (where it came from)."""
    yaml = YAML(typ="rt", pure=True)
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.representer.add_representer(Decimal, _represent_decimal)
    # Shared values (the default minutes) would otherwise be written as anchors and aliases.
    yaml.representer.ignore_aliases = lambda data: True
    out = io.StringIO()
    if comment:
        out.write("".join(f"# {line}\n".replace("# \n", "#\n") for line in comment.splitlines()))
    yaml.dump({"bank": bank_id, "title": title, "items": _blocks(list(items))}, out)
    return out.getvalue()
