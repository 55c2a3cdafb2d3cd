"""Exact shares from printed percentages, and the exact decimal points they give."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from interchange.weights import canonical, exact_points, exact_share


@pytest.mark.parametrize(
    ("printed", "share"),
    [
        ("33.33333", Fraction(1, 3)),
        ("-33.33333", Fraction(-1, 3)),
        ("66.66667", Fraction(2, 3)),
        ("16.66667", Fraction(1, 6)),
        ("83.33333", Fraction(5, 6)),
        ("14.28571", Fraction(1, 7)),
        ("11.11111", Fraction(1, 9)),
        ("33.3", Fraction(1, 3)),
        ("12.5", Fraction(1, 8)),
        ("50", Fraction(1, 2)),
        ("5", Fraction(1, 20)),
        # Whole percentages are exact as written; so is a value no small fraction rounds to.
        ("33", Fraction(33, 100)),
        ("10.1", Fraction(101, 1000)),
        ("12.34567", Fraction(1234567, 10**7)),
    ],
)
def test_a_printed_percentage_means_the_small_fraction_it_rounds(printed: str, share: Fraction) -> None:
    assert exact_share(Decimal(printed)) == share


@pytest.mark.parametrize(
    ("points", "shares", "total", "each"),
    [
        ("1", [Fraction(1, 2)], "1", ["0.5"]),
        ("1", [Fraction(1, 3)], "3", ["1"]),
        ("2", [Fraction(1, 7)], "14", ["2"]),
        ("1", [Fraction(5, 6), Fraction(1, 6)], "3", ["2.5", "0.5"]),
        ("3", [Fraction(1, 3)], "3", ["1"]),
        ("1", [], "1", []),
    ],
)
def test_points_are_scaled_only_as_far_as_every_share_needs(
    points: str, shares: list[Fraction], total: str, each: list[str]
) -> None:
    got_total, got_each = exact_points(Decimal(points), shares)
    assert (str(got_total), [str(e) for e in got_each]) == (total, each)
    assert all(Fraction(e) == Fraction(got_total) * s for e, s in zip(got_each, shares, strict=True))


@pytest.mark.parametrize(
    ("value", "written"), [("0E-7", "0"), ("0.50", "0.5"), ("1E+1", "10"), ("1.000", "1"), ("-2.50", "-2.5")]
)
def test_decimals_are_written_in_plain_canonical_form(value: str, written: str) -> None:
    assert str(canonical(Decimal(value))) == written
