"""Upper and lower 27% groups (ties kept together) and who chose each option in them."""

from __future__ import annotations

import pandas as pd
import pytest

from reports.distractors import OMITTED, distractor_table, scoring_groups
from reports.reliability import UndefinedStatistic


def _totals(values: dict[str, float]) -> pd.Series:
    return pd.Series(values, dtype=float)


def test_groups_are_the_top_and_bottom_27_percent() -> None:
    # 10 candidates: g = floor(2.7 + 0.5) = 3.
    totals = _totals({f"c{i}": float(i) for i in range(10)})
    groups = scoring_groups(totals)
    assert groups.upper == {"c7", "c8", "c9"}
    assert groups.lower == {"c0", "c1", "c2"}
    assert (groups.upper_cut, groups.lower_cut) == (7.0, 2.0)


def test_candidates_tied_at_a_cut_all_join_the_group() -> None:
    totals = _totals({"a": 9, "b": 8, "c": 7, "d": 7, "e": 5, "f": 4, "g": 2, "h": 2, "i": 1, "j": 1})
    groups = scoring_groups(totals)
    assert groups.upper == {"a", "b", "c", "d"}  # c and d tie at the third-highest total
    assert groups.lower == {"g", "h", "i", "j"}  # g and h tie at the third-lowest


def test_two_candidates_make_groups_of_one() -> None:
    groups = scoring_groups(_totals({"a": 1, "b": 2}))
    assert (groups.upper, groups.lower) == ({"b"}, {"a"})


@pytest.mark.parametrize(
    "values",
    [
        {"a": 3.0},
        {"a": 2.0, "b": 2.0, "c": 2.0},
        {"a": 1, "b": 2, "c": 5, "d": 5, "e": 5, "f": 5, "g": 5, "h": 5, "i": 5, "j": 9},
    ],
)
def test_no_groups_when_they_would_meet(values: dict[str, float]) -> None:
    with pytest.raises(UndefinedStatistic):
        scoring_groups(_totals(values))


def test_distractor_table_counts_overall_and_per_group() -> None:
    totals = _totals({f"c{i}": float(i) for i in range(10)})
    groups = scoring_groups(totals)
    chosen = {"c0": "a", "c1": "a", "c2": "", "c3": "b", "c4": "b", "c5": "c", "c6": "b"}
    chosen |= {"c7": "b", "c8": "b", "c9": "a"}
    table = {row.response: row for row in distractor_table(pd.Series(chosen), groups)}
    assert list(table) == ["a", "b", "c", OMITTED]
    assert (table["a"].count, table["a"].proportion) == (3, 0.3)
    assert (table["a"].upper, table["a"].lower) == (1, 2)
    assert table["a"].upper_proportion == pytest.approx(1 / 3)
    assert table["b"].upper_proportion == pytest.approx(2 / 3) and table["b"].lower == 0
    assert table[OMITTED].lower_proportion == pytest.approx(1 / 3)
    assert sum(row.count for row in table.values()) == 10


def test_distractor_table_without_groups_has_overall_counts_only() -> None:
    (row,) = distractor_table(pd.Series({"a": "x", "b": "x"}), None)
    assert (row.count, row.proportion) == (2, 1.0)
    assert row.upper is None and row.upper_proportion is None and row.lower is None
