"""The candidate report: the campaign's candidate outcomes as frames, ranked by percentile.

Input is a ``CampaignData`` (see ``reports.campaign_frames``). Every figure, status and
override is ``scoring.outcome.candidate_outcome``'s, per candidate: this module frames them.
Numbers become floats; NaN (None on ``CandidateReport``) means "not available yet" and is
never read as 0. A section's percent is shown once final (none of its items awaits review).

Percentile: among candidates with a final test percent, 100 x (number strictly lower + half
the number equal, the candidate included) / number of such candidates, one decimal. A lone
candidate is at 50; the best of ten distinct totals at 95.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from kits.model import RECOMMENDATIONS
from reports.campaign_frames import POINT_PLACES, RATINGS, CampaignData, prepared
from scoring.outcome import CampaignRules, RedFlag, candidate_outcome, interview_figures
from scoring.scorecards import RatingSummary, summarise_ratings
from scoring.totals import ItemPoints, grouped_section_totals


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
    """Decimal's ROUND_HALF_UP on non-negative floats, for the campaign's own statistics.

    The nudge keeps a tie that float arithmetic left a hair low (12.2499999...) going up.
    """
    scale = 10.0**places
    return (values.astype(float) * scale + 0.5 + 1e-9) // 1 / scale


def _number(value: Decimal | int | None) -> float:
    return math.nan if value is None else float(value)


def _per_candidate(frame: pd.DataFrame, ids: pd.Index, rows: list[Any]) -> list[list[Any]]:
    """``rows`` (one per row of ``frame``) split by candidate, in the order of ``ids``."""
    codes = ids.get_indexer(pd.Index(frame["candidate_id"]))
    if (np.diff(codes) >= 0).all():
        ordered = rows
    else:
        order = np.argsort(codes, kind="stable")
        codes, ordered = codes[order], list(map(rows.__getitem__, order.tolist()))
    bounds = np.searchsorted(codes, np.arange(len(ids) + 1)).tolist()
    return [ordered[start:end] for start, end in zip(bounds, bounds[1:], strict=False)]


def _item_points(assessment: pd.DataFrame) -> tuple[pd.DataFrame, list[ItemPoints]]:
    """The item scores summed per candidate, section, maximum and review state, exactly.

    Points are summed as whole millionths (``campaign_frames.POINT_PLACES``): float sums
    could land a hair off a tie that scoring rounds.
    """
    scale = 10**POINT_PLACES
    keys = ["candidate_id", "section_id", "max_points", "pending_review"]
    millionths = np.rint(assessment["points"].to_numpy(dtype=float) * scale).astype(np.int64)
    grouped = (
        assessment[keys]
        .assign(points=millionths)
        .groupby(keys, sort=False)["points"]
        .agg(["size", "sum"])
        .reset_index()
    )
    tops = {top: Decimal(repr(top)) for top in grouped["max_points"].unique().tolist()}
    sums = {total: Decimal(total).scaleb(-POINT_PLACES) for total in grouped["sum"].unique().tolist()}
    groups: list[ItemPoints] = list(
        zip(
            grouped["section_id"].tolist(),
            grouped["max_points"].map(tops).tolist(),
            grouped["pending_review"].tolist(),
            grouped["size"].tolist(),
            grouped["sum"].map(sums).tolist(),
            strict=True,
        )
    )
    return grouped, groups


def _summary_figures(s: RatingSummary) -> tuple[float, int, int, float, float]:
    return _number(s.mean), s.ratings, s.unrated, _number(s.spread), _number(s.sd)


def _split(codes: np.ndarray, count: int, rows: list[Any]) -> list[list[Any]]:
    """``rows``, sorted by candidate code, split into one list per candidate."""
    bounds = np.searchsorted(codes, np.arange(count + 1)).tolist()
    return [rows[start:end] for start, end in zip(bounds, bounds[1:], strict=False)]


def _interviews(
    cards: pd.DataFrame, index: pd.Index
) -> tuple[pd.DataFrame, list[list[tuple[str, RatingSummary]]], list[list[str]]]:
    """The competencies' figures (candidate_id, competency_id, mean ...), and per candidate
    its (competency id, summary) pairs and the stages rated.

    A summary depends only on how many of each rating a competency got, and a campaign's
    thousands of candidates share few such patterns: each is summarised and framed once.
    """
    candidate = index.get_indexer(pd.Index(cards["candidate_id"]))
    competency_code, competency_ids = pd.factorize(cards["competency_id"])
    group_code, group_of = np.unique(candidate * len(competency_ids) + competency_code, return_inverse=True)
    levels = max(RATINGS) + 1
    counts = np.bincount(
        group_of.ravel() * levels + cards["rating"].to_numpy(), minlength=len(group_code) * levels
    ).reshape(len(group_code), levels)
    # One number per pattern: the counts as the digits of a number in base (most ratings + 1).
    base = int(counts.max(initial=0)) + 1
    _, first, pattern_of = np.unique(
        counts @ (base ** np.arange(levels)), return_index=True, return_inverse=True
    )
    summaries = [
        summarise_ratings(np.repeat(np.arange(levels), counts[row]).tolist()) for row in first.tolist()
    ]
    figures = pd.DataFrame.from_records(
        [_summary_figures(summary) for summary in summaries],
        columns=["mean", "ratings", "unrated", "spread", "sd"],
    )
    pattern_of = pattern_of.ravel()
    group_candidate = group_code // len(competency_ids)
    group_competency = competency_ids[group_code % len(competency_ids)]
    framed = pd.DataFrame({"candidate_id": index[group_candidate], "competency_id": group_competency}).join(
        figures.take(pattern_of).reset_index(drop=True)
    )
    pairs = list(zip(group_competency.tolist(), map(summaries.__getitem__, pattern_of.tolist()), strict=True))
    stage_code, stage_ids = pd.factorize(cards["stage_id"])
    stage_group = np.unique(candidate * len(stage_ids) + stage_code)
    stages = stage_ids[stage_group % len(stage_ids)].tolist()
    return (
        framed,
        _split(group_candidate, len(index), pairs),
        _split(stage_group // len(stage_ids), len(index), stages),
    )


def _red_flags(recommendations: pd.DataFrame) -> pd.DataFrame:
    flagged = recommendations[recommendations["red_flag"]]
    return flagged.assign(red_flag_note=flagged["red_flag_note"].fillna("").astype(str))


def _columns(frame: pd.DataFrame, *columns: str) -> list[tuple[Any, ...]]:
    return list(zip(*(frame[column].tolist() for column in columns), strict=True))


def score_campaign(data: CampaignData, rules: CampaignRules) -> CampaignScores:
    """Every candidate's outcome under the rules, framed; raises ``FrameInvalid`` on bad input."""
    data = prepared(data)
    index = pd.Index(data.candidates["candidate_id"], name="candidate_id")
    grouped, groups = _item_points(data.assessment)
    items: list[list[ItemPoints]] = _per_candidate(grouped, index, groups)
    rated, competencies, scored_stages = _interviews(data.scorecards, index)
    flagged = _red_flags(data.recommendations)
    red_flags: list[list[RedFlag]] = _per_candidate(
        flagged, index, _columns(flagged, "stage_id", "interviewer_id", "red_flag_note")
    )
    rows, sections = [], []
    for candidate, own_items, own_competencies, own_stages, own_flags in zip(
        index, items, competencies, scored_stages, red_flags, strict=True
    ):
        outcome = candidate_outcome(
            rules,
            grouped_section_totals(own_items),
            dict(own_competencies),
            own_stages,
            own_flags,
            data.labels,
        )
        rows.append(
            (
                _number(outcome.test_percent),
                _number(outcome.interview_mean),
                _number(outcome.interview_percent),
                _number(outcome.combined_score),
                outcome.status,
                outcome.decision,
                outcome.overrides,
                outcome.missing,
            )
        )
        sections += [
            (candidate, s.section_id, s.items, s.pending, _number(s.percent if s.is_complete else None))
            for s in outcome.sections
        ]
    columns = [
        "test_percent", "interview_mean", "interview_percent", "combined_score", "status", "decision",
        "overrides", "missing",
    ]  # fmt: skip
    figures = pd.DataFrame.from_records(rows, columns=columns, index=index)
    test_percent = figures["test_percent"]
    # Average rank - 0.5 is (strictly lower + half the ties, the candidate included).
    percentile = (test_percent.rank(method="average") - 0.5) / test_percent.notna().sum() * 100
    outcomes = figures.assign(
        name=data.candidates["name"].to_numpy(),
        email=data.candidates["email"].to_numpy(),
        percentile=round_half_up(percentile, 1),
    )[["name", "email", "test_percent", "percentile", *columns[1:]]]
    return CampaignScores(
        data,
        rules,
        outcomes,
        pd.DataFrame.from_records(
            sections, columns=["candidate_id", "section_id", "items", "pending", "percent"]
        ),
        rated,
    )


