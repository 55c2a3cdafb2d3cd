"""SJT key comparison: an item's scores under the alternative keys its type supports.

SJT keys are judgement calls, so authors compare them on the data: for each key, the
item's mean and SD, its correlation with the rest of the test, and the test's alpha
with the item scored that way. A key whose scores track the rest of the test and raise
alpha is the better-supported one. Candidates missing any score are dropped (listwise),
as in item analysis; an unanswered item scores 0 under every key.

Keys per type:

- ``sjt_most_least``: ``keyed``, the expert's most and least picks, and ``consensus``, the
  candidates' most common most and least picks, both under the item's own rule (+1 for the
  keyed pick, -1 for the opposite extreme, 0 else, floored at 0). Ties go to the option
  listed first; if the most common least pick is the consensus most pick, the next most
  common least pick is used; where no candidate's pick fits, the expert's stays. A +1/0
  "dichotomous" rule is not offered: with the floor and ``other = 0`` it gives exactly the
  keyed scores divided by ``match``, so it could never tell the author anything new.
- ``sjt_rate``: ``expert``, distance to the expert ratings, and ``consensus``, distance to
  the candidates' most common rating of each option (ties: the mean of the tied ratings;
  an option nobody rated keeps the expert rating).

Consensus keys include each candidate's own answer, as is usual for them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from items.bank import ItemVersion
from items.base import Schema
from items.types import sjt_most_least, sjt_rate
from reports.reliability import UndefinedStatistic, Values, correlation, cronbach_alpha


@dataclass(frozen=True)
class KeyComparison:
    """One key's scores for one item; ``alpha`` is the test's alpha with the item scored by it."""

    key: str
    n: int
    mean: float | None
    sd: float | None
    rest_correlation: float | None
    alpha: float | None
    undefined: dict[str, str]


def compare_keys(scores: pd.DataFrame, others: pd.DataFrame) -> list[KeyComparison]:
    """Compare the columns of ``scores`` (one per key) against the rest of the test.

    ``scores`` and ``others`` are indexed by candidate id; ``others`` has one column per
    other item of the test. Only candidates with every score in both are used.
    """
    candidates = scores.dropna().index.intersection(others.dropna().index)
    rest_items = others.loc[candidates].to_numpy(dtype=float)
    return [
        _compare(str(key), scores.loc[candidates, key].to_numpy(dtype=float), rest_items)
        for key in scores.columns
    ]


def _compare(key: str, item: Values, rest_items: Values) -> KeyComparison:
    undefined: dict[str, str] = {}
    rest = rest_items.sum(axis=1)
    try:
        rest_correlation: float | None = correlation(item, rest, f"the {key} key", "the rest of the test")
    except UndefinedStatistic as exc:
        rest_correlation, undefined["rest_correlation"] = None, str(exc)
    try:
        alpha: float | None = cronbach_alpha(pd.DataFrame(np.column_stack([rest_items, item])))
    except UndefinedStatistic as exc:
        alpha, undefined["alpha"] = None, str(exc)
    return KeyComparison(
        key=key,
        n=len(item),
        mean=float(item.mean()) if len(item) else None,
        sd=float(item.std(ddof=1)) if len(item) >= 2 else None,
        rest_correlation=rest_correlation,
        alpha=alpha,
        undefined=undefined,
    )


def _frame(rows: dict[str, dict[str, Decimal]], columns: list[str]) -> pd.DataFrame:
    """Scores as floats: statistics need floats, and the Decimal points are exact in binary halves."""
    return pd.DataFrame(
        [[float(keys[column]) for column in columns] for keys in rows.values()],
        index=pd.Index(list(rows), name="candidate_id", dtype=object),
        columns=columns,
        dtype=float,
    )


def most_least_consensus_key(
    body: sjt_most_least.Body, key: sjt_most_least.Key, responses: Iterable[sjt_most_least.Response]
) -> sjt_most_least.Key:
    """The candidates' most common most and least picks, under the item's rule."""
    order = [option.id for option in body.options]
    most_counts: Counter[str] = Counter()
    least_counts: Counter[str] = Counter()
    for response in responses:
        most_counts.update([response.most] if response.most in order else [])
        least_counts.update([response.least] if response.least in order else [])

    def ranked(counts: Counter[str]) -> list[str]:
        return sorted(counts, key=lambda option: (-counts[option], order.index(option)))

    most = next(iter(ranked(most_counts)), key.most)
    least = next((option for option in ranked(least_counts) if option != most), None)
    if least is None:
        least = key.least if key.least != most else key.most
    return key.model_copy(update={"most": most, "least": least})


def most_least_scores(
    body: sjt_most_least.Body,
    key: sjt_most_least.Key,
    responses: Mapping[str, sjt_most_least.Response | None],
) -> pd.DataFrame:
    """Columns ``keyed`` and ``consensus``, one row per candidate id."""
    consensus = most_least_consensus_key(body, key, (r for r in responses.values() if r is not None))
    rows = {}
    for candidate, response in responses.items():
        rows[candidate] = {
            name: Decimal(0) if response is None else sjt_most_least.score(body, variant, response).points
            for name, variant in (("keyed", key), ("consensus", consensus))
        }
    return _frame(rows, ["keyed", "consensus"])


def rate_consensus_key(
    body: sjt_rate.Body, key: sjt_rate.Key, responses: Iterable[sjt_rate.Response]
) -> sjt_rate.Key:
    """Per option the candidates' most common rating (see the module docstring for ties)."""
    counts: dict[str, Counter[int]] = {option.id: Counter() for option in body.options}
    for response in responses:
        for option_id, rating in response.ratings.items():
            if option_id in counts:  # an unknown option is refused when the response is scored
                counts[option_id][rating] += 1
    ratings = {}
    for option_id, counted in counts.items():
        if not counted:
            ratings[option_id] = key.ratings[option_id]
            continue
        top = max(counted.values())
        modes = [rating for rating, count in counted.items() if count == top]
        ratings[option_id] = Decimal(sum(modes)) / len(modes)
    return sjt_rate.Key(ratings=ratings)


