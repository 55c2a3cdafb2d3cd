"""Numbers as candidates type them ("$6,000.00", "6 000", "10%") and as the item shows them."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer, ValidationInfo

from items.base import Form, ResponseError, Schema, body_of, first_value
from items.types.numeric.schema import MAX_PLACES, MAX_WHOLE_DIGITS, Amount, Body

MAX_INPUT = 32
SHOWN_PLACES = 6
# Spaces people type between thousands: plain, no-break and narrow no-break.
GROUP_SPACES = " \u00a0\u202f"
PLAIN_NUMBER = re.compile(r"^(?:\d+(?:\.\d+)?|\.\d+)$")
GROUPED_NUMBER = re.compile(r"^\d{1,3}(?P<sep>[," + GROUP_SPACES + r"])\d{3}(?:(?P=sep)\d{3})*(?:\.\d+)?$")


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
