"""How a demo candidate answers an item: an ability model, and per type the form they would post.

Each candidate has an ability theta ~ N(0, 1); each item a difficulty b and a discrimination
a. A part of an item (a pick, an option's rating, a planted error, a record field) comes out
right with the 2PL chance 1 / (1 + exp(-1.7 a (theta - b))), so abler candidates earn more
on every item and item statistics, flags and the key comparison see real spread.

The answer is the form a browser posts, and it goes through the type's own ``normalise``:
what is stored is what the product would store from that form.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from items.bank import ItemVersion
from items.base import Schema
from items.types import (
    numeric,
    proofreading,
    record_entry,
    single_choice,
    sjt_most_least,
    sjt_rank,
    sjt_rate,
    written,
)

DemoForm = dict[str, list[str]]
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


Responder = Callable[[Any, Any, Candidate, ItemParameters], DemoForm]


def _single_choice(
    body: single_choice.Body, key: single_choice.Key, who: Candidate, item: ItemParameters
) -> DemoForm:
    ids = [o.id for o in body.options]
    return {"choice": [key.correct if who.gets(item) else who.wrong_pick(ids, key.correct)]}


def _most_least(
    body: sjt_most_least.Body, key: sjt_most_least.Key, who: Candidate, item: ItemParameters
) -> DemoForm:
    ids = [o.id for o in body.options]
    most = key.most if who.gets(item) else who.wrong_pick(ids, key.most)
    # Spotting the worst response is a little easier than the best.
    least = key.least if who.gets(item, shift=-0.4) else who.wrong_pick(ids, key.least)
    if least == most:
        least = who.wrong_pick(ids, most)
    return {"most": [most], "least": [least]}


def _rate(body: sjt_rate.Body, key: sjt_rate.Key, who: Candidate, item: ItemParameters) -> DemoForm:
    spread = 0.3 + 1.6 * (1 - who.chance(item))
    scale = body.scale
    form: DemoForm = {}
    for option in body.options:
        rating = round(float(key.ratings[option.id]) + who.rng.gauss(0, spread))
        form[sjt_rate.FIELD_PREFIX + option.id] = [str(min(scale.max, max(scale.min, rating)))]
    return form


def _rank(body: sjt_rank.Body, key: sjt_rank.Key, who: Candidate, item: ItemParameters) -> DemoForm:
    spread = 0.3 + 2.0 * (1 - who.chance(item))
    noisy = sorted(key.ranking, key=lambda option_id: key.ranking.index(option_id) + who.rng.gauss(0, spread))
    return {sjt_rank.FIELD_PREFIX + option_id: [str(rank)] for rank, option_id in enumerate(noisy, start=1)}


def _numeric(body: numeric.Body, key: numeric.Key, who: Candidate, item: ItemParameters) -> DemoForm:
    value = numeric.expected_value(body, key)
    if not who.gets(item):
        # The usual slips: a step left out or done twice moves the result by some percent.
        value *= Decimal(who.rng.choice(("0.85", "0.9", "0.95", "1.05", "1.1", "1.2")))
    value = value.quantize(Decimal("0.01")) if value != value.to_integral() else value.to_integral()
    typed = f"{value:f}"
    if body.unit == "currency" and who.rng.random() < 0.5:
        typed = numeric.shown(body, value)
    return {"value": [typed]}


def _proofreading(
    body: proofreading.Body, key: proofreading.Key, who: Candidate, item: ItemParameters
) -> DemoForm:
    seeded = key.by_token(body)
    marks: set[int] = set()
    form: DemoForm = {}
    for error in key.errors:
        if not who.gets(item, shift=who.rng.uniform(-0.5, 0.5)):
            continue
        indices = error.indices(body)
        marks.update(indices)
        if body.ask_corrections and error.corrections() and who.gets(item, shift=-0.3):
            form[f"fix-{indices[0]}"] = [error.corrections()[0]]
    correct_words = [t.index for t in body.tokens() if t.index is not None and t.index not in seeded]
    false_alarms = sum(1 for _ in range(3) if who.rng.random() < 0.3 * (1 - who.chance(item)))
    marks.update(who.rng.sample(correct_words, min(false_alarms, len(correct_words))))
    form["mark"] = [str(index) for index in sorted(marks)]
    return form


def _misspelled(text: str, rng: random.Random) -> str:
    """One letter dropped: the typo a hurried candidate makes in a name or a word."""
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if len(letters) < 4:
        return text + text[-1]
    cut = rng.choice(letters[1:])
    return text[:cut] + text[cut + 1 :]


def _record_value(entry: Any, expected: Any, who: Candidate, right: bool) -> str | list[str]:
    rng = who.rng
    if isinstance(expected, record_entry.OrderedListExpected):
        names = list(expected.value)
        if not right:
            swap = rng.randrange(len(names) - 1)
            names[swap], names[swap + 1] = names[swap + 1], names[swap]
        return names
    if isinstance(expected, record_entry.DateExpected):
        day = expected.value if right else expected.value + timedelta(days=rng.choice((-30, -1, 1, 7)))
        return rng.choice((f"{day:%B} {day.day}, {day.year}", day.isoformat(), f"{day:%m/%d/%Y}"))
    if isinstance(expected, record_entry.AmountExpected):
        amount = expected.value if right else expected.value * Decimal(rng.choice(("0.8", "0.9", "1.1")))
        amount = amount.quantize(Decimal("0.01")) if amount != amount.to_integral() else amount.to_integral()
        return rng.choice((f"{amount:f}", f"{amount:,f}"))
    if isinstance(expected, record_entry.ChoiceExpected):
        ids = [o.id for o in entry.options]
        return expected.value if right else who.wrong_pick(ids, expected.value)
    text = str(expected.value)
    return text if right else _misspelled(text, rng)


def _record_entry(
    body: record_entry.Body, key: record_entry.Key, who: Candidate, item: ItemParameters
) -> DemoForm:
    form: DemoForm = {}
    for entry in body.fields:
        expected = key.fields[entry.id]
        shift = who.rng.uniform(-0.6, 0.6)
        if isinstance(expected, record_entry.FlagsExpected):
            keyed = set(expected.value)
            rows = [row.id for row in body.table.rows] if body.table else []
            form[entry.id] = [
                row
                for row in rows
                if (
                    who.gets(item, shift) if row in keyed else who.rng.random() < 0.3 * (1 - who.chance(item))
                )
            ]
            continue
        value = _record_value(entry, expected, who, who.gets(item, shift))
        if isinstance(value, list):
            for number, name in enumerate(value, start=1):
                form[f"{entry.id}-{number}"] = [name]
        else:
            form[entry.id] = [value]
    return form


def _written(body: written.Body, key: written.Key, who: Candidate, item: ItemParameters) -> DemoForm:
    """An email built from the material's lines: abler candidates keep more facts and spell names right."""
    lines = [line.strip() for line in body.material.splitlines() if line.strip()]
    kept = [line for line in lines if who.gets(item, shift=-0.8)] or lines[:2]
    words = sum(len(line.split()) for line in kept)
    while body.max_words and words > body.max_words - 20 and len(kept) > 2:
        words -= len(kept.pop(who.rng.randrange(len(kept))).split())
    text = "\n".join(["Hi team,", "", "A summary of this morning's call and what we agreed:", "", *kept])
    for required in key.required_names:
        if not who.gets(item, shift=-0.5):
            text = text.replace(required.name, _misspelled(required.name, who.rng))
    return {"text": [f"{text}\n\nThanks,\nAccount Manager"]}


