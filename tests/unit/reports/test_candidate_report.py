"""The candidate report: hand-computed scores, the 0-exclusion rule, overrides and incompleteness."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pytest

from reports.campaign_frames import CampaignData, FrameInvalid
from reports.candidate_report import CandidateReport, candidate_report, round_half_up, score_campaign
from scoring.outcome import DO_NOT_HIRE, CampaignRules

KITS = Path(__file__).resolve().parents[3] / "kits"
ASSESSMENT = ["candidate_id", "section_id", "points", "max_points", "pending_review"]
SCORECARDS = ["candidate_id", "stage_id", "interviewer_id", "competency_id", "rating"]
RECOMMENDATIONS = [
    "candidate_id",
    "stage_id",
    "interviewer_id",
    "recommendation",
    "red_flag",
    "red_flag_note",
]
GOALS = ["candidate_id", "stage_id", "interviewer_id", "goal_id", "likelihood"]

Row = tuple[object, ...]


def _data(
    assessment: Sequence[Row],
    scorecards: Sequence[Row],
    recommendations: Sequence[Row] | None = None,
    goals: Sequence[Row] | None = None,
    candidates: list[str] | None = None,
) -> CampaignData:
    ids = candidates or sorted({str(row[0]) for row in [*assessment, *scorecards]})
    if recommendations is None:  # one plain "Hire" per interviewer and stage
        recommendations = [(c, s, i, 3, False, "") for c, s, i in sorted({row[:3] for row in scorecards})]
    return CampaignData(
        candidates=pd.DataFrame({"candidate_id": ids, "name": [f"Name {c}" for c in ids]}),
        assessment=pd.DataFrame(assessment, columns=ASSESSMENT),
        scorecards=pd.DataFrame(scorecards, columns=SCORECARDS),
        recommendations=pd.DataFrame(recommendations, columns=RECOMMENDATIONS),
        goals=None if goals is None else pd.DataFrame(goals, columns=GOALS),
    )


def _tested(candidate: str, points: float = 3, top: float = 4) -> list[Row]:
    return [(candidate, "detail", points, top, False)]


def _rated(
    candidate: str, *ratings: int, competency: str = "communication", stage: str = "interview"
) -> list[Row]:
    return [(candidate, stage, f"i{n}", competency, rating) for n, rating in enumerate(ratings, start=1)]


def _report(data: CampaignData, candidate: str = "a", rules: CampaignRules | None = None) -> CandidateReport:
    return candidate_report(score_campaign(data, rules or CampaignRules()), candidate)


def test_worked_example_matches_the_hand_computed_report() -> None:
    data = _data(
        assessment=[
            ("a", "sjt", 2, 2, False),  # 100 %
            ("a", "sjt", 0, 25, False),  # 0 %: the section is 50.0 whatever the raw maxima
            ("a", "comm", 3, 4, False),  # 75.0
        ],
        scorecards=[
            ("a", "screen", "i1", "communication", 3),
            ("a", "panel", "i2", "communication", 4),
            ("a", "panel", "i3", "communication", 0),  # not enough information: left out
            ("a", "panel", "i2", "empathy", 2),
            ("a", "panel", "i3", "empathy", 4),
        ],
        goals=[("a", "panel", "i2", "retention", 3), ("a", "panel", "i3", "retention", 0)],
    )
    report = _report(data)
    assert report.sections.to_dict("list") == {
        "section_id": ["sjt", "comm"],
        "items": [2, 1],
        "pending": [0, 0],
        "percent": [50.0, 75.0],
    }
    assert report.test_percent == 62.5  # (50 + 75) / 2
    competencies = report.competencies.set_index("competency_id")
    assert competencies.loc["communication", ["mean", "ratings", "unrated", "spread", "sd"]].tolist() == [
        3.5, 2, 1, 1, 0.5,
    ]  # fmt: skip
    assert competencies.loc["empathy", ["mean", "spread", "sd"]].tolist() == [3.0, 2, 1.0]
    assert report.interview_mean == 3.25  # (3.5 + 3.0) / 2
    assert report.interview_percent == 75.0  # (3.25 - 1) / 3
    assert report.combined_score == 70.0  # 0.4 * 62.5 + 0.6 * 75
    stages = report.stages.set_index("stage_id")
    assert stages.loc["screen", "mean"] == 3.0 and stages.loc["panel", "mean"] == 3.5  # (4 + 3) / 2
    assert stages.loc["panel", "interviewers"] == 2
    assert report.goals.to_dict("records") == [
        {"goal_id": "retention", "mean": 3.0, "ratings": 1, "unrated": 1}
    ]
    assert report.recommendations["label"].tolist() == ["Hire", "Hire", "Hire"]
    assert (report.status, report.decision, report.overrides, report.missing) == ("complete", None, (), ())


def test_zero_ratings_are_not_enough_information_never_a_low_score() -> None:
    only_zero = _report(_data(_tested("a"), _rated("a", 4) + _rated("a", 0, 0, competency="empathy")))
    competencies = only_zero.competencies.set_index("competency_id")
    assert pd.isna(competencies.loc["empathy", "mean"]) and competencies.loc["empathy", "unrated"] == 2
    assert only_zero.interview_mean == 4.0  # the unrated competency is not averaged in
    assert only_zero.status == "complete"

    nothing_rated = _report(_data(_tested("a"), _rated("a", 0, 0)))
    assert nothing_rated.interview_percent is None and nothing_rated.combined_score is None
    assert nothing_rated.missing == ("no competency rated above 0",)


def test_a_red_flag_means_do_not_hire_whatever_the_numbers() -> None:
    data = _data(
        _tested("a", 4, 4),
        _rated("a", 4, 4),
        recommendations=[
            ("a", "interview", "i1", 4, False, ""),
            ("a", "interview", "i2", 4, True, "Proud of misleading a client"),
        ],
    )
    report = _report(data)
    assert report.combined_score == 100.0  # the numbers are still shown ...
    assert report.decision == DO_NOT_HIRE  # ... and overridden
    assert report.overrides == ("red flag at interview by i2: Proud of misleading a client",)


def test_a_red_flag_overrides_an_incomplete_candidate_too() -> None:
    data = _data([("a", "comm", 0, 4, True)], _rated("a", 3), [("a", "interview", "i1", 2, True, "")])
    report = _report(data)
    assert report.status == "incomplete" and report.decision == DO_NOT_HIRE
    assert report.overrides == ("red flag at interview by i1: no note",)


def test_a_referees_red_flag_counts_though_a_reference_check_takes_no_recommendation() -> None:
    scorecards = _rated("a", 3) + _rated("a", 3, stage="references")
    recommendations = [
        ("a", "interview", "i1", 3, False, ""),
        ("a", "references", "i1", None, True, "Referee: left over falsified forecasts"),
    ]
    report = _report(_data(_tested("a"), scorecards, recommendations))
    assert report.decision == DO_NOT_HIRE
    assert report.overrides == ("red flag at references by i1: Referee: left over falsified forecasts",)
    labels = report.recommendations.set_index("stage_id")["label"]
    assert labels["interview"] == "Hire" and pd.isna(labels["references"])


@pytest.mark.parametrize(
    ("assessment", "scorecards", "rules", "missing"),
    [
        pytest.param([], _rated("a", 3), CampaignRules(), ("no assessment",), id="not tested"),
        pytest.param(
            [("a", "comm", 1, 12, True), ("a", "comm", 1, 12, True), ("a", "detail", 3, 4, False)],
            _rated("a", 3),
            CampaignRules(),
            ("2 answer(s) awaiting review",),
            id="written answers pending",
        ),
        pytest.param(_tested("a"), [], CampaignRules(), ("not interviewed",), id="not interviewed"),
        pytest.param(
            _tested("a"),
            _rated("a", 3, stage="screen"),
            CampaignRules(interview_stages=("screen", "panel")),
            ("no scorecard for stage panel",),
            id="a required stage not scored",
        ),
        pytest.param(
            _tested("a"),
            _rated("a", 3, competency="empathy"),
            CampaignRules(must_haves={"communication": 2}),
            ("must-have communication not rated yet",),
            id="must-have not rated",
        ),
        pytest.param(
            [("a", "comm", 0, 12, True)],
            [],
            CampaignRules(),
            ("1 answer(s) awaiting review", "not interviewed"),
            id="both parts missing",
        ),
    ],
)
def test_missing_parts_make_the_candidate_incomplete_never_zero(
    assessment: list[Row], scorecards: list[Row], rules: CampaignRules, missing: tuple[str, ...]
) -> None:
    report = _report(_data(assessment, scorecards, candidates=["a"]), rules=rules)
    assert report.status == "incomplete"
    assert report.missing == missing
    assert report.combined_score is None


def test_pending_review_hides_the_section_and_test_percent_but_not_the_final_sections() -> None:
    data = _data([("a", "comm", 1, 12, True), ("a", "detail", 3, 4, False)], _rated("a", 3))
    report = _report(data)
    assert report.sections.set_index("section_id")["percent"].to_dict() == pytest.approx(
        {"comm": float("nan"), "detail": 75.0}, nan_ok=True
    )
    assert report.test_percent is None and report.percentile is None


@pytest.mark.parametrize(
    ("totals", "percentiles"),
    [
        ([70], [50.0]),
        (
            [10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
            [5.0, 15.0, 25.0, 35.0, 45.0, 55.0, 65.0, 75.0, 85.0, 95.0],
        ),
        ([50, 50], [50.0, 50.0]),
        ([40, 60, 60, 80], [12.5, 50.0, 50.0, 87.5]),  # 60: (1 lower + 2 equal / 2) / 4
        ([0, 0, 0, 100], [37.5, 37.5, 37.5, 87.5]),
    ],
)
def test_percentile_counts_lower_totals_plus_half_the_ties(
    totals: list[int], percentiles: list[float]
) -> None:
    ids = [f"c{n:02d}" for n in range(len(totals))]
    assessment = [(c, "detail", total, 100, False) for c, total in zip(ids, totals, strict=True)]
    scores = score_campaign(_data(assessment, []), CampaignRules())
    assert scores.outcomes["percentile"].tolist() == percentiles


def test_percentile_leaves_out_candidates_without_a_final_total() -> None:
    assessment = [("a", "d", 1, 2, False), ("b", "d", 2, 2, False), ("c", "d", 0, 2, True)]
    outcomes = score_campaign(_data(assessment, []), CampaignRules()).outcomes
    assert outcomes["percentile"].tolist() == pytest.approx([25.0, 75.0, float("nan")], nan_ok=True)


def test_candidate_without_any_rows_is_listed_as_missing_everything() -> None:
    report = _report(_data(_tested("a"), _rated("a", 3), candidates=["a", "b"]), candidate="b")
    assert report.missing == ("no assessment", "not interviewed")
    assert report.sections.empty and report.competencies.empty and report.recommendations.empty


def test_unknown_candidate_is_an_error() -> None:
    scores = score_campaign(_data(_tested("a"), []), CampaignRules())
    with pytest.raises(ValueError, match="no candidate 'zz'"):
        candidate_report(scores, "zz")


def test_bad_frames_are_rejected_with_every_problem_named() -> None:
    data = _data(
        [("a", "detail", 5, 4, False), ("a", "detail", 1, 4, "maybe")],
        [("a", "s", "i1", "communication", 5), ("ghost", "s", "i1", "communication", 3)],
        recommendations=[("a", "s", "i1", 0, False, ""), ("a", "s", "i1", 3, False, "")],
        candidates=["a"],
    )
    with pytest.raises(FrameInvalid) as raised:
        score_campaign(data, CampaignRules())
    assert raised.value.problems == [
        "assessment: pending_review: 1 row(s) not true or false (first: 'maybe')",
        "assessment: points: 1 row(s) not a number from 0 to max_points (first: 5)",
        "scorecards: candidate_id: 1 row(s) not a candidate of the campaign (first: 'ghost')",
        "scorecards: rating: 1 row(s) not one of 0, 1, 2, 3, 4 (first: 5)",
        "recommendations: recommendation: 1 row(s) not one of 1, 2, 3, 4 (first: 0)",
        "recommendations: candidate_id: 1 row(s) not unique by candidate_id, stage_id, interviewer_id "
        "(first: 'a')",
    ]


def test_missing_columns_are_named() -> None:
    data = _data(_tested("a"), [])
    broken = CampaignData(data.candidates, data.assessment.drop(columns="max_points"), data.scorecards,
                          data.recommendations)  # fmt: skip
    with pytest.raises(FrameInvalid, match="assessment: missing column"):
        score_campaign(broken, CampaignRules())


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [(12.25, 1, 12.3), (12.24, 1, 12.2), (0.05, 1, 0.1), (2.675, 2, 2.68), (66.6666, 1, 66.7), (0.0, 1, 0.0)],
)
def test_round_half_up_rounds_ties_up_like_decimal(value: float, places: int, expected: float) -> None:
    # 2.675 is 2.67499999... as a float: round() gives 2.67, Decimal's ROUND_HALF_UP of "2.675" 2.68.
    assert round_half_up(pd.Series([value]), places).tolist() == [expected]
