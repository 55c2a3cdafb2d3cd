"""The candidate report: test sections, interviews, the combined score and the overrides.

Input is a ``CampaignData`` (see ``reports.campaign_frames``).

Rules. Numbers are floats rounded half up; NaN (None on ``CandidateReport``) means "not
available yet" and is never read as 0.

- Section percent: mean over the section's items of points / max_points (items count
  equally) x 100, one decimal. Test percent: mean of the section percents (sections count
  equally), as ``scoring.totals``. Either is NaN while any of its items awaits review.
- Percentile: among candidates with a test percent, 100 x (number strictly lower + half the
  number equal, the candidate included) / number of such candidates. A lone candidate is at
  50; the best of ten distinct totals at 95.
- Competency mean: mean of its 1-4 ratings over every stage and interviewer, two decimals
  (as ``scoring.scorecards``). 0 is left out of this and every other average and spread: a
  competency rated only 0 has no mean, never a low one. Spread: highest minus lowest rating,
  and their population SD (ddof=0: these raters, not a sample of raters).
- Interview mean: mean of the two-decimal competency means shown (competencies count
  equally; anyone can check it from the report). Interview percent maps it from 1-4 onto
  0-100 as (mean - 1) / 3 x 100: 1 -> 0, 2.5 -> 50, 4 -> 100.
- Combined score: (assessment weight x test percent + interview weight x interview percent)
  / (sum of weights); 40/60 by default (seed 003).
- Incomplete: no assessment, answers awaiting review, not interviewed (no scorecard for a
  stage of ``interview_stages``, or for any stage when that is empty), no competency rated
  above 0, or a must-have nobody rated. An incomplete candidate has no combined score: it is
  never computed with zeros.
- Overrides (seed 003) hold whatever the numbers, complete or not: any red flag -> decision
  "do not hire"; a must-have whose competency mean is below its minimum -> "unsuitable".
  A red flag wins when both hold. Without an override the decision is None: people decide.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from kits.model import LEVELS, NOT_ENOUGH_INFORMATION, RECOMMENDATIONS, InterviewKit
from reports.campaign_frames import CampaignData, Labels, prepared

DO_NOT_HIRE = "do not hire"
UNSUITABLE = "unsuitable"
COMPLETE = "complete"
INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class CampaignRules:
    """How a campaign combines and overrides; ``must_haves`` maps competency_id -> minimum 1-4."""

    assessment_weight: Decimal = Decimal(40)
    interview_weight: Decimal = Decimal(60)
    must_haves: Mapping[str, int] = field(default_factory=dict)
    interview_stages: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if min(self.assessment_weight, self.interview_weight) < 0:
            raise ValueError("weights are 0 or more")
        if self.assessment_weight + self.interview_weight <= 0:
            raise ValueError("the weights must add up to more than 0")
        for competency, minimum in self.must_haves.items():
            if minimum not in LEVELS:
                raise ValueError(f"must-have {competency!r}: a minimum is 1-4, got {minimum!r}")

    @classmethod
    def from_kit(
        cls,
        kit: InterviewKit,
        assessment_weight: Decimal = Decimal(40),
        interview_weight: Decimal = Decimal(60),
    ) -> CampaignRules:
        """The kit's must-haves; every stage not marked optional must be scored."""
        return cls(
            assessment_weight=assessment_weight,
            interview_weight=interview_weight,
            must_haves={must_have.competency: must_have.minimum for must_have in kit.must_haves},
            interview_stages=tuple(stage.id for stage in kit.stages if not stage.optional),
        )


@dataclass(frozen=True)
class CampaignScores:
    """Everything the reports show, computed once for the whole campaign.

    ``outcomes``, indexed by candidate_id in the order of ``data.candidates``: name, email,
    test_percent, percentile, interview_mean, interview_percent, combined_score, status,
    decision, overrides and missing (tuples of sentences). ``sections``: candidate_id,
    section_id, items, pending, percent. ``competencies``: candidate_id, competency_id, mean,
    ratings (1-4 ones), unrated (0s), spread, sd.
    """

    data: CampaignData
    rules: CampaignRules
    outcomes: pd.DataFrame
    sections: pd.DataFrame
    competencies: pd.DataFrame


