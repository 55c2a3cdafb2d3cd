"""values: typed dates read by pattern (slashes month first) and dollar amounts."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from items.values import parse_amount, parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("July 30, 2025", datetime.date(2025, 7, 30)),
        ("30 July 2025", datetime.date(2025, 7, 30)),
        ("2025-07-30", datetime.date(2025, 7, 30)),
        ("07/30/2025", datetime.date(2025, 7, 30)),
        ("7/30/2025", datetime.date(2025, 7, 30)),
        ("Jul 30 2025", datetime.date(2025, 7, 30)),
        ("Jul. 30th,2025", datetime.date(2025, 7, 30)),
        ("30th Sept 2025", datetime.date(2025, 9, 30)),
        ("  july   30,  2025 ", datetime.date(2025, 7, 30)),
        ("03/04/2025", datetime.date(2025, 3, 4)),
    ],
)
def test_date_accepts_common_forms_reading_slashes_month_first(text: str, expected: datetime.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("July 30", "include the year"),
        ("30/07/2025", "read month first (MM/DD/YYYY); 30 is not a month"),
        ("7/30/25", "write the year in full"),
        ("June 31, 2025", "is not a real date"),
        ("2025-02-29", "is not a real date"),
        ("Juli 30, 2025", "'juli' is not a month"),
        ("2025/07/30", "not a date we can read"),
        ("next Tuesday", "include the year"),
        ("٠٧/٣٠/٢٠٢٥", "include the year"),
    ],
)
def test_date_rejects_partial_impossible_and_day_first_dates(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=None) as error:
        parse_date(text)
    assert reason in str(error.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$12,000", "12000"),
        ("12000", "12000"),
        ("12,000.00", "12000.00"),
        ("$ 1,234,567.5", "1234567.5"),
        ("0", "0"),
    ],
)
def test_amount_accepts_dollars_commas_and_cents(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["12,00", "1,2000", "$12.345", "twelve", "-50", "12 000", "$", "1e5", "12k"])
def test_amount_rejects_what_is_not_an_amount(text: str) -> None:
    with pytest.raises(ValueError, match="is not an amount"):
        parse_amount(text)
