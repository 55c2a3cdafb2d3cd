"""Item analysis of one test form from its scored responses: what item authors keep or retire.

Input is the long table of ``reports.scored_responses`` (one row per candidate and item).

- **Missing scores.** A candidate without a score on an item (no row, or an empty score)
  is never counted as 0. They count in that item's n, facility and distractor counts for
  the items they have, but are dropped (listwise) from everything that needs the whole
  test: totals, mean, SD, alpha, SEM, discrimination, alpha if deleted and the
  upper/lower groups. ``dropped_candidates`` says how many.
- **Maximum.** An item's maximum is its ``max_score`` where given, else the highest
  score anyone got on it (a warning lists such items).
- **Facility** is the mean of score / maximum over the candidates with a score.
- **Discrimination** is the corrected item-rest correlation: Pearson r of the item's
  score with the total of the other items.
- **Alpha** is Cronbach's; it is labelled KR-20 when every score is 0 or 1 (the two are
  then equal). SEM = SD * sqrt(1 - alpha), with the sample SD (ddof=1) of the totals.
- A statistic the data cannot give (an item everyone scored the same on, a constant
  total, too few candidates or items) is None, with its reason under ``undefined``.
- **Distractors** are tabled for items with a ``response`` on at least one row.
- **Flags** (see ``FLAG_RULES``) are raised only with at least ``MIN_CANDIDATES_FOR_FLAGS``
  candidates behind the statistic (the item's n for facility, the complete candidates
  for the rest); below that a small-sample warning is given instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from reports.distractors import OptionChoice, ScoringGroups, distractor_table, scoring_groups
from reports.reliability import (
    UndefinedStatistic,
    alpha_if_deleted,
    cronbach_alpha,
    is_constant,
    item_rest_correlation,
    standard_error_of_measurement,
)
from reports.scored_responses import ScoredResponsesInvalid, find_problems

MIN_CANDIDATES_FOR_FLAGS = 30
MIN_DISCRIMINATION = 0.2
MIN_FACILITY = 0.2
MAX_FACILITY = 0.9

FLAG_RULES = {
    "low_discrimination": f"discrimination below {MIN_DISCRIMINATION}",
    "no_variance": "every complete candidate scored the same on the item, so it tells no one apart",
    "too_hard": f"facility below {MIN_FACILITY}",
    "too_easy": f"facility above {MAX_FACILITY}",
    "lowers_reliability": "alpha if the item were deleted is higher than the test's alpha",
}


@dataclass(frozen=True)
class ItemStatistics:
    item_id: str
    n: int
    max_score: float
    mean: float
    facility: float
    discrimination: float | None
    alpha_if_deleted: float | None
    flags: tuple[str, ...]
    undefined: dict[str, str]
    distractors: tuple[OptionChoice, ...] | None


@dataclass(frozen=True)
class FormStatistics:
    """The test form as a whole, over the complete candidates (``n``)."""

    n: int
    items: int
    mean: float | None
    sd: float | None
    alpha: float | None
    alpha_kind: str
    sem: float | None
    dropped_candidates: int
    upper_group: int | None
    lower_group: int | None
    undefined: dict[str, str]
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class ItemAnalysis:
    test: FormStatistics
    items: tuple[ItemStatistics, ...]

    def as_json(self) -> dict[str, Any]:
        """Plain JSON data; undefined statistics are null, never NaN."""
        items = []
        for item in self.items:
            entry = asdict(item)
            entry["flags"] = list(item.flags)
            if item.distractors is None:
                del entry["distractors"]
            else:
                entry["distractors"] = {choice.pop("response"): choice for choice in entry["distractors"]}
            items.append(entry)
        test = asdict(self.test)
        test["warnings"] = list(self.test.warnings)
        return {"test": test, "items": items}


def _defined(compute: Callable[[], float], name: str, undefined: dict[str, str]) -> float | None:
    try:
        return compute()
    except UndefinedStatistic as exc:
        undefined[name] = str(exc)
        return None


def _max_scores(rows: pd.DataFrame) -> tuple[pd.Series, list[str]]:
    """Each item's maximum, and the items whose maximum had to be taken from the scores."""
    observed = rows.groupby("item_id", sort=False)["score"].max()
    if "max_score" not in rows.columns:
        return observed, list(observed.index)
    given = rows.groupby("item_id", sort=False)["max_score"].first()
    guessed = [str(item) for item in given.index[given.isna()]]
    return given.fillna(observed), guessed


def _is_dichotomous(rows: pd.DataFrame, max_scores: pd.Series) -> bool:
    return bool(rows["score"].isin([0.0, 1.0]).all() and (max_scores <= 1).all())


def _flags(
    facility: float,
    n: int,
    discrimination: float | None,
    no_variance: bool,
    if_deleted: float | None,
    alpha: float | None,
    complete: int,
) -> tuple[str, ...]:
    flags = []
    if complete >= MIN_CANDIDATES_FOR_FLAGS:
        if discrimination is not None and discrimination < MIN_DISCRIMINATION:
            flags.append("low_discrimination")
        if no_variance:
            flags.append("no_variance")
        if alpha is not None and if_deleted is not None and if_deleted > alpha:
            flags.append("lowers_reliability")
    if n >= MIN_CANDIDATES_FOR_FLAGS:
        if facility < MIN_FACILITY:
            flags.append("too_hard")
        if facility > MAX_FACILITY:
            flags.append("too_easy")
    return tuple(flags)


