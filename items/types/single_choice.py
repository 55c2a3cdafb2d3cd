"""Single best answer: multiple choice, and the SJT "pick the best response" format."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

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
    draw_option_order,
    first_value,
    option_problems,
    realize_option_order,
)
from items.shapes import ScoredChoice
from items.simulation import Answerer


class Body(ChoiceBody):
    prompt: str
    options: list[Option] = Field(min_length=2)


class Key(Schema):
    """``correct`` earns ``points``; ``credit`` gives partial points to other options."""

    correct: str
    points: Decimal = Field(default=Decimal(1), gt=0)
    credit: dict[str, Decimal] = Field(default_factory=dict)


class Response(PageChecked):
    choice: str

    def check_against(self, body: Body) -> None:
        _check_offered(body, self.choice)


def _check_offered(body: Body, choice: str) -> None:
    if choice not in {o.id for o in body.options}:
        raise ResponseError("choice", f"{choice!r} is not one of the options")


def normalise(body: Body, form: Form) -> Response | None:
    choice = first_value(form, "choice")
    if not choice:
        return None
    _check_offered(body, choice)
    return Response(choice=choice)


def score(body: Body, key: Key, response: Response) -> Score:
    _check_offered(body, response.choice)
    text = {o.id: o.text for o in body.options}
    if response.choice == key.correct:
        earned, why = key.points, f"Chose {response.choice}, the keyed best answer."
    elif response.choice in key.credit:
        earned = key.credit[response.choice]
        why = (
            f"Chose {response.choice} ({text[response.choice]!r}), which earns partial credit; "
            f"the best answer is {key.correct}."
        )
    else:
        earned = Decimal(0)
        why = f"Chose {response.choice}; the best answer is {key.correct} ({text[key.correct]!r})."
    return Score(earned, key.points, (Part("Choice", earned, key.points, why),))


def max_points(body: Body, key: Key) -> Decimal:
    return key.points


def check(body: Body, key: Key) -> list[Problem]:
    named = {"key.correct": key.correct}
    named.update({f"key.credit.{option}": option for option in key.credit})
    problems = option_problems(body.options, named)
    for option, credit in key.credit.items():
        if option == key.correct:
            problems.append(
                Problem(f"key.credit.{option}", "the correct option cannot also have partial credit")
            )
        elif not Decimal(0) <= credit < key.points:
            problems.append(
                Problem(f"key.credit.{option}", f"partial credit must be at least 0 and below {key.points}")
            )
    return problems


def shape(body: Body, key: Key) -> ScoredChoice:
    return ScoredChoice(body.prompt, tuple(body.options), key.correct, key.points, key.credit)


def simulate(body: Body, key: Key, who: Answerer) -> Form:
    ids = [o.id for o in body.options]
    return {"choice": [key.correct if who.gets() else who.wrong_pick(ids, key.correct)]}


TYPE = ItemType(
    name="single_choice",
    description="Pick the one best option (MCQ, SJT best response).",
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
