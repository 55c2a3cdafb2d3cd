"""Item analysis of every form from the scores of finalized attempts (reports.item_analysis),
and the SJT items' keys compared with the candidates' consensus (reports.key_comparison)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from assess.models import Answer, Attempt, AttemptItem, ItemScore, StoredItemVersion
from assess.services.catalogue import pinned_item
from items.bank import ItemVersion
from items.base import ResponseError, Schema
from reports.item_analysis import ItemAnalysis, ItemStatistics, analyze_items
from reports.key_comparison import KEY_TYPES, KeyComparison, compare_keys, consensus_key, key_variant_scores
from reports.scored_responses import ScoredResponsesInvalid
from scoring.items import parse_response


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


@dataclass(frozen=True)
class ItemKeyComparison:
    """One SJT item version on one form: its key, the candidates' consensus key, and both compared."""

    form_id: str
    item: ItemVersion
    #: Finished attempts that showed this version; ``unreadable`` of them saved an answer that no
    #: longer fits the item and are left out.
    attempts: int
    unreadable: int
    #: key name ("keyed" or "expert", then "consensus") -> the key.
    keys: dict[str, Schema]
    comparisons: list[KeyComparison]

    @property
    def agrees(self) -> bool:
        """True when the consensus key is the author's key, so both score every answer alike."""
        first, consensus = self.keys.values()
        return first == consensus

    @property
    def verdict(self) -> str:
        """In words, which key the data supports better; the page and the command both say this."""
        if self.agrees:
            return "The candidates' consensus is the key: both score every answer alike."
        keyed, consensus = self.comparisons
        if keyed.rest_correlation is None or consensus.rest_correlation is None:
            return "Too few complete answers to compare the keys."
        numbers = f"r = {consensus.rest_correlation:.2f} against {keyed.rest_correlation:.2f}"
        if keyed.alpha is not None and consensus.alpha is not None:
            numbers += f"; alpha {consensus.alpha:.2f} against {keyed.alpha:.2f}"
        if consensus.rest_correlation > keyed.rest_correlation:
            return (
                f"Scored by the consensus key, the item agrees more with the rest of the test ({numbers}): "
                "review the key with the experts who wrote it."
            )
        return (
            "The author's key agrees with the rest of the test at least as well as the consensus "
            f"({numbers}): the data gives no reason to change it."
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "form_id": self.form_id,
            "item_id": self.item.item_id,
            "version": self.item.version,
            "type": self.item.type,
            "title": self.item.title,
            "attempts": self.attempts,
            "unreadable": self.unreadable,
            "agrees": self.agrees,
            "verdict": self.verdict,
            "keys": {name: key.model_dump(mode="json") for name, key in self.keys.items()},
            "comparisons": [asdict(comparison) for comparison in self.comparisons],
        }


def key_comparisons(session: Session) -> list[ItemKeyComparison]:
    """Every SJT item version of every form with finished attempts, by form and item id.

    The rest of the test is every other item's score as the statistics page reads it
    (``scored_responses``), so a candidate missing any of them is dropped from the
    correlations and alphas, exactly as in the item analysis.
    """
    rows = session.execute(
        select(Attempt.form_id, Attempt.id, AttemptItem.item_id, AttemptItem.version, Answer.response)
        .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
        .join(
            StoredItemVersion,
            and_(
                StoredItemVersion.item_id == AttemptItem.item_id,
                StoredItemVersion.version == AttemptItem.version,
            ),
        )
        .outerjoin(
            Answer, and_(Answer.attempt_id == AttemptItem.attempt_id, Answer.position == AttemptItem.position)
        )
        .where(Attempt.finalized_at.is_not(None), StoredItemVersion.type.in_(KEY_TYPES))
        .order_by(Attempt.form_id, AttemptItem.item_id, Attempt.id)
    ).all()
    if not rows:
        return []
    answers: dict[tuple[str, str, str], dict[str, dict[str, Any] | None]] = defaultdict(dict)
    for form_id, attempt_id, item_id, version, response in rows:
        answers[(form_id, item_id, version)][str(attempt_id)] = response
    scores = scored_responses(session)
    compared = []
    for (form_id, item_id, version), stored in answers.items():
        item = pinned_item(session, item_id, version)
        rest = scores[(scores["form_id"] == form_id) & (scores["item_id"] != item_id)]
        others = rest.pivot(index="candidate_id", columns="item_id", values="score")
        compared.append(_compare_item(form_id, item, stored, others))
    return compared


def _compare_item(
    form_id: str, item: ItemVersion, stored: dict[str, dict[str, Any] | None], others: pd.DataFrame
) -> ItemKeyComparison:
    responses: dict[str, Schema | None] = {}
    for candidate, data in stored.items():
        try:
            responses[candidate] = parse_response(item, data)
        except ResponseError:
            continue  # graded as "a reviewer must look at it": it has no score under any key
    given = [response for response in responses.values() if response is not None]
    scores = key_variant_scores(item, responses)
    first = str(scores.columns[0])
    return ItemKeyComparison(
        form_id=form_id,
        item=item,
        attempts=len(stored),
        unreadable=len(stored) - len(responses),
        keys={first: item.key, "consensus": consensus_key(item, given)},
        comparisons=compare_keys(scores, others),
    )
