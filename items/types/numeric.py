"""Numeric calculation: the candidate types a number (an amount, a percentage, a count).

Parameterised items declare ``params`` drawn per attempt and key a formula over them,
so candidates sitting the same item do not share one answer.
"""

from __future__ import annotations

import itertools
import random
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal

from pydantic import (
    BeforeValidator,
    Field,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    model_serializer,
    model_validator,
)

from items.base import (
    Form,
    ItemType,
    Part,
    Problem,
    ResponseError,
    Schema,
    Score,
    Variant,
    body_of,
    first_value,
)
from items.formulas import FormulaError, evaluate, formula_names
from items.shapes import DrawnNumber, NoFaithfulTarget, NumberWithTolerance
from items.simulation import Answerer

MAX_INPUT = 32
MAX_WHOLE_DIGITS = 15
MAX_PLACES = 8
SHOWN_PLACES = 6
# Spaces people type between thousands: plain, no-break and narrow no-break.
GROUP_SPACES = " \u00a0\u202f"
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
PLAIN_NUMBER = re.compile(r"^(?:\d+(?:\.\d+)?|\.\d+)$")
GROUPED_NUMBER = re.compile(r"^\d{1,3}(?P<sep>[," + GROUP_SPACES + r"])\d{3}(?:(?P=sep)\d{3})*(?:\.\d+)?$")
# Formulas are evaluated for every possible draw at load time when there are this few.
EXHAUSTIVE_CHECK_LIMIT = 20_000
MAX_ALSO = 20

#: An author's number: bounded so that draws and checks stay within Decimal's precision.
Amount = Annotated[Decimal, Field(max_digits=MAX_WHOLE_DIGITS + MAX_PLACES, decimal_places=MAX_PLACES)]