@dataclass(frozen=True)
class CandidateReport:
    candidate_id: Hashable
    name: str
    status: str
    decision: str | None
    overrides: tuple[str, ...]
    missing: tuple[str, ...]
    test_percent: float | None
    percentile: float | None
    interview_mean: float | None
    interview_percent: float | None
    combined_score: float | None
    sections: pd.DataFrame  # section_id, items, pending, percent
    competencies: pd.DataFrame  # competency_id, mean, ratings, unrated, spread, sd
    stages: pd.DataFrame  # stage_id, interviewers, mean
    stage_competencies: pd.DataFrame  # stage_id, competency_id, mean, ratings
    recommendations: pd.DataFrame  # stage_id, interviewer_id, recommendation, label, red_flag, red_flag_note
    goals: pd.DataFrame  # goal_id, mean, ratings, unrated


def round_half_up(values: pd.Series, places: int) -> pd.Series:
    """Decimal's ROUND_HALF_UP on non-negative floats, as ``scoring.totals`` rounds.

    The nudge keeps a tie that float arithmetic left a hair low (12.2499999...) going up.
    """
    scale = 10.0**places
    return (values.astype(float) * scale + 0.5 + 1e-9) // 1 / scale


def _section_scores(assessment: pd.DataFrame) -> pd.DataFrame:
    top = assessment["max_points"]
    rows = assessment.assign(proportion=(assessment["points"] / top.where(top > 0)).fillna(0.0))
    by = rows.groupby(["candidate_id", "section_id"], sort=False)
    scores = by.agg(
        items=("proportion", "size"), pending=("pending_review", "sum"), mean=("proportion", "mean")
    )
    percent = round_half_up(scores["mean"] * 100, 1).where(scores["pending"] == 0)
    return scores[["items", "pending"]].assign(percent=percent).reset_index()


