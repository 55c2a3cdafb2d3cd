"""SJT most/least: pick the most and the least effective of 4-6 responses."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import Decimal

from pydantic import Field

from items.base import (
    ChoiceBody,
    ConsensusKey,
    Form,
    ItemType,
    Option,
    PageChecked,
    Part,
    Problem,
    ResponseError,
    Schema,
    Score,
    draw_option_order,
    first_value,
    option_problems,
    realize_option_order,
)
from items.shapes import NoFaithfulTarget
from items.simulation import Answerer

PICKS = {"most": "most effective", "least": "least effective"}


class Body(ChoiceBody):
    prompt: str = Field(min_length=1)
    options: list[Option] = Field(min_length=4, max_length=6)


class Rule(Schema):
    """Points per pick: the keyed answer, the opposite extreme, anything else."""

    match: Decimal = Decimal(1)
    opposite: Decimal = Decimal(-1)
    other: Decimal = Decimal(0)


class Key(Schema):
    most: str
    least: str
    rule: Rule = Field(default_factory=Rule)


class Response(PageChecked):
    """Either pick may be missing: a half-answered item still scores that half."""

    most: str | None = None
    least: str | None = None

    def check_against(self, body: Body) -> None:
        _validate(body, self)


def _validate(body: Body, response: Response) -> Response:
    known = {o.id for o in body.options}
    for name in PICKS:
        chosen = getattr(response, name)
        if chosen is not None and chosen not in known:
            raise ResponseError(name, f"{chosen!r} is not one of the responses")
    if response.most is not None and response.most == response.least:
        raise ResponseError("least", "the same response cannot be both the most and the least effective")
    return response


def normalise(body: Body, form: Form) -> Response | None:
    most, least = first_value(form, "most"), first_value(form, "least")
    if not most and not least:
        return None
    return _validate(body, Response(most=most or None, least=least or None))


def _score_pick(name: str, chosen: str | None, key: Key) -> Part:
    label = f"{PICKS[name].capitalize()} pick"
    keyed = getattr(key, name)
    opposite = key.least if name == "most" else key.most
    other_extreme = PICKS["least" if name == "most" else "most"]
    if chosen is None:
        return Part(
            label, Decimal(0), key.rule.match, f"No {PICKS[name]} response chosen; the key is {keyed}."
        )
    if chosen == keyed:
        why = f"Chose {chosen}, the keyed {PICKS[name]} response."
        return Part(label, key.rule.match, key.rule.match, why)
    if chosen == opposite:
        why = (
            f"Chose {chosen}, which the key rates {other_extreme}: the opposite extreme. The key is {keyed}."
        )
        return Part(label, key.rule.opposite, key.rule.match, why)
    why = f"Chose {chosen}; the keyed {PICKS[name]} response is {keyed}."
    return Part(label, key.rule.other, key.rule.match, why)


def score(body: Body, key: Key, response: Response) -> Score:
    """Sum of both picks under ``key.rule``, never below 0.

    The floor keeps every item's score in [0, max] so that a badly answered SJT
    item cannot eat points earned elsewhere; a part records the lift so the
    parts still add up to the total.
    """
    _validate(body, response)
    parts = [_score_pick(name, getattr(response, name), key) for name in PICKS]
    total = sum((p.points for p in parts), Decimal(0))
    if total < 0:
        parts.append(
            Part("Floor", -total, Decimal(0), f"Raised from {total} to 0: an item never scores below 0.")
        )
        total = Decimal(0)
    return Score(total, max_points(body, key), tuple(parts))


def max_points(body: Body, key: Key) -> Decimal:
    return 2 * key.rule.match


def check(body: Body, key: Key) -> list[Problem]:
    problems = option_problems(body.options, {"key.most": key.most, "key.least": key.least})
    if key.most == key.least:
        problems.append(
            Problem("key.least", "the least effective response must differ from the most effective")
        )
    rule = key.rule
    if rule.match <= 0:
        problems.append(Problem("key.rule.match", "a keyed pick must earn more than 0 points"))
    if not rule.opposite <= rule.other < rule.match:
        problems.append(
            Problem(
                "key.rule", "points must rise from opposite to other to match (opposite <= other < match)"
            )
        )
    return problems


def shape(body: Body, key: Key) -> NoFaithfulTarget:
    return NoFaithfulTarget(
        "no other format has a most/least-effective question, and two separate choices "
        "would lose the rule that picking the other extreme costs a point"
    )


def simulate(body: Body, key: Key, who: Answerer) -> Form:
    ids = [o.id for o in body.options]
    most = key.most if who.gets() else who.wrong_pick(ids, key.most)
    # Spotting the worst response is a little easier than the best.
    least = key.least if who.gets(shift=-0.4) else who.wrong_pick(ids, key.least)
    if least == most:
        least = who.wrong_pick(ids, most)
    return {"most": [most], "least": [least]}


def consensus_key(body: Body, key: Key, responses: Iterable[Response]) -> Key:
    """The candidates' most common most and least picks, under the item's rule.

    Ties go to the option listed first; if the most common least pick is the consensus
    most pick, the next most common least pick is used; where no candidate's pick fits,
    the expert's stays.
    """
    order = [option.id for option in body.options]
    most_counts: Counter[str] = Counter()
    least_counts: Counter[str] = Counter()
    for response in responses:
        most_counts.update([response.most] if response.most in order else [])
        least_counts.update([response.least] if response.least in order else [])

    def ranked(counts: Counter[str]) -> list[str]:
        return sorted(counts, key=lambda option: (-counts[option], order.index(option)))

    most = next(iter(ranked(most_counts)), key.most)
    least = next((option for option in ranked(least_counts) if option != most), None)
    if least is None:
        least = key.least if key.least != most else key.most
    return key.model_copy(update={"most": most, "least": least})


TYPE = ItemType(
    name="sjt_most_least",
    description="SJT: pick the most and the least effective response.",
    body=Body,
    key=Key,
    response=Response,
    normalise=normalise,
    score=score,
    max_points=max_points,
    check=check,
    shape=shape,
    simulate=simulate,
    consensus=ConsensusKey(own="keyed", build=consensus_key),
    draw=draw_option_order,
    realize=realize_option_order,
)