class Param(Schema):
    """A number drawn per attempt: from ``choices``, or from ``min``..``max`` in ``step``s.

    ``default`` is what a preview (or an attempt without a draw) shows; it must be drawable.
    """

    min: Amount | None = None
    max: Amount | None = None
    step: Amount = Field(default=Decimal(1), gt=0)
    choices: list[Amount] | None = Field(default=None, min_length=1)
    default: Amount | None = None

    @model_validator(mode="after")
    def _one_way_to_draw(self) -> Param:
        ranged = self.min is not None or self.max is not None
        if ranged == (self.choices is not None):
            raise ValueError("give either min and max (with an optional step) or choices")
        if ranged and (self.min is None or self.max is None or self.min > self.max):
            raise ValueError("a range needs both min and max, with min <= max")
        if self.default is not None and not self.allows(self.default):
            raise ValueError(f"default {self.default} is not a value this param can draw")
        return self

    def allows(self, value: Decimal) -> bool:
        if self.choices is not None:
            return value in self.choices
        assert self.min is not None and self.max is not None
        return self.min <= value <= self.max and (value - self.min) % self.step == 0

    def count(self) -> int:
        """How many values this param can draw."""
        if self.choices is not None:
            return len(self.choices)
        assert self.min is not None and self.max is not None
        return int((self.max - self.min) // self.step) + 1

    def nth(self, index: int) -> Decimal:
        if self.choices is not None:
            return self.choices[index]
        assert self.min is not None
        return self.min + index * self.step

    def shown(self) -> Decimal:
        """The value a candidate sees: the drawn one once realized, else the default."""
        return self.default if self.default is not None else self.nth(0)


class Body(Schema):
    """``unit`` decides how numbers are read and shown: "$675.00", "10%", "6,000"."""

    prompt: str = Field(min_length=1)
    unit: Literal["currency", "percent", "plain"] = "plain"
    symbol: str = Field(default="$", min_length=1, max_length=3)
    label: str = "Your answer"
    params: dict[str, Param] = Field(default_factory=dict)


class Alternative(Schema):
    """Another right answer to a fixed-value key, right within its own (absolute) ``tolerance``."""

    value: Amount
    tolerance: Amount = Field(default=Decimal(0), ge=0)


class Key(Schema):
    """Exactly one of ``answer`` (a formula over the params) or a fixed ``value``.

    A response is right within ``tolerance`` (absolute) or ``relative_tolerance``
    (a fraction of the expected value), whichever is wider, or when it matches one of
    the ``also`` alternatives (fixed values only: a formula key stays single).
    Percentages are keyed in percent: 12.5, not 0.125.
    """

    answer: str | None = Field(default=None, min_length=1, max_length=500)
    value: Amount | None = None
    tolerance: Amount = Field(default=Decimal(0), ge=0)
    relative_tolerance: Amount = Field(default=Decimal(0), ge=0, lt=1)
    also: list[Alternative] = Field(default_factory=list, max_length=MAX_ALSO)
    points: Decimal = Field(default=Decimal(1), gt=0)

    @model_serializer(mode="wrap")
    def _without_empty_also(self, handler: SerializerFunctionWrapHandler) -> object:
        # A key without alternatives keeps the content, and so the version hash, it had before ``also``.
        data = handler(self)
        if isinstance(data, dict) and not self.also:
            data.pop("also", None)
        return data


def _typed_number(value: object, info: ValidationInfo) -> object:
    """A number in response JSON is read as the page reads what a candidate types.

    So ``assess score`` takes "$675.00" and "6,000" where the page does, and refuses
    "1e3" or "6,00" with the page's reason. A JSON number is read as its digits.
    """
    body = body_of(info)
    if body is None or isinstance(value, (bool, Decimal)) or not isinstance(value, (str, int, float)):
        return value
    return parse_number(body, str(value).strip())


def _fixed_point(value: Decimal) -> str:
    # str(Decimal) writes 0.00000001 as "1E-8", which the reader above refuses as an exponent.
    return format(value, "f")


class Response(Schema):
    value: Annotated[Amount, BeforeValidator(_typed_number), PlainSerializer(_fixed_point, when_used="json")]


def expected_value(body: Body, key: Key) -> Decimal:
    """The keyed answer for the numbers this body shows."""
    if key.value is not None:
        return key.value
    assert key.answer is not None
    return evaluate(key.answer, {name: param.shown() for name, param in body.params.items()})


def parse_number(body: Body, text: str) -> Decimal:
    """A typed number, tolerating "$6,000.00", "6 000", "10%"; ``ResponseError`` otherwise."""
    if len(text) > MAX_INPUT:
        raise ResponseError("value", f"is too long for a number (at most {MAX_INPUT} characters)")
    rest = text.replace("\u2212", "-")
    negative = rest.startswith("-")
    rest = rest.removeprefix("-").strip()
    if body.unit == "currency":
        rest = rest.removeprefix(body.symbol).strip()
        if not negative and rest.startswith("-"):
            negative, rest = True, rest[1:].strip()
    if body.unit == "percent":
        rest = rest.removesuffix("%").strip()
    if not any(c.isdigit() for c in rest):
        raise ResponseError("value", "must contain a number written in digits, e.g. 675 or 675.50")
    if any(c.isalpha() for c in rest):
        raise ResponseError("value", "must be written in digits only (no words or exponents), e.g. 675.50")
    if rest.count(".") > 1:
        raise ResponseError("value", "has more than one decimal point")
    if not (PLAIN_NUMBER.match(rest) or GROUPED_NUMBER.match(rest)):
        raise ResponseError("value", _shape_reason(body, rest))
    digits = rest.translate({ord(c): None for c in "," + GROUP_SPACES})
    whole, _, places = digits.partition(".")
    if len(whole.lstrip("0")) > MAX_WHOLE_DIGITS:
        raise ResponseError("value", f"is too large (at most {MAX_WHOLE_DIGITS} digits before the point)")
    if len(places) > MAX_PLACES:
        raise ResponseError("value", f"has too many decimal places (at most {MAX_PLACES})")
    number = Decimal(digits)
    return -number if negative else number


def _shape_reason(body: Body, rest: str) -> str:
    """Why a string of digits and marks is not a number, in the candidate's terms."""
    if "%" in rest:
        if body.unit == "percent":
            return "needs the % sign after the number, e.g. 12.5%"
        return "is not a percentage: type the number only"
    if "," in rest or any(c in rest for c in GROUP_SPACES):
        return "has thousands separators in the wrong places: write 6,000 or 6000, with a point for decimals"
    if any(unicodedata.category(c) == "Sc" for c in rest):
        if body.unit == "currency":
            return f"must be an amount in {body.symbol}, typed in digits, e.g. 675.50"
        return "must be a number only, without a currency symbol"
    return "is not a number we can read: type digits with an optional decimal point, e.g. 675.50"


def normalise(body: Body, form: Form) -> Response | None:
    text = first_value(form, "value")
    if not text:
        return None
    return Response(value=parse_number(body, text))


def shown(body: Body, value: Decimal) -> str:
    """A number as this body's unit writes it, e.g. "$6,000.00" or "12.5%".

    Formula results like 1/3 are cut to ``SHOWN_PLACES`` so explanations stay readable.
    """
    magnitude = abs(value).normalize()
    if int(magnitude.as_tuple().exponent) < -SHOWN_PLACES:
        magnitude = magnitude.quantize(Decimal(1).scaleb(-SHOWN_PLACES)).normalize()
    sign = "-" if value < 0 and magnitude else ""
    if body.unit == "currency":
        places = max(2, -int(magnitude.as_tuple().exponent))
        return f"{sign}{body.symbol}{magnitude:,.{places}f}"
    plain = f"{sign}{magnitude:,f}"
    return f"{plain}%" if body.unit == "percent" else plain


def _target(body: Body, value: Decimal, allowed: Decimal) -> str:
    return shown(body, value) + (f" (within {shown(body, abs(allowed))})" if allowed else "")


def score(body: Body, key: Key, response: Response) -> Score:
    expected = expected_value(body, key)
    allowed = max(key.tolerance, key.relative_tolerance * abs(expected))
    target = _target(body, expected, allowed)
    others = [
        (_target(body, other.value, other.tolerance), abs(response.value - other.value) <= other.tolerance)
        for other in key.also
    ]
    typed = shown(body, response.value)
    matched = next((shown_as for shown_as, hit in others if hit), None)
    if abs(response.value - expected) <= allowed:
        earned, why = key.points, f"Typed {typed}, which matches the expected {target}."
    elif matched is not None:
        earned, why = key.points, f"Typed {typed}, which matches the accepted {matched}."
    else:
        accepted = " or ".join([target, *(shown_as for shown_as, _ in others)])
        earned, why = Decimal(0), f"Typed {typed}; expected {accepted}."
    if key.answer is not None:
        numbers = ", ".join(f"{name} = {param.shown()}" for name, param in body.params.items())
        why += f" The key computes {key.answer}" + (f" with {numbers}." if numbers else ".")
    return Score(earned, key.points, (Part("Answer", earned, key.points, why),))


def max_points(body: Body, key: Key) -> Decimal:
    return key.points


def check(body: Body, key: Key) -> list[Problem]:
    declared = set(body.params)
    placeholders = set(PLACEHOLDER.findall(body.prompt))
    known = ", ".join(sorted(declared)) or "none"
    problems = [
        Problem("body.prompt", f"uses {{{name}}}, which is not one of the params ({known})")
        for name in sorted(placeholders - declared)
    ]
    problems += [
        Problem(f"body.params.{name}", "is never shown in the prompt, so candidates cannot use it")
        for name in sorted(declared - placeholders)
    ]
    return problems + _key_problems(body, key)


def _key_problems(body: Body, key: Key) -> list[Problem]:
    if (key.answer is None) == (key.value is None):
        return [Problem("key.answer", "give exactly one of answer (a formula) or value (a fixed number)")]
    if key.answer is None:
        return [Problem("key.value", "an item with params needs a formula in answer")] if body.params else []
    if key.also:
        return [Problem("key.also", "alternatives go with a fixed value; a formula key stays single")]
    try:
        unknown = formula_names(key.answer) - set(body.params)
    except FormulaError as exc:
        return [Problem("key.answer", str(exc))]
    if unknown:
        return [Problem("key.answer", f"uses {', '.join(sorted(unknown))}, which are not declared params")]
    return _evaluation_problems(body, key.answer)


def _evaluation_problems(body: Body, formula: str) -> list[Problem]:
    """Evaluate every possible draw when there are few, else the shown values and the range ends."""
    params = list(body.params.values())
    size = 1
    for param in params:
        size *= param.count()
    draws: list[tuple[Decimal, ...]]
    if size <= EXHAUSTIVE_CHECK_LIMIT:
        draws = list(itertools.product(*([p.nth(i) for i in range(p.count())] for p in params)))
    else:
        draws = [
            tuple(p.shown() for p in params),
            tuple(p.nth(0) for p in params),
            tuple(p.nth(p.count() - 1) for p in params),
        ]
    limit = Decimal(10) ** MAX_WHOLE_DIGITS
    for values in draws:
        try:
            result = evaluate(formula, dict(zip(body.params, values, strict=True)))
        except FormulaError as exc:
            return [Problem("key.answer", str(exc))]
        if abs(result) >= limit:
            drawn = ", ".join(f"{name} = {value}" for name, value in zip(body.params, values, strict=True))
            return [Problem("key.answer", f"gives {result} with {drawn}: too large to type")]
    return []


def draw(body: Body, rng: random.Random, shuffle: bool) -> Variant:
    if not body.params:
        return {}
    return {"params": {name: str(p.nth(rng.randrange(p.count()))) for name, p in body.params.items()}}


def realize(body: Body, key: Key, variant: Variant) -> tuple[Body, Key]:
    """The prompt with the drawn numbers filled in; they become the params' shown values.

    A drawn value that is missing, unreadable or not drawable falls back to the
    default, as a stale option order does, so a variant can never crash an attempt.
    """
    raw = variant.get("params")
    drawn: dict[str, object] = raw if isinstance(raw, dict) else {}
    params = {
        name: param.model_copy(update={"default": _drawn(param, drawn.get(name))})
        for name, param in body.params.items()
    }

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"{params[name].shown():,f}" if name in params else match.group(0)

    return body.model_copy(update={"prompt": PLACEHOLDER.sub(fill, body.prompt), "params": params}), key


def _drawn(param: Param, raw: object) -> Decimal:
    try:
        value = Decimal(raw) if isinstance(raw, (str, int)) and not isinstance(raw, bool) else None
    except InvalidOperation:
        value = None
    return value if value is not None and value.is_finite() and param.allows(value) else param.shown()


def shape(body: Body, key: Key) -> NumberWithTolerance | DrawnNumber | NoFaithfulTarget:
    if body.params or key.value is None:
        return DrawnNumber(body.prompt, key.answer or "")
    return NumberWithTolerance(
        body.prompt,
        body.unit,
        body.symbol,
        body.label,
        key.value,
        key.tolerance,
        key.relative_tolerance,
        key.points,
        tuple((other.value, other.tolerance) for other in key.also),
    )


def simulate(body: Body, key: Key, who: Answerer) -> Form:
    value = expected_value(body, key)
    if not who.gets():
        # The usual slips: a step left out or done twice moves the result by some percent.
        value *= Decimal(who.rng.choice(("0.85", "0.9", "0.95", "1.05", "1.1", "1.2")))
    value = value.quantize(Decimal("0.01")) if value != value.to_integral() else value.to_integral()
    typed = f"{value:f}"
    if body.unit == "currency" and who.rng.random() < 0.5:
        typed = shown(body, value)
    return {"value": [typed]}


TYPE = ItemType(
    name="numeric",
    description="Type a number (amount, percentage, count), keyed with a tolerance; numbers may be drawn.",
    body=Body,
    key=Key,
    response=Response,
    normalise=normalise,
    score=score,
    max_points=max_points,
    check=check,
    shape=shape,
    simulate=simulate,
    draw=draw,
    realize=realize,
)
