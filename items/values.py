"""Parsing what people type (dates and money amounts), and showing points as people read them."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
# An example date no shipped key uses, so an error message never hints at an answer.
DATE_FORMS = "March 4, 2026 or 4 March 2026 or 2026-03-04 or 03/04/2026 (month first)"
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_SLASH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d+)", re.ASCII)
_MONTH_FIRST = re.compile(r"([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?(?:, ?| )(\d{4})", re.ASCII | re.IGNORECASE)
_DAY_FIRST = re.compile(r"(\d{1,2})(?:st|nd|rd|th)? ([a-z]+)\.?(?:, ?| )(\d{4})", re.ASCII | re.IGNORECASE)
_AMOUNT = re.compile(r"\$? ?(\d{1,3}(?:,\d{3})+|\d+)(\.\d{1,2})?", re.ASCII)


def parse_date(text: str) -> datetime.date:
    """A typed date. Slash dates are month first (MM/DD/YYYY), as in the US-based seed.

    Parsed by pattern, not ``strptime`` or dateutil: both depend on the locale or
    fill a missing year from today's date, and a scored answer must not.
    """
    text = " ".join(text.split())
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _SLASH_DATE.fullmatch(text):
        month, day = int(match[1]), int(match[2])
        if len(match[3]) != 4:
            raise ValueError(f"write the year in full (four digits), like {DATE_FORMS}")
        if month > 12:
            raise ValueError(f"slash dates are read month first (MM/DD/YYYY); {month} is not a month")
        year = int(match[3])
    elif match := _MONTH_FIRST.fullmatch(text):
        month, day, year = _month_number(match[1]), int(match[2]), int(match[3])
    elif match := _DAY_FIRST.fullmatch(text):
        day, month, year = int(match[1]), _month_number(match[2]), int(match[3])
    elif not re.search(r"\d{4}", text, re.ASCII):
        raise ValueError(f"include the year; write the date like {DATE_FORMS}")
    else:
        raise ValueError(f"not a date we can read; write it like {DATE_FORMS}")
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueError(f"{text!r} is not a real date; check the day and the month") from None


def _month_number(word: str) -> int:
    word = word.casefold()
    for number, name in enumerate(MONTHS, start=1):
        if word in (name, name[:3]) or (name == "september" and word == "sept"):
            return number
    raise ValueError(f"{word!r} is not a month")


def parse_amount(text: str) -> Decimal:
    """A money amount or count: "$12,000", "12000" and "12,000.00" are the same.

    Stricter than numeric's ``parse_number`` on purpose: a record holds a
    non-negative amount in dollars and cents, so signs, percentages, space-grouped
    thousands and more than two decimal places are typing mistakes here.
    """
    match = _AMOUNT.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not an amount; write it like 12,000 or $12,000.00")
    return Decimal(match[1].replace(",", "") + (match[2] or ""))


def show_date(value: datetime.date) -> str:
    return f"{MONTHS[value.month - 1].capitalize()} {value.day}, {value.year}"


def plain_decimal(value: Decimal) -> str:
    """A score or points value in plain canonical form: 0, 1, 0.5, 50 (never 0E-7, 1.000 or 5E+1).

    Every page, command and export shows points through this one function.
    """
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text


def points_text(value: Decimal | None) -> str:
    """Points as every page shows them (``plain_decimal``); a missing value as a dash."""
    return "—" if value is None else plain_decimal(value)


#: The filters every template may use, the item templates included: the app and the tests
#: that render item templates on their own register these, so both render alike.
TEMPLATE_FILTERS = {"points": points_text}
