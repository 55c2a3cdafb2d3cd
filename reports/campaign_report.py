"""The campaign report: the ranking, the section profile and the funnel of one campaign.

Input is the ``CampaignData`` of ``reports.campaign_frames``, a status frame for the funnel:
candidate_id and one boolean column per stage of ``FUNNEL_STAGES`` (did the candidate reach
it: invited, started the test, finished it, graded, written answers reviewed, interviewed,
decided), each stage counting its own column (a candidate may skip one: nothing to review);
and optionally the hiring decisions the team recorded (``DECISION_COLUMNS``: the decision's
words, who took it, when), shown beside the overrides, which are the rules' own verdicts, and
the integrity tier's label per candidate id (``integrity.tiers``): a column of its own, never
part of any score or of the order; a candidate not assessed yet has none.

Ranking order: first the candidates a team can compare (complete, no override) by combined
score, best first, ranked 1, 2, 2, 4 on ties; then the incomplete ones, by test percent; last
the overridden ones ("do not hire", "unsuitable"), which get no rank whatever their numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from reports.campaign_frames import FrameInvalid, Labels
from reports.candidate_report import CampaignScores, round_half_up
from reports.charts import Chart, score_distribution_chart, section_profile_chart
from scoring.outcome import CampaignRules

FUNNEL_STAGES = ("invited", "started", "finished", "graded", "reviewed", "interviewed", "decided")
DECISION_COLUMNS = ("candidate_id", "decision", "decided_by", "decided_at")
RANKING_COLUMNS = (
    "rank", "candidate_id", "name", "email", "combined_score", "test_percent", "percentile",
    "interview_percent", "status", "decision", "decided_by", "decided_at", "override", "overrides",
    "missing", "integrity_tier",
)  # fmt: skip
#: Columns that hold ids: the CSV keeps candidate_id for joining; people's exports show names.
ID_COLUMNS = ("candidate_id", "section_id")
#: Headings for people (XLSX, print); the CSV keeps the column names. Every figure is a percent.
LABELS = {
    "rank": "Rank",
    "candidate_id": "Candidate id",
    "name": "Candidate",
    "email": "Email",
    "combined_score": "Combined %",
    "test_percent": "Test %",
    "percentile": "Test percentile",
    "interview_percent": "Interview %",
    "status": "Status",
    "decision": "Decision",
    "decided_by": "Decided by",
    "decided_at": "Decided (UTC)",
    "override": "Override",
    "overrides": "Override reasons",
    "missing": "Missing",
    "integrity_tier": "Integrity tier",
    "section": "Section",
    "section_id": "Section id",
    "candidates": "Candidates",
    "mean": "Mean %",
    "median": "Median %",
    "min": "Lowest %",
    "max": "Highest %",
    "items": "Items",
    "pending": "Awaiting review",
    "percent": "Percent",
    "stage": "Stage",
    "of_invited": "% of invited",
    "of_previous": "% of previous stage",
}


@dataclass(frozen=True)
class CampaignReport:
    """Report frames of one campaign; ``generated_at`` is printed on the exports.

    ``section_scores`` holds one row per candidate and section (the candidate report's
    ``sections``, with the section's title, candidate_id and name); ``section_summary`` one row
    per section (id and title) over the candidates whose section is final.
    """

    title: str
    generated_at: datetime
    rules: CampaignRules
    ranking: pd.DataFrame
    section_scores: pd.DataFrame
    section_summary: pd.DataFrame
    funnel: pd.DataFrame
    labels: Labels = field(default_factory=Labels)


def ranking_table(
    outcomes: pd.DataFrame, decisions: pd.DataFrame | None = None, tiers: Mapping[int, str] | None = None
) -> pd.DataFrame:
    """The ranking (see the module docstring) from ``CampaignScores.outcomes``, decisions and tiers.

    ``override`` is the rules' verdict ("do not hire", "unsuitable"); ``decision`` the team's.
    """
    if decisions is None:
        decisions = pd.DataFrame(columns=list(DECISION_COLUMNS))
    missing = [column for column in DECISION_COLUMNS if column not in decisions.columns]
    if missing:
        raise FrameInvalid([f"decisions: missing column(s) {', '.join(missing)}"])
    if decisions["candidate_id"].duplicated().any():
        raise FrameInvalid(["decisions: candidate_id: one decision in force per candidate"])
    table = outcomes.reset_index().rename(columns={"decision": "override"})
    recorded = decisions.set_index("candidate_id")
    for column in DECISION_COLUMNS[1:]:
        table[column] = table["candidate_id"].map(recorded[column]).astype(object)
    table["integrity_tier"] = table["candidate_id"].map(dict(tiers or {})).astype(object)
    overridden = table["override"].notna()
    comparable = (table["status"] == "complete") & ~overridden
    group = pd.Series(1, index=table.index).mask(comparable, 0).mask(overridden, 2)
    score = table["test_percent"].where(group == 1, table["combined_score"])
    ordered = table.assign(_group=group, _score=score).sort_values(
        ["_group", "_score", "name"], ascending=[True, False, True], na_position="last", kind="stable"
    )
    rank = ordered["combined_score"].where(comparable).rank(method="min", ascending=False)
    return ordered.assign(rank=rank.astype("Int64"))[list(RANKING_COLUMNS)].reset_index(drop=True)


def section_summary(section_scores: pd.DataFrame, labels: Labels | None = None) -> pd.DataFrame:
    """Per section (id and title): how many candidates have a final percent, its mean, median, range."""
    labels = labels or Labels()
    by = section_scores.groupby("section_id", sort=False)["percent"]
    summary = pd.DataFrame(
        {
            "candidates": by.count(),
            "mean": round_half_up(by.mean(), 1),
            "median": round_half_up(by.median(), 1),
            "min": by.min(),
            "max": by.max(),
        }
    )
    summary = summary.rename_axis("section_id").reset_index()
    summary.insert(1, "section", [labels.section(section) for section in summary["section_id"]])
    return summary


def funnel(statuses: pd.DataFrame) -> pd.DataFrame:
    """Candidates reaching each stage, as a share of the invited and of the stage before."""
    missing = [column for column in ("candidate_id", *FUNNEL_STAGES) if column not in statuses.columns]
    if missing:
        raise FrameInvalid([f"statuses: missing column(s) {', '.join(missing)}"])
    problems = [
        f"statuses: {stage}: {int((~statuses[stage].isin([True, False])).sum())} row(s) not true or false"
        for stage in FUNNEL_STAGES
        if not statuses[stage].isin([True, False]).all()
    ]
    if statuses["candidate_id"].duplicated().any():
        problems.append("statuses: candidate_id: not unique")
    if problems:
        raise FrameInvalid(problems)
    counts = pd.Series([int(statuses[stage].astype(bool).sum()) for stage in FUNNEL_STAGES], dtype=float)
    invited, previous = counts.iloc[0], counts.shift(1).fillna(counts.iloc[0])
    return pd.DataFrame(
        {
            "stage": FUNNEL_STAGES,
            "candidates": counts.astype(int),
            "of_invited": round_half_up(counts / invited * 100, 1) if invited else float("nan"),
            "of_previous": round_half_up(counts / previous.where(previous > 0) * 100, 1),
        }
    )


def campaign_report(
    title: str,
    scores: CampaignScores,
    statuses: pd.DataFrame,
    generated_at: datetime,
    decisions: pd.DataFrame | None = None,
    tiers: Mapping[int, str] | None = None,
) -> CampaignReport:
    """The campaign's report from its scores (``reports.candidate_report.score_campaign``)."""
    labels = scores.data.labels
    names = scores.outcomes["name"]
    section_scores = scores.sections.assign(
        name=scores.sections["candidate_id"].map(names),
        section=[labels.section(section) for section in scores.sections["section_id"]],
    )
    section_scores = section_scores[
        ["section_id", "section", "candidate_id", "name", "items", "pending", "percent"]
    ]
    return CampaignReport(
        title=title,
        generated_at=generated_at,
        rules=scores.rules,
        ranking=ranking_table(scores.outcomes, decisions, tiers),
        section_scores=section_scores,
        section_summary=section_summary(scores.sections, labels),
        funnel=funnel(statuses),
        labels=labels,
    )


def campaign_charts(report: CampaignReport) -> tuple[Chart, Chart]:
    """The score distribution and the section profile, as shown on the page and the print."""
    return (
        score_distribution_chart(report.ranking["test_percent"], report.ranking["combined_score"]),
        section_profile_chart(report.section_summary),
    )
