"""Whether an imported item scores answers as its QTI source does: both score the same probes.

A probe is one answer written twice: as the source's response processing reads it and as
the assess type's response. Every probe whose points differ becomes part of one note, so
a change of scoring is reported with examples instead of passing silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from interchange.qti_item import Mapped
from interchange.qti_processing import Processing
from interchange.qti_values import Value
from items import registry
from items.base import ResponseError
from items.values import plain_decimal

SHOWN = 4


@dataclass(frozen=True)
class Probe:
    """One answer: ``label`` names it in a note ("'york' in gap 1")."""

    label: str
    source: Mapping[str, Value]
    assess: Mapping[str, Any]


def disagreements(processing: Processing, mapped: Mapped, probes: Iterable[Probe]) -> list[str]:
    """One note listing the probes the source and the imported item score differently; [] when none."""
    item_type = registry.get(mapped.type_name)
    try:
        body = item_type.body.model_validate(mapped.body)
        key = item_type.key.model_validate(mapped.key)
    except ValidationError:
        return []  # the collector reports an item that would not load, with the loader's words
    found: list[str] = []
    for probe in probes:
        theirs = processing.score(probe.source)
        try:
            response = item_type.response.model_validate(dict(probe.assess), context={"body": body})
            ours = item_type.score(body, key, response).points
        except (ValidationError, ResponseError):
            continue
        if theirs != ours:
            found.append(
                f"{probe.label} earns {plain_decimal(theirs)} in the source "
                f"and {plain_decimal(ours)} in assess"
            )
    if not found:
        return []
    more = f" (and {len(found) - SHOWN} more)" if len(found) > SHOWN else ""
    return [f"it scores differently: {'; '.join(found[:SHOWN])}{more}"]
