"""How a demo candidate answers an item: an ability model, facing each item's type's ``simulate``.

Each candidate has an ability theta ~ N(0, 1); each item a difficulty b and a discrimination
a. A part of an item (a pick, an option's rating, a planted error, a record field) comes out
right with the 2PL chance 1 / (1 + exp(-1.7 a (theta - b))), so abler candidates earn more
on every item and item statistics, flags and the key comparison see real spread.

The type's ``simulate`` writes the form a browser would post, and it goes through the type's
own ``normalise``: what is stored is what the product would store from that form.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from items.bank import ItemVersion
from items.base import Criterion, Schema

#: The scale factor that makes the logistic curve match the normal ogive.
LOGISTIC_SCALE = 1.7
#: A wrong pick goes to the most tempting distractor this many times as often as to another.
TEMPTING_WEIGHT = 3


@dataclass(frozen=True)
class ItemParameters:
    difficulty: float
    discrimination: float


def item_parameters(item_ids: Sequence[str], rng: random.Random) -> dict[str, ItemParameters]:
    """Plausible items (mostly moderate, a few hard), plus one too easy and one that tells no one apart.

    The two weak items give the item statistics page flags to show, as a real bank would.
    """
    parameters = {
        item_id: ItemParameters(rng.uniform(-1.4, 0.9), rng.uniform(0.7, 1.8)) for item_id in item_ids
    }
    if len(item_ids) >= 4:
        easy, weak = rng.sample(sorted(item_ids), 2)
        parameters[easy] = ItemParameters(-3.0, 1.0)
        parameters[weak] = ItemParameters(0.0, 0.05)
    return parameters


@dataclass
class Candidate:
    """One candidate's ability, answering with their own seeded randomness."""

    theta: float
    rng: random.Random

    def chance(self, item: ItemParameters, shift: float = 0.0) -> float:
        exponent = -LOGISTIC_SCALE * item.discrimination * (self.theta - item.difficulty - shift)
        return 1 / (1 + math.exp(max(-50.0, min(50.0, exponent))))

    def gets(self, item: ItemParameters, shift: float = 0.0) -> bool:
        return self.rng.random() < self.chance(item, shift)

    def wrong_pick(self, option_ids: Sequence[str], right: str) -> str:
        """A distractor: the first one (by id, whatever the shown order) tempts most."""
        others = sorted(i for i in option_ids if i != right)
        weights = [TEMPTING_WEIGHT] + [1] * (len(others) - 1)
        return self.rng.choices(others, weights)[0]


@dataclass(frozen=True)
class Facing:
    """A candidate facing one item: what a type's ``simulate`` answers with."""

    who: Candidate
    item: ItemParameters

    @property
    def rng(self) -> random.Random:
        return self.who.rng

    def chance(self, shift: float = 0.0) -> float:
        return self.who.chance(self.item, shift)

    def gets(self, shift: float = 0.0) -> bool:
        return self.who.gets(self.item, shift)

    def wrong_pick(self, option_ids: Sequence[str], right: str) -> str:
        return self.who.wrong_pick(option_ids, right)


def answer(
    item: ItemVersion, body: Schema, key: Schema, who: Candidate, parameters: ItemParameters
) -> Schema | None:
    """The candidate's response to the item as shown (``body``, ``key`` realized for their variant).

    None when they leave it blank.
    """
    form = item.item_type.simulate(body, key, Facing(who, parameters))
    return item.item_type.normalise(body, form)


def rubric_awards(criteria: Sequence[Criterion], who: Candidate, item: ItemParameters) -> dict[str, Decimal]:
    """A reviewer's marks: each criterion's share of its maximum follows the candidate's chance."""
    awards = {}
    for criterion in criteria:
        top = float(criterion.max_points)
        mark = round(top * who.chance(item, shift=-0.3) + who.rng.gauss(0, 0.5))
        awards[criterion.id] = Decimal(min(int(top), max(0, mark)))
    return awards
