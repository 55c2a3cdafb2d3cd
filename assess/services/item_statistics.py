"""Item analysis of every form from the scores of finalized attempts (reports.item_analysis)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from assess.models import Attempt, AttemptItem, ItemScore
from reports.item_analysis import ItemAnalysis, ItemStatistics, analyze_items
from reports.scored_responses import ScoredResponsesInvalid


@dataclass(frozen=True)
class FormAnalysis:
    """One form's analysis, or why there is none."""

    form_id: str
    attempts: int
    analysis: ItemAnalysis | None
    problem: str = ""


def scored_responses(session: Session) -> pd.DataFrame:
    """One row per finalized attempt and item: the long table ``analyze_items`` reads.

    ``candidate_id`` is the attempt. A score still waiting for a reviewer is missing, never 0.
    An item whose maximum changed between its versions is scored as a fraction of each
    version's maximum, so that every row of an item has the same maximum.
    """
    rows = session.execute(
        select(
            Attempt.form_id,
            Attempt.id,
            AttemptItem.item_id,
            ItemScore.points,
            ItemScore.max_points,
            ItemScore.pending_review,
        )
        .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
        .join(
            ItemScore,
            and_(ItemScore.attempt_id == AttemptItem.attempt_id, ItemScore.position == AttemptItem.position),
        )
        .where(Attempt.finalized_at.is_not(None))
        .order_by(Attempt.id, AttemptItem.position)
    ).all()
    frame = pd.DataFrame(
        [
            {
                "form_id": form_id,
                "candidate_id": str(attempt_id),
                "item_id": item_id,
                "score": float("nan") if pending else float(points),
                "max_score": float(max_points),
            }
            for form_id, attempt_id, item_id, points, max_points, pending in rows
        ],
        columns=["form_id", "candidate_id", "item_id", "score", "max_score"],
    )
    varies = frame.groupby("item_id")["max_score"].transform("nunique") > 1
    frame.loc[varies, "score"] = frame.loc[varies, "score"] / frame.loc[varies, "max_score"]
    frame.loc[varies, "max_score"] = 1.0
    return frame


def form_analyses(session: Session) -> dict[str, FormAnalysis]:
    """form id -> the analysis of its finalized attempts."""
    frame = scored_responses(session)
    analyses: dict[str, FormAnalysis] = {}
    for form_id, rows in frame.groupby("form_id", sort=True):
        attempts = rows["candidate_id"].nunique()
        scored = rows.drop(columns="form_id").reset_index(drop=True)
        try:
            analyses[str(form_id)] = FormAnalysis(str(form_id), attempts, analyze_items(scored))
        except ScoredResponsesInvalid as exc:
            analyses[str(form_id)] = FormAnalysis(str(form_id), attempts, None, str(exc))
    return analyses


def item_statistics(analyses: dict[str, FormAnalysis]) -> dict[str, list[tuple[str, ItemStatistics]]]:
    """item id -> (form id, its statistics on that form) for every form it was analysed in."""
    by_item: dict[str, list[tuple[str, ItemStatistics]]] = {}
    for form_id, form in sorted(analyses.items()):
        if form.analysis is None:
            continue
        for statistics in form.analysis.items:
            by_item.setdefault(statistics.item_id, []).append((form_id, statistics))
    return by_item
