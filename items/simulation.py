"""What a type's ``simulate`` is given: a candidate answering one item, and the slips they make.

Demo cohorts answer through each type's ``simulate``, so that what is stored is what the
product would store from the form a browser posts. The ability model lives with the demo.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Protocol


class Answerer(Protocol):
    """A simulated candidate facing one item, with their own seeded randomness.

    ``shift`` makes a part of the item harder (positive) or easier (negative) than the item.
    """

    @property
    def rng(self) -> random.Random: ...

    def chance(self, shift: float = 0.0) -> float:
        """The chance that a part of the item comes out right."""
        ...

    def gets(self, shift: float = 0.0) -> bool:
        """Whether this part comes out right."""
        ...

    def wrong_pick(self, option_ids: Sequence[str], right: str) -> str:
        """A distractor picked instead of ``right``."""
        ...


def misspelled(text: str, rng: random.Random) -> str:
    """One letter dropped: the typo a hurried candidate makes in a name or a word."""
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if len(letters) < 4:
        return text + text[-1]
    cut = rng.choice(letters[1:])
    return text[:cut] + text[cut + 1 :]