def _summaries(frame: pd.DataFrame, by: list[str], column: str) -> dict[tuple[Any, ...], RatingSummary]:
    """The ratings in ``column`` per group of ``by``, in the order groups first appear."""
    grouped: dict[tuple[Any, ...], list[int]] = {}
    for *key, rating in zip(*(frame[c] for c in by), frame[column].tolist(), strict=True):
        grouped.setdefault(tuple(key), []).append(rating)
    return {key: summarise_ratings(ratings) for key, ratings in grouped.items()}


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
    by_stage = _summaries(own_cards, ["stage_id", "competency_id"], "rating")
    stage_competencies = pd.DataFrame.from_records(
        [(stage, competency, _number(s.mean), s.ratings) for (stage, competency), s in by_stage.items()],
        columns=["stage_id", "competency_id", "mean", "ratings"],
    )
    interviewers = own_cards.groupby("stage_id", sort=False)["interviewer_id"].nunique()
    stages = pd.DataFrame.from_records(
        [
            (
                stage,
                count,
                _number(interview_figures(s for (at, _), s in by_stage.items() if at == stage)[0]),
            )
            for stage, count in interviewers.items()
        ],
        columns=["stage_id", "interviewers", "mean"],
    )
    columns = ["stage_id", "interviewer_id", "recommendation", "red_flag", "red_flag_note"]
    recommendations = _of(data.recommendations, candidate_id, columns)
    recommendations.insert(3, "label", recommendations["recommendation"].map(RECOMMENDATIONS))
    assert data.goals is not None  # prepared always gives a goals frame
    own_goals = data.goals[data.goals["candidate_id"] == candidate_id]
    goals = pd.DataFrame.from_records(
        [
            (goal, _number(s.mean), s.ratings, s.unrated)
            for (goal,), s in _summaries(own_goals, ["goal_id"], "likelihood").items()
        ],
        columns=["goal_id", "mean", "ratings", "unrated"],
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
        stages=stages,
        stage_competencies=stage_competencies,
        recommendations=recommendations,
        goals=goals,
    )
