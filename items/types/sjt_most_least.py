"""SJT most/least: pick the most and the least effective of 4-6 responses."""

from __future__ import annotations

from decimal import Decimal
from typing import Self

from pydantic import Field, ValidationInfo, model_validator

from items.base import (
    ChoiceBody,
    Form,
    ItemType,
    Option,
    Part,
    Problem,
    ResponseError,
    Schema,
    Score,
    body_of,
    draw_option_order,
    first_value,
    option_problems,
    realize_option_order,
)

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


class Response(Schema):
    """Either pick may be missing: a half-answered item still scores that half."""

    most: str | None = None
    least: str | None = None

    @model_validator(mode="after")
    def _as_the_page_checks(self, info: ValidationInfo) -> Self:
        body = body_of(info)
        if body is not None:
            _validate(body, self)
        return self


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
    draw=draw_option_order,
    realize=realize_option_order,
)
