"""Points are shown in plain canonical form everywhere: no exponent, no trailing zeros, no minus zero."""

from __future__ import annotations

from decimal import Decimal

import pytest

from items.values import plain_decimal


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("0E-7"), "0"),
        (Decimal("-0.00"), "0"),
        (Decimal("1.000"), "1"),
        (Decimal("5E+1"), "50"),
        (Decimal("0.50"), "0.5"),
        (Decimal("0.9999999"), "0.9999999"),
        (Decimal("-0.25"), "-0.25"),
        (Decimal("12000"), "12000"),
    ],
)
def test_plain_decimal_shows_points_as_people_read_them(value: Decimal, shown: str) -> None:
    assert plain_decimal(value) == shown