RESPONDERS: dict[str, Responder] = {
    "single_choice": _single_choice,
    "sjt_most_least": _most_least,
    "sjt_rate": _rate,
    "sjt_rank": _rank,
    "numeric": _numeric,
    "proofreading": _proofreading,
    "record_entry": _record_entry,
    "written": _written,
}


def answer(
    item: ItemVersion, body: Schema, key: Schema, who: Candidate, parameters: ItemParameters
) -> Schema | None:
    """The candidate's response to the item as shown (``body``, ``key`` realized for their variant).

    None when they leave it blank. A type the demo has no responder for stays unanswered;
    a test holds every registered type to having one.
    """
    responder = RESPONDERS.get(item.type)
    if responder is None:
        return None
    form = responder(body, key, who, parameters)
    return item.item_type.normalise(body, form)


def rubric_awards(key: written.Key, who: Candidate, item: ItemParameters) -> dict[str, Decimal]:
    """A reviewer's marks: each criterion's share of its maximum follows the candidate's chance."""
    awards = {}
    for criterion in key.rubric:
        top = float(criterion.max_points)
        mark = round(top * who.chance(item, shift=-0.3) + who.rng.gauss(0, 0.5))
        awards[criterion.id] = Decimal(min(int(top), max(0, mark)))
    return awards
