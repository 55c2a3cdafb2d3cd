"""Fairness: selection rates, four-fifths impact ratios and Fisher's exact test, checked by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.campaign_frames import FrameInvalid
from reports.fairness import MIN_CELL_COUNT, MIN_GROUP_SIZE, OVERALL, FairnessReport, fairness_report


def _frame(
    groups: dict[str | None, list[tuple[bool, ...]]], stages: tuple[str, ...] = ("test",)
) -> pd.DataFrame:
    rows = []
    for group, outcomes in groups.items():
        for n, passed in enumerate(outcomes):
            rows.append(
                {"candidate_id": f"{group}-{n}", "group": group, **dict(zip(stages, passed, strict=True))}
            )
    return pd.DataFrame(rows, columns=["candidate_id", "group", *stages])


def _passing(selected: int, considered: int) -> list[tuple[bool, ...]]:
    return [(n < selected,) for n in range(considered)]


def _row(report: FairnessReport, stage: str, group: str) -> dict[str, object]:
    (row,) = report.rates.query("stage == @stage and group == @group").to_dict("records")
    return row


def _fisher_two_sided(a: int, b: int, c: int, d: int) -> float:
    """Sum of the hypergeometric probabilities no more likely than the observed table."""
    row1, col1, n = a + b, a + c, a + b + c + d

    def probability(x: int) -> float:
        return math.comb(row1, x) * math.comb(n - row1, col1 - x) / math.comb(n, col1)

    observed = probability(a)
    support = range(max(0, col1 - (n - row1)), min(row1, col1) + 1)
    return sum(p for x in support if (p := probability(x)) <= observed * (1 + 1e-7))


def test_textbook_four_fifths_example_flags_half_the_rate() -> None:
    # 48 of 80 selected (60 %) against 12 of 40 (30 %): impact ratio 0.5, below four-fifths.
    report = fairness_report(_frame({"A": _passing(48, 80), "B": _passing(12, 40)}), ("test",))
    a, b = _row(report, "test", "A"), _row(report, "test", "B")
    assert (a["rate"], a["impact_ratio"], a["reference_group"]) == (0.6, 1.0, "A")
    assert pd.isna(a["fisher_p"]) and a["below_four_fifths"] is False
    assert (b["considered"], b["selected"], b["rate"], b["impact_ratio"]) == (40, 12, 0.3, 0.5)
    assert b["small_sample"] is False and b["below_four_fifths"] is True
    assert b["fisher_p"] == pytest.approx(_fisher_two_sided(12, 28, 48, 32), rel=1e-9)
    assert b["fisher_p"] == pytest.approx(0.003409, abs=1e-6)
    assert report.warnings == ()


def test_lady_tasting_tea_p_value_and_no_verdict_from_eight_cups() -> None:
    # Fisher's own 2x2 [[3, 1], [1, 3]]: two-sided p = 34/70.
    report = fairness_report(_frame({"A": _passing(3, 4), "B": _passing(1, 4)}), ("test",))
    b = _row(report, "test", "B")
    assert b["fisher_p"] == pytest.approx(34 / 70, rel=1e-9)
    assert b["impact_ratio"] == pytest.approx(1 / 3)
    assert b["small_sample"] is True and b["below_four_fifths"] is None
    assert _row(report, "test", "A")["below_four_fifths"] is None
    (warning,) = report.warnings
    assert warning.startswith("test: too few candidates to judge A (4 considered), B (4 considered).")


@pytest.mark.parametrize(
    ("a", "b", "below"),
    [
        ((50, 100), (40, 100), False),  # exactly 0.8 is not below four-fifths
        ((50, 100), (39, 100), True),
        ((50, 100), (60, 100), False),  # B is then the reference group, A at 0.833
    ],
)
def test_the_four_fifths_threshold(a: tuple[int, int], b: tuple[int, int], below: bool) -> None:
    report = fairness_report(_frame({"A": _passing(*a), "B": _passing(*b)}), ("test",))
    flags = report.rates.set_index("group")["below_four_fifths"]
    assert flags.tolist().count(True) == int(below)


@pytest.mark.parametrize(
    ("a", "b", "small"),
    [
        ((15, MIN_GROUP_SIZE), (15, MIN_GROUP_SIZE), False),
        ((15, MIN_GROUP_SIZE), (14, MIN_GROUP_SIZE - 1), True),  # a group below 30
        ((15, 40), (MIN_CELL_COUNT, 40), False),
        ((15, 40), (MIN_CELL_COUNT - 1, 40), True),  # a cell below 5: 4 selected
        ((35, 40), (30, 40), False),
        ((36, 40), (30, 40), True),  # the reference group's not-selected cell is 4
    ],
)
def test_small_sample_rules(a: tuple[int, int], b: tuple[int, int], small: bool) -> None:
    report = fairness_report(_frame({"A": _passing(*a), "B": _passing(*b)}), ("test",))
    compared = report.rates[report.rates["group"] != report.rates["reference_group"]]
    assert compared["small_sample"].tolist() == [small]
    assert (compared["below_four_fifths"].tolist() == [None]) is small


def test_later_stages_consider_only_those_who_passed_the_one_before() -> None:
    stages = ("test", "interview")
    groups: dict[str | None, list[tuple[bool, ...]]] = {
        "A": [(True, True)] * 30 + [(True, False)] * 10 + [(False, False)] * 20,  # 40/60, then 30/40
        "B": [(True, True)] * 10 + [(True, False)] * 30 + [(False, False)] * 20,  # 40/60, then 10/40
    }
    report = fairness_report(_frame(groups, stages), stages)
    assert report.rates["stage"].unique().tolist() == ["test", "interview", OVERALL]
    assert _row(report, "test", "B")["impact_ratio"] == 1.0
    interview = _row(report, "interview", "B")
    assert (interview["considered"], interview["selected"], interview["impact_ratio"]) == (40, 10, 1 / 3)
    overall = _row(report, OVERALL, "B")
    assert (overall["considered"], overall["selected"], overall["rate"]) == (60, 10, 1 / 6)
    assert overall["impact_ratio"] == pytest.approx((1 / 6) / (30 / 60))


def test_undisclosed_groups_are_left_out_and_counted() -> None:
    groups: dict[str | None, list[tuple[bool, ...]]] = {
        "A": _passing(1, 2),
        None: _passing(2, 2),
        "": _passing(1, 1),
        " Prefer not to say ": _passing(1, 1),
    }
    report = fairness_report(_frame(groups), ("test",))
    assert report.not_disclosed == 4
    assert report.rates["group"].tolist() == ["A"]
    assert report.warnings[0] == "4 candidate(s) gave no group or preferred not to say; they are left out."


def test_nobody_selected_gives_no_ratio_and_a_warning() -> None:
    report = fairness_report(_frame({"A": _passing(0, 40), "B": _passing(0, 40)}), ("test",))
    assert report.rates["impact_ratio"].isna().all()
    assert report.rates["below_four_fifths"].tolist() == [None, None]
    assert "test: no one was selected, so there are no rates to compare." in report.warnings


def test_no_disclosed_candidates_gives_an_empty_table() -> None:
    report = fairness_report(_frame({None: _passing(3, 5)}), ("test",))
    assert report.rates.empty and report.not_disclosed == 5


@pytest.mark.parametrize(
    ("frame", "stages", "message"),
    [
        (_frame({"A": _passing(1, 2)}), (), "name at least one stage"),
        (_frame({"A": _passing(1, 2)}), ("interview",), "missing column"),
        (_frame({"A": [("yes",)]}), ("test",), "test: 1 row"),
        (
            _frame({"A": [(False, True)]}, ("test", "interview")),
            ("test", "interview"),
            "passed interview without",
        ),
        (pd.concat([_frame({"A": _passing(1, 1)})] * 2), ("test",), "not unique"),
    ],
)
def test_bad_frames_are_rejected(frame: pd.DataFrame, stages: tuple[str, ...], message: str) -> None:
    with pytest.raises(FrameInvalid, match=message):
        fairness_report(frame, stages)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=25), st.integers(min_value=1, max_value=25)).map(
            lambda t: (min(t), t[1])
        ),
        min_size=2,
        max_size=4,
    )
)
def test_ratios_and_p_values_match_independent_formulas(tallies: list[tuple[int, int]]) -> None:
    groups: dict[str | None, list[tuple[bool, ...]]] = {
        f"g{n}": _passing(selected, considered) for n, (selected, considered) in enumerate(tallies)
    }
    rates = fairness_report(_frame(groups), ("test",)).rates.set_index("group")
    best = max(s / c for s, c in tallies)
    reference = rates["reference_group"].iloc[0]
    top_selected, top_considered = rates.loc[reference, ["selected", "considered"]]
    for n, (selected, considered) in enumerate(tallies):
        row = rates.loc[f"g{n}"]
        assert row["rate"] == selected / considered
        if best == 0:
            assert pd.isna(row["impact_ratio"])
        else:
            assert 0 <= row["impact_ratio"] <= 1
            assert row["impact_ratio"] == pytest.approx(selected / considered / best)
        if f"g{n}" != reference:
            expected = _fisher_two_sided(
                selected, considered - selected, top_selected, top_considered - top_selected
            )
            assert row["fisher_p"] == pytest.approx(expected, rel=1e-6)
        assert row["small_sample"]  # never more than 25 candidates a group
