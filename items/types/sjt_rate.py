"""SJT rate: rate every response on an effectiveness scale, scored by distance to experts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from typing import Self

from pydantic import Field, ValidationInfo, field_validator, model_validator

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
    body_of,
    draw_option_order,
    option_numbers,
    option_problems,
    realize_option_order,
    whole_number,
)
from items.shapes import PerOptionRating
from items.simulation import Answerer

FIELD_PREFIX = "rating-"


class Scale(Schema):
    """Whole-number points from ``min`` to ``max``; ``labels`` name some of them."""

    min: int = 1
    max: int = 6
    labels: dict[int, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _fits(self) -> Self:
        # More than 11 points cannot be shown as one row of radio buttons.
        if not 1 <= self.max - self.min <= 10:
            raise ValueError(f"the scale must have 2 to 11 points, got {self.min} to {self.max}")
        outside = sorted(point for point in self.labels if not self.min <= point <= self.max)
        if outside:
            raise ValueError(f"labels name points outside {self.min}-{self.max}: {outside}")
        return self

    @property
    def span(self) -> int:
        return self.max - self.min

    def points(self) -> range:
        return range(self.min, self.max + 1)


class Body(ChoiceBody):
    prompt: str = Field(min_length=1)
    options: list[Option] = Field(min_length=2, max_length=10)
    scale: Scale = Field(default_factory=Scale)


class Key(Schema):
    """Expert rating per option id; a mean of several experts may be fractional."""

    ratings: dict[str, Decimal]


class Response(PageChecked):
    """The candidate's rating per option id; unrated options are absent."""

    ratings: dict[str, int]

    @field_validator("ratings", mode="before")
    @classmethod
    def _typed_numbers(cls, value: object, info: ValidationInfo) -> object:
        # JSON gets the page's reading of each rating, and its reason for refusing one.
        if body_of(info) is None or not isinstance(value, dict):
            return value
        return {option: whole_number(FIELD_PREFIX + str(option), n, "rating") for option, n in value.items()}

    def check_against(self, body: Body) -> None:
        _validate(body, self)


def _validate(body: Body, response: Response) -> Response:
    known = {o.id for o in body.options}
    for option_id, rating in response.ratings.items():
        field = FIELD_PREFIX + option_id
        if option_id not in known:
            raise ResponseError(field, f"{option_id!r} is not one of the responses")
        if rating not in body.scale.points():
            raise ResponseError(field, f"choose a rating from {body.scale.min} to {body.scale.max}")
    return response


def normalise(body: Body, form: Form) -> Response | None:
    ratings = option_numbers(form, FIELD_PREFIX, "rating")
    if not ratings:
        return None
    return _validate(body, Response(ratings=ratings))


def _score_option(option: Option, scale: Scale, expert: Decimal, rating: int | None) -> Part:
    top = Decimal(scale.span)
    label = f"Response {option.id}"
    if rating is None:
        return Part(label, Decimal(0), top, f"Not rated; the experts rate it {expert}.")
    distance = abs(rating - expert)
    why = f"Rated {rating}; the experts rate it {expert}: {distance} off, so {top} - {distance}."
    return Part(label, top - distance, top, why)


def score(body: Body, key: Key, response: Response) -> Score:
    """Per option: the scale's span minus the distance to the expert rating.

    A rating at the far end of the scale from the key earns 0, so no option
    costs points; unrated options earn 0.
    """
    _validate(body, response)
    parts = tuple(
        _score_option(option, body.scale, key.ratings[option.id], response.ratings.get(option.id))
        for option in body.options
    )
    return Score(sum((p.points for p in parts), Decimal(0)), max_points(body, key), parts)


def max_points(body: Body, key: Key) -> Decimal:
    return Decimal(body.scale.span * len(body.options))


def check(body: Body, key: Key) -> list[Problem]:
    problems = option_problems(body.options, {f"key.ratings.{i}": i for i in key.ratings})
    scale = body.scale
    for option in body.options:
        expert = key.ratings.get(option.id)
        field = f"key.ratings.{option.id}"
        if expert is None:
            problems.append(Problem("key.ratings", f"response {option.id!r} has no expert rating"))
        elif not scale.min <= expert <= scale.max:
            problems.append(Problem(field, f"{expert} is outside the scale {scale.min}-{scale.max}"))
    return problems


def shape(body: Body, key: Key) -> PerOptionRating:
    scale = body.scale
    return PerOptionRating(body.prompt, tuple(body.options), scale.min, scale.max, scale.labels, key.ratings)


def simulate(body: Body, key: Key, who: Answerer) -> Form:
    spread = 0.3 + 1.6 * (1 - who.chance())
    scale = body.scale
    form: dict[str, list[str]] = {}
    for option in body.options:
        rating = round(float(key.ratings[option.id]) + who.rng.gauss(0, spread))
        form[FIELD_PREFIX + option.id] = [str(min(scale.max, max(scale.min, rating)))]
    return form


def consensus_key(body: Body, key: Key, responses: Iterable[Response]) -> Key:
    """Per option the candidates' most common rating.

    Tied ratings are averaged; an option nobody rated keeps the expert rating.
    """
    counts: dict[str, Counter[int]] = {option.id: Counter() for option in body.options}
    for response in responses:
        for option_id, rating in response.ratings.items():
            if option_id in counts:  # an unknown option is refused when the response is scored
                counts[option_id][rating] += 1
    ratings = {}
    for option_id, counted in counts.items():
        if not counted:
            ratings[option_id] = key.ratings[option_id]
            continue
        top = max(counted.values())
        modes = [rating for rating, count in counted.items() if count == top]
        ratings[option_id] = Decimal(sum(modes)) / len(modes)
    return Key(ratings=ratings)


TYPE = ItemType(
    name="sjt_rate",
    description="SJT: rate how effective each response is on a scale.",
    body=Body,
    key=Key,
    response=Response,
    normalise=normalise,
    score=score,
    max_points=max_points,
    check=check,
    shape=shape,
    simulate=simulate,
    consensus=ConsensusKey(own="expert", build=consensus_key),
    draw=draw_option_order,
    realize=realize_option_order,
)
