"""Answer weights from other platforms as exact shares, and the exact decimal points they give.

Moodle and GIFT print a third of the marks as 33.33333 % (Moodle's grade list holds 1/n
fractions to seven places of the fraction). Summed as printed, three right answers earn
0.9999999 of 1, so the weights are read as the fractions they stand for, and the points
written to the bank are exact decimals in plain form (``1``, ``0.5``, never ``0E-7``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal, localcontext
from fractions import Fraction

from items.values import plain_decimal

#: Moodle's grade list goes down to 1/20 (5 %); larger denominators are taken as written.
MAX_DENOMINATOR = 20


def canonical(value: Decimal) -> Decimal:
    """``value`` as the bank writes it, with no trailing zeros and no exponent: 0.50 -> 0.5, 0E-7 -> 0."""
    return Decimal(plain_decimal(value))


def exact_share(percent: Decimal) -> Fraction:
    """The share of full marks a printed percentage means: 33.33333 -> 1/3, 50 -> 1/2, 12.5 -> 1/8.

    A percentage printed with decimals is the fraction with a denominator up to
    ``MAX_DENOMINATOR`` that rounds to it at the printed precision, when there is one
    (33.33333, 33.3 and 66.66667 are thirds; 14.28571 is a seventh). A whole percentage
    (33) is exact as written: nothing about it says it was rounded.
    """
    exact = Fraction(percent) / 100
    exponent = percent.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if places == 0:
        return exact
    nearest = exact.limit_denominator(MAX_DENOMINATOR)
    half_unit = Fraction(1, 2 * 10**places) / 100
    return nearest if abs(nearest - exact) <= half_unit else exact


def _decimal(value: Fraction) -> Decimal:
    """A fraction whose denominator has no prime factors but 2 and 5, as the decimal it equals."""
    digits = len(str(value.numerator)) + len(str(value.denominator)) + 2
    with localcontext() as context:
        context.prec = max(context.prec, digits)
        return canonical(Decimal(value.numerator) / Decimal(value.denominator))


def _beyond_decimal(denominator: int) -> int:
    """The part of a denominator that no decimal can express (what is left without 2s and 5s)."""
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    return denominator


def exact_points(points: Decimal, shares: Iterable[Fraction]) -> tuple[Decimal, list[Decimal]]:
    """(the question's points, each share of them), all exact decimals.

    A third of one point has no decimal form, so when a share has none the question's
    points are multiplied by the smallest whole number that gives every share one: a
    1-point question with thirds is worth 3 and each third 1. Totals count an item by
    its proportion of its maximum, so no total changes.
    """
    listed = list(shares)
    scale = 1
    for share in listed:
        scale = math.lcm(scale, _beyond_decimal((Fraction(points) * share).denominator))
    total = Fraction(points) * scale
    return _decimal(total), [_decimal(total * share) for share in listed]