def rate_scores(
    body: sjt_rate.Body, key: sjt_rate.Key, responses: Mapping[str, sjt_rate.Response | None]
) -> pd.DataFrame:
    """Columns ``expert`` and ``consensus``, one row per candidate id."""
    consensus = rate_consensus_key(body, key, (r for r in responses.values() if r is not None))
    rows = {}
    for candidate, response in responses.items():
        rows[candidate] = {
            name: Decimal(0) if response is None else sjt_rate.score(body, variant, response).points
            for name, variant in (("expert", key), ("consensus", consensus))
        }
    return _frame(rows, ["expert", "consensus"])


_SCORINGS: dict[str, Callable[[Any, Any, Mapping[str, Any]], pd.DataFrame]] = {
    "sjt_most_least": most_least_scores,
    "sjt_rate": rate_scores,
}


_CONSENSUS: dict[str, Callable[[Any, Any, Iterable[Any]], Schema]] = {
    "sjt_most_least": most_least_consensus_key,
    "sjt_rate": rate_consensus_key,
}

#: The item types with alternative keys to compare.
KEY_TYPES = tuple(_SCORINGS)


def consensus_key(item: ItemVersion, responses: Iterable[Schema]) -> Schema:
    """The key the candidates' answers agree on, as ``key_variant_scores`` uses it (to show authors).

    Raises ValueError for types without alternative keys.
    """
    consensus = _CONSENSUS.get(item.type)
    if consensus is None:
        raise ValueError(f"{item.item_id}: {item.type} items have no consensus key")
    return consensus(item.body, item.key, responses)


def key_variant_scores(item: ItemVersion, responses: Mapping[str, Schema | None]) -> pd.DataFrame:
    """The item's scores under every key its type supports; raises ValueError for other types.

    Option order does not change these keys, so the unshuffled body is used.
    """
    scoring = _SCORINGS.get(item.type)
    if scoring is None:
        raise ValueError(
            f"{item.item_id}: {item.type} items have no alternative keys; "
            f"types with them: {', '.join(_SCORINGS)}"
        )
    return scoring(item.body, item.key, responses)
