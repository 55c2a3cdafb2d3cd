"""Item exposure: how often each item version was shown, draws that prefer the less-shown, and caps.

An item shown to many candidates can leak (screenshots, forums); a pool with a maximum exposure
per item stops showing an item once it reaches the cap, and draws favour the least-shown so the
pool wears evenly.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from integrity.observations import ItemRef
from integrity.rules import IntegrityRules


class PoolExhausted(ValueError):
    """Too few items of a pool are under their exposure cap for the draw it needs."""

    def __init__(self, needed: int, available: int, cap: int) -> None:
        self.needed, self.available, self.cap = needed, available, cap
        super().__init__(
            f"the pool needs {needed} items but only {available} have been shown fewer than "
            f"{cap} times: add items to the pool or raise its maximum exposure"
        )


@dataclass(frozen=True)
class ExposureFlag:
    item: ItemRef
    shown: int
    cap: int
    text: str


def exposure_counts(shown: Iterable[ItemRef]) -> dict[ItemRef, int]:
    """How many attempts showed each item version (one entry per attempt and item shown)."""
    return dict(Counter(shown))


def draw_less_exposed(
    pool: Sequence[str],
    draw: int,
    exposure: Mapping[str, int],
    cap: int | None,
    rng: random.Random,
) -> list[str]:
    """``draw`` item ids from ``pool``, none at its cap, the less shown the likelier.

    ``exposure`` counts the showings of each id's current version. Each item's chance is
    proportional to 1 / (1 + its showings above the least-shown item's): equally shown items
    are equally likely, and an item shown 10 times more is 11 times less likely. Raises
    ``PoolExhausted`` rather than exceed a cap.
    """
    open_items = [item for item in pool if cap is None or exposure.get(item, 0) < cap]
    if len(open_items) < draw:
        raise PoolExhausted(draw, len(open_items), cap or 0)
    chosen: list[str] = []
    for _ in range(draw):
        least = min(exposure.get(item, 0) for item in open_items)
        weights = [1 / (1 + exposure.get(item, 0) - least) for item in open_items]
        pick = rng.choices(range(len(open_items)), weights=weights)[0]
        chosen.append(open_items.pop(pick))
    return chosen


def near_cap(exposure: Mapping[ItemRef, int], cap: int, rules: IntegrityRules) -> list[ExposureFlag]:
    """The item versions shown ``exposure_warn_share`` of their cap or more, most shown first."""
    flags = [
        ExposureFlag(
            item,
            shown,
            cap,
            f"{item.item_id} has been shown {shown} times, {shown / cap:.0%} of its maximum of {cap}"
            + ("; it is no longer drawn" if shown >= cap else ""),
        )
        for item, shown in exposure.items()
        if shown >= rules.exposure_warn_share * cap
    ]
    return sorted(flags, key=lambda flag: (-flag.shown, flag.item))