def _test_totals(sections: pd.DataFrame) -> pd.DataFrame:
    by = sections.groupby("candidate_id", sort=False)
    pending = by["pending"].sum()
    # Section percents have one decimal, so their mean is rounded exactly in whole tenths:
    # a float mean can land a hair below a tie that scoring.totals' Decimal rounds up.
    tenths = (sections["percent"] * 10).round().groupby(sections["candidate_id"], sort=False)
    total, count = tenths.sum(), tenths.count()
    percent = (((2 * total + count) // (2 * count)) / 10).where((pending == 0) & (count > 0))
    # Average rank - 0.5 is (strictly lower + half the ties, the candidate included).
    percentile = (percent.rank(method="average") - 0.5) / percent.notna().sum() * 100
    return pd.DataFrame(
        {"test_percent": percent, "percentile": round_half_up(percentile, 1), "pending": pending}
    )


def _rating_statistics(scorecards: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Mean, count, range and SD of the 1-4 ratings per group; 0s are only counted as unrated."""
    rated = scorecards["rating"].where(scorecards["rating"] != NOT_ENOUGH_INFORMATION)
    grouped = scorecards[by].assign(rating=rated).groupby(by, sort=False)["rating"]
    statistics = grouped.agg(["mean", "count", "size", "min", "max"])
    return pd.DataFrame(
        {
            "mean": round_half_up(statistics["mean"], 2),
            "ratings": statistics["count"],
            "unrated": statistics["size"] - statistics["count"],
            "spread": statistics["max"] - statistics["min"],
            "sd": round_half_up(grouped.std(ddof=0), 2),
        }
    ).reset_index()


def _joined(sentences: dict[Hashable, list[str]], index: pd.Index) -> pd.Series:
    return pd.Series([tuple(sentences.get(key, ())) for key in index], index=index, dtype=object)


def _must_have_checks(
    rules: CampaignRules, competencies: pd.DataFrame, interviewed: pd.Index, index: pd.Index, labels: Labels
) -> tuple[dict[Hashable, list[str]], dict[Hashable, list[str]]]:
    """Failed must-haves (overrides) and unrated ones (missing), per candidate."""
    failures: dict[Hashable, list[str]] = {}
    unrated: dict[Hashable, list[str]] = {}
    for competency, minimum in rules.must_haves.items():
        rows = competencies[competencies["competency_id"] == competency]
        mean = rows.set_index("candidate_id")["mean"].reindex(index)
        name = labels.competency(competency)
        for candidate in mean.index[mean < minimum]:
            failures.setdefault(candidate, []).append(
                f"must-have {name} rated {mean[candidate]:.2f}, below its minimum of {minimum}"
            )
        for candidate in mean.index[mean.isna() & mean.index.isin(interviewed)]:
            unrated.setdefault(candidate, []).append(f"must-have {name} not rated yet")
    return failures, unrated


def _interview_gaps(
    rules: CampaignRules, scorecards: pd.DataFrame, interviewed: pd.Index, index: pd.Index, labels: Labels
) -> dict[Hashable, list[str]]:
    gaps: dict[Hashable, list[str]] = {}
    for candidate in index.difference(interviewed, sort=False):
        gaps[candidate] = ["not interviewed"]
    for stage in rules.interview_stages:
        scored = scorecards.loc[scorecards["stage_id"] == stage, "candidate_id"].unique()
        for candidate in interviewed.difference(pd.Index(scored), sort=False):
            gaps.setdefault(candidate, []).append(f"no scorecard for stage {labels.stage(stage)}")
    return gaps


def _red_flags(recommendations: pd.DataFrame, labels: Labels) -> dict[Hashable, list[str]]:
    flags: dict[Hashable, list[str]] = {}
    for row in recommendations[recommendations["red_flag"]].itertuples(index=False):
        note = str(row.red_flag_note or "").strip() or "no note"
        flags.setdefault(row.candidate_id, []).append(
            f"red flag at {labels.stage(row.stage_id)} by {row.interviewer_id}: {note}"
        )
    return flags


def _missing(
    tests: pd.DataFrame, interview_mean: pd.Series, interviewed: pd.Index
) -> dict[Hashable, list[str]]:
    missing: dict[Hashable, list[str]] = {}
    for candidate in tests.index[tests["pending"].isna()]:
        missing.setdefault(candidate, []).append("no assessment")
    for candidate, pending in tests["pending"][tests["pending"] > 0].items():
        missing.setdefault(candidate, []).append(f"{int(pending)} answer(s) awaiting review")
    for candidate in interview_mean.index[interview_mean.isna() & interview_mean.index.isin(interviewed)]:
        missing.setdefault(candidate, []).append("no competency rated above 0")
    return missing


def score_campaign(data: CampaignData, rules: CampaignRules) -> CampaignScores:
    """Score every candidate of the campaign; raises ``FrameInvalid`` on bad input."""
    data = prepared(data)
    index = pd.Index(data.candidates["candidate_id"], name="candidate_id")
    sections = _section_scores(data.assessment)
    tests = _test_totals(sections).reindex(index)
    competencies = _rating_statistics(data.scorecards, ["candidate_id", "competency_id"])
    interview_mean = competencies.groupby("candidate_id", sort=False)["mean"].mean().reindex(index)
    interview_percent = round_half_up((interview_mean - 1) / 3 * 100, 1)
    interviewed = pd.Index(data.scorecards["candidate_id"].unique())
    missing = _missing(tests, interview_mean, interviewed)
    failures, unrated = _must_have_checks(rules, competencies, interviewed, index, data.labels)
    for sentences in (_interview_gaps(rules, data.scorecards, interviewed, index, data.labels), unrated):
        for candidate, found in sentences.items():
            missing.setdefault(candidate, []).extend(found)
    flags = _red_flags(data.recommendations, data.labels)
    weights = float(rules.assessment_weight), float(rules.interview_weight)
    combined = (weights[0] * tests["test_percent"] + weights[1] * interview_percent) / sum(weights)
    is_complete = ~index.isin(list(missing))
    decision = pd.Series(None, index=index, dtype=object)
    decision[index.isin(list(failures))] = UNSUITABLE
    decision[index.isin(list(flags))] = DO_NOT_HIRE
    outcomes = pd.DataFrame(
        {
            "name": data.candidates["name"].to_numpy(),
            "email": data.candidates["email"].to_numpy(),
            "test_percent": tests["test_percent"],
            "percentile": tests["percentile"],
            "interview_mean": round_half_up(interview_mean, 2),
            "interview_percent": interview_percent,
            "combined_score": round_half_up(combined, 1).where(is_complete),
            "status": np.where(is_complete, COMPLETE, INCOMPLETE),
            "decision": decision,
            "overrides": _joined({c: flags.get(c, []) + failures.get(c, []) for c in index}, index),
            "missing": _joined(missing, index),
        },
        index=index,
    )
    return CampaignScores(data, rules, outcomes, sections, competencies)


def _of(frame: pd.DataFrame, candidate_id: Hashable, columns: list[str]) -> pd.DataFrame:
    return frame.loc[frame["candidate_id"] == candidate_id, columns].reset_index(drop=True)


def _optional(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def candidate_report(scores: CampaignScores, candidate_id: Hashable) -> CandidateReport:
    """One candidate's report out of the campaign's scores (the percentile needs them all)."""
    if candidate_id not in scores.outcomes.index:
        raise ValueError(f"no candidate {candidate_id!r} in this campaign")
    outcome = scores.outcomes[scores.outcomes.index == candidate_id].iloc[0]
    data = scores.data
    own_cards = data.scorecards[data.scorecards["candidate_id"] == candidate_id]
    stage_competencies = _rating_statistics(own_cards, ["stage_id", "competency_id"])
    stage_competencies = stage_competencies[["stage_id", "competency_id", "mean", "ratings"]]
    by_stage = stage_competencies.groupby("stage_id", sort=False)["mean"].mean()
    stages = pd.DataFrame(
        {
            "interviewers": own_cards.groupby("stage_id", sort=False)["interviewer_id"].nunique(),
            "mean": round_half_up(by_stage, 2),
        }
    )
    columns = ["stage_id", "interviewer_id", "recommendation", "red_flag", "red_flag_note"]
    recommendations = _of(data.recommendations, candidate_id, columns)
    recommendations.insert(3, "label", recommendations["recommendation"].map(RECOMMENDATIONS))
    assert data.goals is not None  # prepared always gives a goals frame
    own_goals = data.goals[data.goals["candidate_id"] == candidate_id].rename(
        columns={"likelihood": "rating"}
    )
    return CandidateReport(
        candidate_id=candidate_id,
        name=str(outcome["name"]),
        status=str(outcome["status"]),
        decision=None if pd.isna(outcome["decision"]) else str(outcome["decision"]),
        overrides=outcome["overrides"],
        missing=outcome["missing"],
        test_percent=_optional(outcome["test_percent"]),
        percentile=_optional(outcome["percentile"]),
        interview_mean=_optional(outcome["interview_mean"]),
        interview_percent=_optional(outcome["interview_percent"]),
        combined_score=_optional(outcome["combined_score"]),
        sections=_of(scores.sections, candidate_id, ["section_id", "items", "pending", "percent"]),
        competencies=_of(
            scores.competencies, candidate_id, ["competency_id", "mean", "ratings", "unrated", "spread", "sd"]
        ),
        stages=stages.rename_axis("stage_id").reset_index(),
        stage_competencies=stage_competencies,
        recommendations=recommendations,
        goals=_rating_statistics(own_goals, ["goal_id"])[["goal_id", "mean", "ratings", "unrated"]],
    )
