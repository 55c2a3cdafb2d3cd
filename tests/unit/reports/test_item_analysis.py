"""Item analysis end to end on small frames, every number checked against plain-Python sums."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.item_analysis import MIN_CANDIDATES_FOR_FLAGS, ItemAnalysis, analyze_items
from reports.scored_responses import ScoredResponsesInvalid

GUTTMAN = [[1, 1, 1, 1], [1, 1, 1, 0], [1, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]]


def _long(rows: list[list[float | None]], max_scores: list[float] | None = None) -> pd.DataFrame:
    """A long frame from a candidate x item matrix; None leaves the row out (missing)."""
    records = []
    for c, row in enumerate(rows):
        for i, score in enumerate(row):
            if score is None:
                continue
            record: dict[str, object] = {"candidate_id": f"c{c + 1}", "item_id": f"q{i + 1}", "score": score}
            if max_scores is not None:
                record["max_score"] = max_scores[i]
            records.append(record)
    columns = ["candidate_id", "item_id", "score", *(["max_score"] if max_scores is not None else [])]
    return pd.DataFrame.from_records(records, columns=columns).astype({c: float for c in columns[2:]})


def _item(analysis: ItemAnalysis, item_id: str) -> dict[str, object]:
    (found,) = [item for item in analysis.as_json()["items"] if item["item_id"] == item_id]
    return found


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _sd(values: list[float]) -> float:
    m = _mean(values)
    return math.sqrt(sum((v - m) ** 2 for v in values) / (len(values) - 1))


def _pearson(x: list[float], y: list[float]) -> float:
    mx, my = _mean(x), _mean(y)
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    return sxy / math.sqrt(sum((a - mx) ** 2 for a in x) * sum((b - my) ** 2 for b in y))


def _alpha(rows: list[list[float]]) -> float:
    k = len(rows[0])
    variances = sum(_sd([row[i] for row in rows]) ** 2 for i in range(k))
    return k / (k - 1) * (1 - variances / _sd([sum(row) for row in rows]) ** 2)


def test_guttman_scale_gives_textbook_kr20_and_hand_computed_statistics() -> None:
    analysis = analyze_items(_long(GUTTMAN))
    test = analysis.test
    totals = [4.0, 3.0, 2.0, 1.0, 0.0]
    assert (test.n, test.items, test.dropped_candidates) == (5, 4, 0)
    assert test.alpha_kind == "kr20"
    assert test.alpha == pytest.approx(0.8)
    assert test.mean == pytest.approx(2.0)
    assert test.sd == pytest.approx(_sd(totals))
    assert test.sem == pytest.approx(_sd(totals) * math.sqrt(0.2))
    for i, item in enumerate(analysis.items):
        column = [float(row[i]) for row in GUTTMAN]
        rest = [t - s for t, s in zip(totals, column, strict=True)]
        assert item.facility == pytest.approx(_mean(column))
        assert item.discrimination == pytest.approx(_pearson(column, rest))
        others = [[float(v) for j, v in enumerate(row) if j != i] for row in GUTTMAN]
        assert item.alpha_if_deleted == pytest.approx(_alpha(others))


def test_partial_credit_items_use_cronbach_alpha_and_proportion_of_max() -> None:
    rows: list[list[float | None]] = [[2, 3, 1], [1, 2, 1], [0, 1, 0], [2, 3, 1], [1, 0, 0]]
    analysis = analyze_items(_long(rows, max_scores=[2, 4, 1]))
    assert analysis.test.alpha_kind == "cronbach"
    assert analysis.test.alpha == pytest.approx(_alpha([[float(v or 0) for v in row] for row in rows]))
    assert [item.facility for item in analysis.items] == pytest.approx([6 / 10, 9 / 20, 3 / 5])
    assert [item.max_score for item in analysis.items] == [2, 4, 1]


def test_without_max_score_the_highest_observed_score_is_the_max() -> None:
    analysis = analyze_items(_long([[1, 2], [0, 4], [1, 3]]))
    assert [item.max_score for item in analysis.items] == [1, 4]
    assert analysis.items[1].facility == pytest.approx(9 / 12)
    assert any("No max_score given for q1, q2" in w for w in analysis.test.warnings)


def test_missing_scores_drop_the_candidate_from_reliability_but_count_in_facility() -> None:
    rows: list[list[float | None]] = [*GUTTMAN, [1, None, 1, 1]]
    analysis = analyze_items(_long(rows))
    assert analysis.test.dropped_candidates == 1
    assert analysis.test.n == 5
    assert analysis.test.alpha == pytest.approx(0.8)  # the Guttman five, as before
    q1, q2 = analysis.items[0], analysis.items[1]
    assert (q1.n, q1.facility) == (6, pytest.approx(5 / 6))
    assert (q2.n, q2.facility) == (5, pytest.approx(3 / 5))
    assert any("1 candidate(s) lack a score" in w for w in analysis.test.warnings)


def test_an_empty_score_counts_as_missing_like_an_absent_row() -> None:
    frame = _long([*GUTTMAN, [1, 0, 1, 1]])
    frame.loc[len(frame) - 3, "score"] = math.nan  # c6's q2
    assert analyze_items(frame).as_json() == analyze_items(_long([*GUTTMAN, [1, None, 1, 1]])).as_json()


def test_item_everyone_got_right_has_undefined_discrimination_with_reason() -> None:
    rows = [[1, *row[1:]] for row in GUTTMAN]
    analysis = analyze_items(_long(rows))
    q1 = _item(analysis, "q1")
    assert q1["facility"] == 1.0
    assert q1["discrimination"] is None
    assert "same score on this item" in q1["undefined"]["discrimination"]  # type: ignore[index]
    assert analysis.test.alpha is not None
    json.dumps(analysis.as_json(), allow_nan=False)


def test_constant_total_leaves_alpha_and_sem_undefined() -> None:
    analysis = analyze_items(_long([[1, 0], [0, 1], [1, 0]]))
    assert analysis.test.alpha is None and analysis.test.sem is None
    assert "same total" in analysis.test.undefined["alpha"]
    assert analysis.test.sd == 0.0
    assert analysis.items[0].discrimination == pytest.approx(-1.0)


def test_one_candidate_gives_facility_but_no_spread_statistics() -> None:
    analysis = analyze_items(_long([[1, 0, 2]], max_scores=[1, 1, 2]))
    data = analysis.as_json()
    assert data["test"]["n"] == 1 and data["test"]["mean"] == 3.0
    assert data["test"]["sd"] is None and data["test"]["alpha"] is None and data["test"]["sem"] is None
    assert [item["facility"] for item in data["items"]] == [1.0, 0.0, 1.0]
    assert all(item["discrimination"] is None for item in data["items"])
    json.dumps(data, allow_nan=False)


def test_all_zero_item_without_max_has_facility_zero() -> None:
    analysis = analyze_items(_long([[0, 1], [0, 0], [0, 1]]))
    assert analysis.items[0].facility == 0.0 and analysis.items[0].max_score == 0


def _ability_design(candidates: int) -> list[list[float | None]]:
    """Candidate i has ability i: steps at 1/6 .. 4/6 of the range, a coin flip, an easy and a hard item."""
    rows: list[list[float | None]] = []
    for i in range(candidates):
        steps = [float(i >= candidates * j / 6) for j in range(1, 5)]
        rows.append([*steps, float(i % 2 == 0), float(i != 0), float(i == candidates - 1)])
    return rows


def test_weak_items_are_flagged_by_the_documented_rules() -> None:
    analysis = analyze_items(_long(_ability_design(40)))
    flags = {item.item_id: set(item.flags) for item in analysis.items}
    assert flags["q1"] == flags["q2"] == flags["q3"] == flags["q4"] == set()
    assert {"low_discrimination", "lowers_reliability"} <= flags["q5"]  # the coin flip
    assert "too_easy" in flags["q6"]
    assert "too_hard" in flags["q7"]
    assert not any("Small sample" in w for w in analysis.test.warnings)


def test_small_samples_get_a_warning_instead_of_flags() -> None:
    analysis = analyze_items(_long(_ability_design(MIN_CANDIDATES_FOR_FLAGS - 1)))
    assert all(item.flags == () for item in analysis.items)
    assert analysis.items[4].discrimination is not None
    assert any("Small sample: 29 complete candidate(s)" in w for w in analysis.test.warnings)


def test_facility_is_flagged_on_the_items_own_n_even_when_few_candidates_are_complete() -> None:
    rows = _ability_design(40)
    for i, row in enumerate(rows):
        if i >= 10:
            row[0] = None  # q1 was in only 10 candidates' draw
    analysis = analyze_items(_long(rows))
    assert analysis.test.n == 10
    assert "too_easy" in analysis.items[5].flags
    assert "low_discrimination" not in analysis.items[4].flags
    assert any("q1 (10)" in w for w in analysis.test.warnings)


def test_no_variance_item_is_flagged_with_enough_candidates() -> None:
    rows = [[*row[:4], 1.0] for row in _ability_design(40)]
    (item,) = [i for i in analyze_items(_long(rows)).items if i.item_id == "q5"]
    assert {"no_variance", "too_easy"} <= set(item.flags)
    assert item.discrimination is None


def test_distractors_appear_only_with_a_response_column() -> None:
    frame = _long(GUTTMAN)
    assert "distractors" not in analyze_items(frame).as_json()["items"][0]
    frame["response"] = ["b" if score else "a" for score in frame["score"]]
    data = analyze_items(frame).as_json()
    assert set(data["items"][0]["distractors"]) == {"a", "b"}
    # 5 candidates: groups of floor(1.35 + .5) = 1 -> the top (c1) and the bottom (c5).
    assert (data["test"]["upper_group"], data["test"]["lower_group"]) == (1, 1)
    assert data["items"][3]["distractors"]["b"]["upper"] == 1
    assert data["items"][3]["distractors"]["a"]["lower_proportion"] == 1.0


def test_items_without_any_score_are_left_out_with_a_warning() -> None:
    frame = pd.concat(
        [_long(GUTTMAN), pd.DataFrame({"candidate_id": ["c1"], "item_id": ["q9"], "score": [math.nan]})]
    )
    analysis = analyze_items(frame)
    assert [item.item_id for item in analysis.items] == ["q1", "q2", "q3", "q4"]
    assert analysis.test.dropped_candidates == 0
    assert "Left out, having no scores at all: q9." in analysis.test.warnings


def test_an_empty_frame_analyses_to_nothing() -> None:
    frame = pd.DataFrame({"candidate_id": [], "item_id": [], "score": []}).astype({"score": float})
    data = analyze_items(frame).as_json()
    assert data["items"] == [] and data["test"]["n"] == 0 and data["test"]["mean"] is None


def test_invalid_frames_are_refused() -> None:
    frame = _long(GUTTMAN, max_scores=[1, 1, 1, 1])
    frame.loc[0, "score"] = 2.0
    with pytest.raises(ScoredResponsesInvalid, match="2 is above max_score 1"):
        analyze_items(frame)


@st.composite
def scored_frames(draw: st.DrawFn) -> pd.DataFrame:
    k = draw(st.integers(min_value=1, max_value=5))
    maxima = draw(st.lists(st.integers(min_value=1, max_value=4), min_size=k, max_size=k))
    n = draw(st.integers(min_value=1, max_value=12))
    rows = [
        [draw(st.none() | st.integers(min_value=0, max_value=maxima[i]).map(float)) for i in range(k)]
        for _ in range(n)
    ]
    return _long(rows, max_scores=[float(m) for m in maxima])


@settings(deadline=None)
@given(scored_frames())
def test_any_valid_matrix_gives_statistics_in_range(frame: pd.DataFrame) -> None:
    analysis = analyze_items(frame)
    assert analysis.test.alpha is None or analysis.test.alpha <= 1.0
    for item in analysis.items:
        assert 0.0 <= item.facility <= 1.0
        assert item.discrimination is None or -1.0 <= item.discrimination <= 1.0
        assert item.alpha_if_deleted is None or item.alpha_if_deleted <= 1.0
    json.dumps(analysis.as_json(), allow_nan=False)
