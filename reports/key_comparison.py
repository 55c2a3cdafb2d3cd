"""SJT key comparison: an item's scores under the alternative keys its type supports.

SJT keys are judgement calls, so authors compare them on the data: for each key, the
item's mean and SD, its correlation with the rest of the test, and the test's alpha
with the item scored that way. A key whose scores track the rest of the test and raise
alpha is the better-supported one. Candidates missing any score are dropped (listwise),
as in item analysis; an unanswered item scores 0 under every key.

The keys are the author's and the consensus key a type builds (``ItemType.consensus``:
``sjt_most_least`` and ``sjt_rate`` say how), each scored by the type's own ``score``.
For most/least a +1/0 "dichotomous" rule is not offered: with the floor and ``other = 0``
it gives exactly the keyed scores divided by ``match``, so it could never tell the author
anything new. Consensus keys include each candidate's own answer, as is usual for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from items import registry
from items.bank import ItemVersion
from items.base import ConsensusKey, Schema
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


def _with_consensus(item: ItemVersion) -> ConsensusKey[Any, Any, Any]:
    consensus = item.item_type.consensus
    if consensus is None:
        raise ValueError(
            f"{item.item_id}: {item.type} items have no alternative keys; "
            f"types with them: {', '.join(KEY_TYPES)}"
        )
    return consensus


#: The item types with alternative keys to compare.
KEY_TYPES = tuple(name for name in registry.names() if registry.get(name).consensus is not None)


def consensus_key(item: ItemVersion, responses: Iterable[Schema]) -> Schema:
    """The key the candidates' answers agree on, as ``key_variant_scores`` uses it (to show authors).

    Raises ValueError for types without alternative keys.
    """
    consensus: Schema = _with_consensus(item).build(item.body, item.key, responses)
    return consensus


def key_variant_scores(item: ItemVersion, responses: Mapping[str, Schema | None]) -> pd.DataFrame:
    """The item's scores under the author's key and the consensus key, one row per candidate id.

    The author's key's column is named by the type (``keyed``, ``expert``); raises ValueError
    for types without alternative keys. Option order does not change these keys, so the
    unshuffled body is used; an unanswered item scores 0 under every key.
    """
    consensus = _with_consensus(item)
    body, score = item.body, item.item_type.score
    keys = {
        consensus.own: item.key,
        "consensus": consensus.build(body, item.key, (r for r in responses.values() if r is not None)),
    }
    rows = {
        candidate: {
            name: Decimal(0) if response is None else score(body, key, response).points
            for name, key in keys.items()
        }
        for candidate, response in responses.items()
    }
    return _frame(rows, list(keys))
