"""SJT rank: order every response from first to last, scored by distance to a model ranking or exactly."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from items.base import (
    ChoiceBody,
    Form,
    ItemType,
    Option,
    PageChecked,
    Part,
    Problem,
    ResponseError,
    Schema,
    Score,
    body_of,
    draw_option_order,
    option_numbers,
    option_problems,
    realize_option_order,
    whole_number,
)
from items.shapes import Ordering
from items.simulation import Answerer

FIELD_PREFIX = "rank-"


class Body(ChoiceBody):
    """``first_label``/``last_label`` say what rank 1 and rank n mean to the candidate.

    Options are capped at 8: one select each stays usable, a longer list does not.
    """

    prompt: str = Field(min_length=1)
    options: list[Option] = Field(min_length=3, max_length=8)
    first_label: str = Field(default="most effective", min_length=1)
    last_label: str = Field(default="least effective", min_length=1)


class Key(Schema):
    """The model ranking (every option id once, first to last) and how a ranking earns points.

    ``distance`` (the default): the maximum minus each response's distance from its model
    place. ``exact``: ``points`` for the model ranking itself and nothing for any other, as
    QTI's match_correct scores an order; ``points`` defaults to the distance rule's maximum
    so that switching the rule keeps the item's weight.
    """

    ranking: list[str]
    rule: Literal["distance", "exact"] = "distance"
    points: Decimal | None = Field(default=None, gt=0)


class Response(PageChecked):
    """Rank (1 = first) per option id; options not yet ranked are absent."""

    ranks: dict[str, int]

    @field_validator("ranks", mode="before")
    @classmethod
    def _typed_numbers(cls, value: object, info: ValidationInfo) -> object:
        # JSON gets the page's reading of each rank, and its reason for refusing one.
        if body_of(info) is None or not isinstance(value, dict):
            return value
        return {option: whole_number(FIELD_PREFIX + str(option), n, "rank") for option, n in value.items()}

    def check_against(self, body: Body) -> None:
        _validate(body, self)


def _validate(body: Body, response: Response) -> Response:
    known = {o.id for o in body.options}
    holder: dict[int, str] = {}
    # Walk in display order so a duplicate is reported at the later select.
    ordered = sorted(response.ranks.items(), key=lambda pair: _position(body, pair[0]))
    for option_id, rank in ordered:
        field = FIELD_PREFIX + option_id
        if option_id not in known:
            raise ResponseError(field, f"{option_id!r} is not one of the responses")
        if not 1 <= rank <= len(body.options):
            raise ResponseError(field, f"choose a rank from 1 to {len(body.options)}")
        if rank in holder:
            raise ResponseError(field, f"rank {rank} is already given to another response")
        holder[rank] = option_id
    return response


def _position(body: Body, option_id: str) -> int:
    ids = [o.id for o in body.options]
    return ids.index(option_id) if option_id in ids else len(ids)


def normalise(body: Body, form: Form) -> Response | None:
    ranks = option_numbers(form, FIELD_PREFIX, "rank")
    if not ranks:
        return None
    return _validate(body, Response(ranks=ranks))


def _largest_distance(body: Body) -> Decimal:
    """floor(n²/2): the largest total displacement any ranking of n options can have."""
    return Decimal(len(body.options) ** 2 // 2)


def max_points(body: Body, key: Key) -> Decimal:
    if key.rule == "exact" and key.points is not None:
        return key.points
    return _largest_distance(body)


def score(body: Body, key: Key, response: Response) -> Score:
    """Max points minus the summed distance of each rank from the model's, or all-or-nothing.

    Since max is the largest possible distance, a complete ranking scores from 0
    (the model reversed) to max (the model) without clamping. Only complete
    rankings score: the distance is defined for a full order only, and
    guessing where unranked responses would have gone would score answers the
    candidate never gave.
    """
    _validate(body, response)
    top = max_points(body, key)
    count = len(body.options)
    if len(response.ranks) < count:
        why = (
            f"Ranking incomplete: {len(response.ranks)} of {count} responses ranked. "
            "Only complete rankings are scored."
        )
        return Score(Decimal(0), top, (Part("Ranking", Decimal(0), top, why),))
    if key.rule == "exact":
        return _exact(body, key, response, top)
    start = Part(
        "Complete ranking",
        top,
        top,
        f"A complete ranking of {count} responses starts at {top} points; "
        "each place a response sits away from the model ranking costs 1 point.",
    )
    deductions = tuple(_displacement(option.id, response.ranks[option.id], key) for option in body.options)
    parts = (start, *deductions)
    return Score(sum((p.points for p in parts), Decimal(0)), top, parts)


def _exact(body: Body, key: Key, response: Response, top: Decimal) -> Score:
    given = sorted(response.ranks, key=lambda option_id: response.ranks[option_id])
    if given == key.ranking:
        part = Part("Ranking", top, top, "The model ranking exactly: all points (all-or-nothing rule).")
        return Score(top, top, (part,))
    wrong = [o for o in given if response.ranks[o] != key.ranking.index(o) + 1]
    why = (
        f"Not the model ranking ({', '.join(key.ranking)}): {len(wrong)} of {len(given)} responses "
        "are out of place, and only the exact order earns points (all-or-nothing rule)."
    )
    return Score(Decimal(0), top, (Part("Ranking", Decimal(0), top, why),))


def _displacement(option_id: str, rank: int, key: Key) -> Part:
    model_rank = key.ranking.index(option_id) + 1
    distance = abs(rank - model_rank)
    if distance == 0:
        why = f"Ranked {rank}, as in the model ranking."
    else:
        why = f"Ranked {rank}; the model ranks it {model_rank}: {distance} place(s) off."
    return Part(f"Response {option_id}", Decimal(-distance), Decimal(0), why)


def check(body: Body, key: Key) -> list[Problem]:
    named = {f"key.ranking[{index}]": option_id for index, option_id in enumerate(key.ranking)}
    problems = option_problems(body.options, named)
    seen: set[str] = set()
    for index, option_id in enumerate(key.ranking):
        if option_id in seen:
            problems.append(Problem(f"key.ranking[{index}]", f"{option_id!r} is ranked twice"))
        seen.add(option_id)
    missing = [o.id for o in body.options if o.id not in seen]
    if missing:
        problems.append(Problem("key.ranking", f"the model ranking leaves out: {', '.join(missing)}"))
    if key.rule == "distance" and key.points is not None:
        problems.append(
            Problem(
                "key.points",
                f"only the exact rule takes points; the distance rule's maximum is {_largest_distance(body)}",
            )
        )
    return problems


def shape(body: Body, key: Key) -> Ordering:
    return Ordering(body.prompt, tuple(body.options), tuple(key.ranking), body.first_label, body.last_label)


def simulate(body: Body, key: Key, who: Answerer) -> Form:
    spread = 0.3 + 2.0 * (1 - who.chance())
    noisy = sorted(key.ranking, key=lambda option_id: key.ranking.index(option_id) + who.rng.gauss(0, spread))
    return {FIELD_PREFIX + option_id: [str(rank)] for rank, option_id in enumerate(noisy, start=1)}


TYPE = ItemType(
    name="sjt_rank",
    description="SJT: rank every response from first to last.",
    body=Body,
    key=Key,
    response=Response,
    normalise=normalise,
    score=score,
    max_points=max_points,
    check=check,
    shape=shape,
    simulate=simulate,
    draw=draw_option_order,
    realize=realize_option_order,
)
