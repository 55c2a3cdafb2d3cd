"""The contract every item type fills, and the small values they exchange.

An item type is one module in ``items/types/`` (a package when it grows large) exposing
``TYPE = ItemType(...)``.
Everything here is pure: no Flask, no database, no clock, no global randomness.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from items.values import plain_decimal

if TYPE_CHECKING:
    from items.shapes import Shape
    from items.simulation import Answerer

#: A submitted form as plain data: field name -> every value sent for it.
Form = Mapping[str, Sequence[str]]

#: What an attempt freezes per item at start: option order, drawn numbers.
Variant = dict[str, Any]


class Schema(BaseModel):
    """Base for every body, key and response model: strict about unknown fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ResponseError(ValueError):
    """A candidate's answer that cannot be accepted, named by its form field."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class Problem:
    """A key that does not fit its body, found by a type's ``check``.

    ``field`` is relative to the item, e.g. ``key.most`` or ``body.options[2].id``.
    """

    field: str
    message: str


@dataclass(frozen=True)
class Part:
    """One line of a score's breakdown, written for a reviewer."""

    label: str
    points: Decimal
    max_points: Decimal
    explanation: str


@dataclass(frozen=True)
class Score:
    """Points for one response, with the parts that explain them.

    ``pending_review`` marks points a person still has to award (rubrics);
    ``points`` then holds only what was scored automatically.
    """

    points: Decimal
    max_points: Decimal
    parts: tuple[Part, ...]
    pending_review: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "points": plain_decimal(self.points),
            "max_points": plain_decimal(self.max_points),
            "pending_review": self.pending_review,
            "parts": [
                {
                    "label": p.label,
                    "points": plain_decimal(p.points),
                    "max_points": plain_decimal(p.max_points),
                    "explanation": p.explanation,
                }
                for p in self.parts
            ],
        }


def body_of(info: ValidationInfo) -> Any | None:
    """The body a response is read against, passed by ``scoring.items.parse_response`` as context.

    Without it (a type's own ``normalise`` building its response) the validators that
    repeat the page's checks have nothing to check against and leave the value as it is.
    """
    context = info.context
    return context.get("body") if isinstance(context, dict) else None


BodyT = TypeVar("BodyT", bound=Schema)
KeyT = TypeVar("KeyT", bound=Schema)
ResponseT = TypeVar("ResponseT", bound=Schema)


def no_problems(body: Any, key: Any) -> list[Problem]:
    """Default ``check`` for types whose key cannot contradict their body."""
    return []


def fixed_variant(body: Any, rng: random.Random, shuffle: bool) -> Variant:
    """Default ``draw`` for types with nothing to shuffle or draw."""
    return {}


def same_body_and_key(body: BodyT, key: KeyT, variant: Variant) -> tuple[BodyT, KeyT]:
    """Default ``realize``: the variant changes nothing."""
    return body, key


