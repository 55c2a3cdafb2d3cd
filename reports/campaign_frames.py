"""The campaign reports' input: tidy frames, each what one database query returns.

One row per recorded fact, no totals. Ids are compared as given: give them one type throughout.

``candidates``
    candidate_id, name, and optionally email: everyone in the campaign. Other frames may only
    name these ids.
``assessment``
    candidate_id, section_id, points, max_points, pending_review (bool): one row per item
    score of a finalized attempt. A pending item's ``points`` hold its automatic part only.
    Points have at most ``POINT_PLACES`` decimals (the database keeps three).
``scorecards``
    candidate_id, stage_id, interviewer_id, competency_id, rating: one row per rating on a
    submitted scorecard; rating 0 (not enough information) or 1-4.
``recommendations``
    candidate_id, stage_id, interviewer_id, recommendation (1-4; empty for a stage that takes
    none, such as a reference check), red_flag (bool), red_flag_note (text, empty without a
    flag): one row per submitted scorecard, so that a referee's red flag counts too.
``goals`` (optional)
    candidate_id, stage_id, interviewer_id, goal_id, likelihood: 0 or 1-4.

``labels`` (optional) names the section, stage, competency and goal ids for people: every
sentence, table and chart shows the name, and an id only where no name is known.

``prepared`` checks every frame at once and raises ``FrameInvalid`` listing each problem.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kits.model import LEVELS, NOT_ENOUGH_INFORMATION, InterviewKit

COLUMNS = {
    "candidates": ("candidate_id", "name"),
    "assessment": ("candidate_id", "section_id", "points", "max_points", "pending_review"),
    "scorecards": ("candidate_id", "stage_id", "interviewer_id", "competency_id", "rating"),
    "recommendations": (
        "candidate_id", "stage_id", "interviewer_id", "recommendation", "red_flag", "red_flag_note",
    ),
    "goals": ("candidate_id", "stage_id", "interviewer_id", "goal_id", "likelihood"),
}  # fmt: skip
RATINGS = (NOT_ENOUGH_INFORMATION, *LEVELS)
POINT_PLACES = 6
# Rows that would double-count one judgement.
UNIQUE = {
    "candidates": ("candidate_id",),
    "scorecards": ("candidate_id", "stage_id", "interviewer_id", "competency_id"),
    "recommendations": ("candidate_id", "stage_id", "interviewer_id"),
    "goals": ("candidate_id", "stage_id", "interviewer_id", "goal_id"),
}


class FrameInvalid(ValueError):
    """Every problem found in the input frames; nothing was computed."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Labels:
    """Display names of the ids the frames carry: section titles, stage titles, competency and goal names."""

    sections: Mapping[Hashable, str] = field(default_factory=dict)
    stages: Mapping[Hashable, str] = field(default_factory=dict)
    competencies: Mapping[Hashable, str] = field(default_factory=dict)
    goals: Mapping[Hashable, str] = field(default_factory=dict)

    @classmethod
    def from_kit(cls, kit: InterviewKit | None, sections: Mapping[Hashable, str] | None = None) -> Labels:
        """The kit's stage titles, competency and goal names (none without a kit), and these sections."""
        return cls(
            sections=sections or {},
            stages={stage.id: stage.title for stage in kit.stages} if kit else {},
            competencies={competency.id: competency.name for competency in kit.competencies} if kit else {},
            goals={goal.id: goal.name for goal in kit.goals} if kit else {},
        )

    def section(self, section_id: Hashable) -> str:
        return self.sections.get(section_id, str(section_id))

    def stage(self, stage_id: Hashable) -> str:
        return self.stages.get(stage_id, str(stage_id))

    def competency(self, competency_id: Hashable) -> str:
        return self.competencies.get(competency_id, str(competency_id))

    def goal(self, goal_id: Hashable) -> str:
        return self.goals.get(goal_id, str(goal_id))


@dataclass(frozen=True)
class CampaignData:
    candidates: pd.DataFrame
    assessment: pd.DataFrame
    scorecards: pd.DataFrame
    recommendations: pd.DataFrame
    goals: pd.DataFrame | None = None
    labels: Labels = field(default_factory=Labels)


def _problems(name: str, frame: pd.DataFrame, known: pd.Series | None) -> list[str]:
    missing = [column for column in COLUMNS[name] if column not in frame.columns]
    if missing:
        return [f"{name}: missing column(s) {', '.join(missing)}"]
    problems = []

    def check(column: str, bad: pd.Series, expected: str) -> None:
        if bad.any():
            first = frame.loc[bad, column].tolist()[0]
            problems.append(f"{name}: {column}: {int(bad.sum())} row(s) not {expected} (first: {first!r})")

    if known is not None:
        check("candidate_id", ~frame["candidate_id"].isin(known), "a candidate of the campaign")
    for column, allowed in (("rating", RATINGS), ("likelihood", RATINGS), ("recommendation", LEVELS)):
        if column in COLUMNS[name]:
            bad = ~frame[column].isin(allowed)
            if column == "recommendation":
                bad &= frame[column].notna()
            check(column, bad, f"one of {', '.join(map(str, allowed))}")
    for column in ("pending_review", "red_flag"):
        if column in COLUMNS[name]:
            check(column, ~frame[column].isin([True, False]), "true or false")
    if name == "assessment":
        points, top = (pd.to_numeric(frame[c], errors="coerce") for c in ("points", "max_points"))
        check("max_points", ~(top >= 0), "a number of 0 or more")
        check("points", ~((points >= 0) & (points <= top.fillna(np.inf))), "a number from 0 to max_points")
        for column, values in (("points", points), ("max_points", top)):
            scaled = values * 10**POINT_PLACES
            check(
                column, (scaled - scaled.round()).abs() > 1e-6, f"a number of at most {POINT_PLACES} decimals"
            )
    if name in UNIQUE:
        check("candidate_id", frame.duplicated(list(UNIQUE[name])), f"unique by {', '.join(UNIQUE[name])}")
    return problems


def prepared(data: CampaignData) -> CampaignData:
    """The frames checked and typed; raises ``FrameInvalid`` listing every problem."""
    problems = _problems("candidates", data.candidates, None)
    known = data.candidates["candidate_id"] if not problems else None
    frames = {
        "assessment": data.assessment,
        "scorecards": data.scorecards,
        "recommendations": data.recommendations,
    }
    if data.goals is not None:
        frames["goals"] = data.goals
    for name, frame in frames.items():
        problems += _problems(name, frame, known)
    if problems:
        raise FrameInvalid(problems)
    goals = data.goals if data.goals is not None else pd.DataFrame(columns=list(COLUMNS["goals"]))
    candidates = data.candidates
    if "email" not in candidates.columns:
        candidates = candidates.assign(email="")
    return CampaignData(
        candidates=candidates.astype({"name": str, "email": str}),
        assessment=data.assessment.astype({"points": float, "max_points": float, "pending_review": bool}),
        scorecards=data.scorecards.astype({"rating": int}),
        recommendations=data.recommendations.astype({"recommendation": "Int64", "red_flag": bool}),
        goals=goals.astype({"likelihood": int}),
        labels=data.labels,
    )