def analyze_items(scored: pd.DataFrame) -> ItemAnalysis:
    """Item and test statistics of a long frame of scored responses (see the module docstring).

    Raises ``ScoredResponsesInvalid`` when the frame breaks the rules of ``scored_responses``.
    """
    problems = find_problems(scored)
    if problems:
        raise ScoredResponsesInvalid(problems)
    warnings: list[str] = []
    rows = scored[scored["score"].notna()].astype({"candidate_id": str, "item_id": str})
    if "response" in rows.columns:
        rows = rows.assign(response=rows["response"].fillna("").astype(str))
    unscored = sorted(set(scored["item_id"].astype(str).unique()) - set(rows["item_id"].unique()))
    if unscored:
        warnings.append(f"Left out, having no scores at all: {', '.join(unscored)}.")
    item_ids = [str(item) for item in pd.unique(rows["item_id"])]
    max_scores, guessed = _max_scores(rows)
    if guessed:
        warnings.append(
            f"No max_score given for {', '.join(guessed)}: facility uses the highest score observed."
        )
    matrix = rows.pivot(index="candidate_id", columns="item_id", values="score").reindex(columns=item_ids)
    complete = matrix.dropna()
    candidates = scored["candidate_id"].astype(str).nunique()
    dropped = candidates - len(complete)
    if dropped:
        warnings.append(
            f"{dropped} candidate(s) lack a score on some item: they count in each item's n, facility "
            "and distractors, but not in totals, reliability, discrimination or the upper/lower groups."
        )
    form_undefined: dict[str, str] = {}
    totals = complete.sum(axis=1)
    alpha = _defined(lambda: cronbach_alpha(complete), "alpha", form_undefined)
    sd = float(totals.std(ddof=1)) if len(complete) >= 2 else None
    if sd is None:
        form_undefined["sd"] = f"needs at least 2 complete candidates, got {len(complete)}"
    sem = standard_error_of_measurement(sd, alpha) if sd is not None and alpha is not None else None
    groups: ScoringGroups | None = None
    if "response" in rows.columns:
        groups = _groups(totals, form_undefined)
    by_item = dict(list(rows.groupby("item_id", sort=False)))
    items = tuple(
        _item_statistics(item_id, by_item[item_id], complete, float(max_scores[item_id]), alpha, groups)
        for item_id in item_ids
    )
    warnings += _small_sample_warnings(len(complete), items)
    test = FormStatistics(
        n=len(complete),
        items=len(item_ids),
        mean=float(totals.mean()) if len(complete) else None,
        sd=sd,
        alpha=alpha,
        alpha_kind="kr20" if _is_dichotomous(rows, max_scores) else "cronbach",
        sem=sem,
        dropped_candidates=dropped,
        upper_group=len(groups.upper) if groups else None,
        lower_group=len(groups.lower) if groups else None,
        undefined=form_undefined,
        warnings=tuple(warnings),
    )
    return ItemAnalysis(test=test, items=items)


def _groups(totals: pd.Series, undefined: dict[str, str]) -> ScoringGroups | None:
    try:
        return scoring_groups(totals)
    except UndefinedStatistic as exc:
        undefined["groups"] = str(exc)
        return None


def _item_statistics(
    item_id: str,
    own: pd.DataFrame,
    complete: pd.DataFrame,
    max_score: float,
    alpha: float | None,
    groups: ScoringGroups | None,
) -> ItemStatistics:
    scores = own["score"]
    # A maximum of 0 is only ever observed (a given one is > 0): everyone scored 0 of it.
    facility = float((scores / max_score).mean()) if max_score > 0 else 0.0
    undefined: dict[str, str] = {}
    discrimination = _defined(lambda: item_rest_correlation(complete, item_id), "discrimination", undefined)
    if_deleted = _defined(lambda: alpha_if_deleted(complete, item_id), "alpha_if_deleted", undefined)
    distractors = None
    # A written or numeric item has no options: its responses column is left empty.
    if "response" in own.columns and (own["response"] != "").any():
        distractors = tuple(distractor_table(own.set_index("candidate_id")["response"], groups))
    no_variance = len(complete) >= 2 and is_constant(complete[item_id].to_numpy(dtype=float))
    return ItemStatistics(
        item_id=item_id,
        n=len(own),
        max_score=max_score,
        mean=float(scores.mean()),
        facility=facility,
        discrimination=discrimination,
        alpha_if_deleted=if_deleted,
        flags=_flags(facility, len(own), discrimination, no_variance, if_deleted, alpha, len(complete)),
        undefined=undefined,
        distractors=distractors,
    )


def _small_sample_warnings(complete: int, items: tuple[ItemStatistics, ...]) -> list[str]:
    warnings = []
    if complete < MIN_CANDIDATES_FOR_FLAGS:
        warnings.append(
            f"Small sample: {complete} complete candidate(s), fewer than {MIN_CANDIDATES_FOR_FLAGS}. "
            "Alpha, SEM and discrimination are rough, and no item is flagged on discrimination "
            "or reliability."
        )
    few = [f"{item.item_id} ({item.n})" for item in items if item.n < MIN_CANDIDATES_FOR_FLAGS]
    if few:
        warnings.append(
            f"Small sample: not flagged on facility, having fewer than {MIN_CANDIDATES_FOR_FLAGS} "
            f"candidates: {', '.join(few)}."
        )
    return warnings
