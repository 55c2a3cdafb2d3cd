"""Section totals weight items equally, leave pending reviews out, and never count them as zero."""

from __future__ import annotations

from decimal import Decimal

import pytest

from items.base import Part, Score
from scoring.totals import overall_percent, section_totals


def _score(points: str, top: str, pending: bool = False) -> Score:
    p, m = Decimal(points), Decimal(top)
    return Score(p, m, (Part("Answer", p, m, "test"),), pending_review=pending)


def test_items_count_equally_whatever_their_raw_maximum() -> None:
    (sjt,) = section_totals([("sjt", _score("2", "2")), ("sjt", _score("0", "25"))])
    assert sjt.points == Decimal(2) and sjt.max_points == Decimal(27)
    assert sjt.percent == Decimal("50.0")


def test_pending_review_is_incomplete_not_zero() -> None:
    comm, detail = section_totals([("comm", _score("1", "12", pending=True)), ("detail", _score("3", "4"))])
    assert comm.percent is None and comm.pending == 1 and not comm.is_complete
    assert detail.percent == Decimal("75.0") and detail.is_complete
    assert overall_percent([comm, detail]) == Decimal("75.0")


@pytest.mark.parametrize(
    ("sections", "expected"),
    [
        ([("a", "1", "1"), ("b", "0", "1")], Decimal("50.0")),
        ([("a", "1", "3"), ("a", "1", "3"), ("b", "1", "1")], Decimal("66.7")),
        ([], None),
    ],
)
def test_sections_count_equally_in_the_overall_percent(
    sections: list[tuple[str, str, str]], expected: Decimal | None
) -> None:
    totals = section_totals([(s, _score(p, m)) for s, p, m in sections])
    assert overall_percent(totals) == expected


def test_an_exact_tie_rounds_up_even_when_decimal_division_would_fall_short() -> None:
    # 1 + 1/12 + 1/3 + 1/3 = 1.75 exactly: a mean of 43.75 %, which rounds half up to 43.8.
    (sjt,) = section_totals(
        [
            ("sjt", _score("1", "1")),
            ("sjt", _score("1", "12")),
            ("sjt", _score("2", "6")),
            ("sjt", _score("2", "6")),
        ]
    )
    assert sjt.percent == Decimal("43.8")