class Criterion(Schema):
    """One rubric line; ``description`` anchors what earns its points."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1)
    description: str = Field(min_length=1)
    max_points: Decimal = Field(gt=0)


@dataclass(frozen=True)
class Rubric(Generic[BodyT, KeyT, ResponseT]):
    """How a type that a person marks is marked: the key's criteria, and marks made a score.

    ``score(body, key, response, awards)`` raises ``ResponseError`` naming a criterion
    with no mark, a mark out of range, or a mark for a criterion the key does not have.
    """

    criteria: Callable[[KeyT], Sequence[Criterion]]
    score: Callable[[BodyT, KeyT, ResponseT, Mapping[str, Decimal]], Score]


@dataclass(frozen=True)
class ConsensusKey(Generic[BodyT, KeyT, ResponseT]):
    """For keys that are judgement calls (SJT): the key the candidates' answers agree on.

    ``own`` names the author's key beside it when the two are compared.
    """

    own: str
    build: Callable[[BodyT, KeyT, Iterable[ResponseT]], KeyT]


@dataclass(frozen=True)
class ItemType(Generic[BodyT, KeyT, ResponseT]):
    """What one item type provides; see ``style.md`` for each part's rules.

    - ``normalise(body, form)`` turns the item's own form fields (prefix already
      stripped) into a response, returns ``None`` when nothing was answered, and
      raises ``ResponseError`` for anything it cannot accept (unknown option ids
      included). Partial answers are valid responses and score partially.
    - ``score(body, key, response)`` is deterministic and explains every point.
      Responses parsed from JSON skip ``normalise``, so ``score`` raises
      ``ResponseError`` when a response names what the body does not have.
    - ``max_points(body, key)`` is what a perfect response earns.
    - ``shape(body, key)`` is the item in a format-neutral interchange shape
      (``items.shapes``), or ``NoFaithfulTarget`` with the reason; every export
      format writes each shape or says why it cannot.
    - ``simulate(body, key, answerer)`` is the form a simulated candidate posts.
    - ``check(body, key)`` finds keys that name missing options or break the
      type's rules; pydantic has already checked each model on its own.
    - ``draw(body, rng, shuffle)`` is called once when an attempt starts and
      returns the JSON-able variant to freeze (option order, drawn numbers);
      ``realize(body, key, variant)`` rebuilds what that candidate saw and the
      key that applies to it. Both default to "no variation".
    - ``rubric``: set by types whose answers a person marks (``score`` then leaves
      them ``pending_review``).
    - ``consensus``: set by types whose keys are judgement calls worth comparing
      with what candidates agree on.
    """

    name: str
    body: type[BodyT]
    key: type[KeyT]
    response: type[ResponseT]
    normalise: Callable[[BodyT, Form], ResponseT | None]
    score: Callable[[BodyT, KeyT, ResponseT], Score]
    max_points: Callable[[BodyT, KeyT], Decimal]
    shape: Callable[[BodyT, KeyT], Shape]
    simulate: Callable[[BodyT, KeyT, Answerer], Form]
    check: Callable[[BodyT, KeyT], list[Problem]] = no_problems
    draw: Callable[[BodyT, random.Random, bool], Variant] = fixed_variant
    realize: Callable[[BodyT, KeyT, Variant], tuple[BodyT, KeyT]] = same_body_and_key
    rubric: Rubric[BodyT, KeyT, ResponseT] | None = None
    consensus: ConsensusKey[BodyT, KeyT, ResponseT] | None = None
    description: str = field(default="")

    def criteria(self, key: KeyT) -> list[Criterion] | None:
        """The rubric a person marks answers by; None for types the machine scores alone."""
        return None if self.rubric is None else list(self.rubric.criteria(key))


class PageChecked(Schema):
    """A response read from JSON against its body runs the checks the page runs on a form.

    Subclasses say what those checks are in ``check_against``; without a body (a type's
    own ``normalise`` building its response) nothing is checked twice.
    """

    def check_against(self, body: Any) -> None:
        raise NotImplementedError

    @model_validator(mode="after")
    def _as_the_page_checks(self, info: ValidationInfo) -> Self:
        body = body_of(info)
        if body is not None:
            self.check_against(body)
        return self


def first_value(form: Form, name: str) -> str:
    """The first value sent for ``name``, stripped; '' when absent."""
    values = form.get(name) or []
    return values[0].strip() if values else ""


def shuffled_order(ids: Sequence[str], rng: random.Random, shuffle: bool) -> list[str]:
    """An option order to freeze: shuffled when the form asks for it."""
    order = list(ids)
    if shuffle:
        rng.shuffle(order)
    return order


def apply_order(options: Sequence[Any], order: Sequence[str] | None) -> list[Any]:
    """Options rearranged to a frozen order of ids; unknown or stale orders are ignored."""
    if not order:
        return list(options)
    by_id = {o.id: o for o in options}
    if sorted(by_id) != sorted(order):
        return list(options)
    return [by_id[i] for i in order]


def points(value: int | str | Decimal) -> Decimal:
    """Points as Decimal, never float."""
    return Decimal(value)


class Option(Schema):
    """A response a candidate can pick, order or rate; ``id`` is what keys name."""

    id: str
    text: str


def option_problems(options: Sequence[Option], named: Mapping[str, str]) -> list[Problem]:
    """Problems with option ids: duplicates, and keys naming options that do not exist.

    ``named`` maps a key field (e.g. ``key.most``) to the option id it names.
    """
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, option in enumerate(options):
        if option.id in seen:
            problems.append(Problem(f"body.options[{index}].id", f"duplicate option id {option.id!r}"))
        seen.add(option.id)
    known = ", ".join(o.id for o in options)
    for key_field, option_id in named.items():
        if option_id not in seen:
            problems.append(Problem(key_field, f"names option {option_id!r}, which is not one of: {known}"))
    return problems


class ChoiceBody(Schema):
    """A body with options whose order an attempt may shuffle; types refine ``options``."""

    options: list[Option]


ChoiceBodyT = TypeVar("ChoiceBodyT", bound=ChoiceBody)


def draw_option_order(body: ChoiceBody, rng: random.Random, shuffle: bool) -> Variant:
    """``draw`` for option types: freeze the order the candidate will see."""
    return {"order": shuffled_order([o.id for o in body.options], rng, shuffle)}


def realize_option_order(body: ChoiceBodyT, key: KeyT, variant: Variant) -> tuple[ChoiceBodyT, KeyT]:
    """``realize`` for option types: the options in the frozen order; the key is unchanged."""
    return body.model_copy(update={"options": apply_order(body.options, variant.get("order"))}), key


def option_numbers(form: Form, prefix: str, noun: str) -> dict[str, int]:
    """Whole numbers given per option in fields named ``<prefix><option id>``; blanks left out."""
    numbers: dict[str, int] = {}
    for name, values in form.items():
        if not name.startswith(prefix):
            continue
        text = values[0].strip() if values else ""
        if text:
            numbers[name.removeprefix(prefix)] = whole_number(name, text, noun)
    return numbers


def whole_number(field: str, value: object, noun: str) -> int:
    """A whole number typed in a form or given in JSON; ``ResponseError`` at ``field`` otherwise."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        raise ResponseError(field, f"{text!r} is not a {noun}") from None
