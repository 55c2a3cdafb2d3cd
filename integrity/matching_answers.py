"""Identical answers on auto-scored items, weighed by how rarely other candidates gave them.

Two able candidates agree on the right answers by being right, so only shared answers other
than an item's most common one count (keys are not read: the most common answer stands in for
the expected one). Each shared uncommon answer weighs its surprise, -ln(frequency); the pair's
total is compared with what two candidates answering independently with the campaign's
frequencies would reach, computed exactly. The frequencies include the pair itself, which can
only make their match look more common: the test errs towards not flagging. The campaign's
false-flag chance ``matching_alpha`` is divided among the pairs compared (Bonferroni).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from integrity.observations import ChosenAnswer, ItemRef
from integrity.rules import IntegrityRules
from integrity.signals import Evidence, Signal, SignalKind

#: Surprise is counted in steps of this many nats for the exact null distribution.
STEP = 0.05


@dataclass(frozen=True)
class AnswerFrequencies:
    """How often each answer to an item was given, and its most common answer."""

    answered: int
    counts: Mapping[str, int]
    modal: str

    def share(self, answer: str) -> float:
        return self.counts[answer] / self.answered

    def surprise(self, answer: str) -> float:
        """-ln(share) for an uncommon answer; 0 for the most common one, which never counts."""
        return 0.0 if answer == self.modal else -math.log(self.share(answer))


def answer_frequencies(answers: Sequence[ChosenAnswer], min_sample: int) -> dict[ItemRef, AnswerFrequencies]:
    """Per item version with ``min_sample`` or more answers, the frequency of each answer."""
    counts: dict[ItemRef, Counter[str]] = defaultdict(Counter)
    for answer in answers:
        counts[answer.item][answer.answer] += 1
    return {
        item: AnswerFrequencies(
            sum(counter.values()), dict(counter), min(counter, key=lambda a: (-counter[a], a))
        )
        for item, counter in counts.items()
        if sum(counter.values()) >= min_sample
    }


def chance_of_surprise(frequencies: Sequence[AnswerFrequencies], observed: float) -> float:
    """The chance that two independent candidates share uncommon answers worth ``observed`` or more."""
    return _tail(_null_distribution(frequencies), observed)


def matching_answers_rule(rules: IntegrityRules) -> str:
    return (
        "Counted when two attempts share uncommon answers (not an item's most common one) on "
        "auto-scored items so rare together that two candidates answering independently, with the "
        f"campaign's answer frequencies, would match as much with a chance below {rules.matching_alpha:g} "
        f"divided by the number of pairs compared; pairs with fewer than {rules.matching_min_items} "
        f"items in common and items with fewer than {rules.matching_min_sample} answers are left out; "
        f"weight {rules.weight_matching_answers}."
    )


def matching_answers(answers: Sequence[ChosenAnswer], rules: IntegrityRules) -> dict[int, list[Signal]]:
    """Per attempt id, a signal for each other attempt whose answers match too rarely to be chance."""
    frequencies = answer_frequencies(answers, rules.matching_min_sample)
    by_attempt: dict[int, dict[ItemRef, ChosenAnswer]] = defaultdict(dict)
    for answer in answers:
        if answer.item in frequencies:
            by_attempt[answer.attempt_id][answer.item] = answer
    attempts = sorted(by_attempt)
    threshold, candidates = _candidate_pairs(attempts, by_attempt, frequencies, rules)
    # Most pairs answered the same items, so each set of items' null distribution is built once.
    nulls: dict[tuple[ItemRef, ...], np.ndarray] = {}
    signals: dict[int, list[Signal]] = defaultdict(list)
    for a, b in candidates:
        common = sorted(by_attempt[a].keys() & by_attempt[b].keys())
        shared = [
            item
            for item in common
            if by_attempt[a][item].answer == by_attempt[b][item].answer
            and by_attempt[a][item].answer != frequencies[item].modal
        ]
        if not shared:
            continue
        observed = sum(frequencies[item].surprise(by_attempt[a][item].answer) for item in shared)
        key = tuple(common)
        if key not in nulls:
            nulls[key] = _null_distribution([frequencies[item] for item in common])
        chance = _tail(nulls[key], observed)
        if chance > threshold:
            continue
        identical = sum(1 for item in common if by_attempt[a][item].answer == by_attempt[b][item].answer)
        for this, other in ((a, b), (b, a)):
            mine = by_attempt[this]
            signals[this].append(
                Signal(
                    kind=SignalKind.MATCHING_ANSWERS,
                    weight=rules.weight_matching_answers,
                    summary=(
                        f"Identical answers on {identical} of {len(common)} auto-scored items as another "
                        f"candidate, {len(shared)} of them uncommon (chance {chance:.1e})"
                    ),
                    evidence=tuple(
                        _shared_answer(mine[item], frequencies[item])
                        for item in sorted(shared, key=lambda i: mine[i].position)
                    ),
                    rule=matching_answers_rule(rules),
                    other_attempt=other,
                )
            )
    return dict(signals)


def _candidate_pairs(
    attempts: Sequence[int],
    by_attempt: Mapping[int, Mapping[ItemRef, ChosenAnswer]],
    frequencies: Mapping[ItemRef, AnswerFrequencies],
    rules: IntegrityRules,
) -> tuple[float, list[tuple[int, int]]]:
    """The chance a pair must stay under, and the pairs whose match might, in one array pass.

    The threshold is ``matching_alpha`` divided by the number of pairs compared (Bonferroni).

    A campaign of a thousand has half a million pairs: too many for a Python loop each. A pair
    is dropped when even a bound says its chance is too high: its summed surprise plus the most
    the items it does not share could add, against the null distribution of every item, has a
    chance no higher than the exact one over its own items (more items only add surprise).
    """
    items = sorted(frequencies)
    if not attempts or not items:
        return rules.matching_alpha, []
    codes = np.full((len(attempts), len(items)), -1)
    surprise = np.zeros((len(attempts), len(items)))
    for column, item in enumerate(items):
        numbered = {answer: number for number, answer in enumerate(sorted(frequencies[item].counts))}
        for row, attempt_id in enumerate(attempts):
            if (answer := by_attempt[attempt_id].get(item)) is not None:
                codes[row, column] = numbered[answer.answer]
                surprise[row, column] = frequencies[item].surprise(answer.answer)
    most = np.array([max(_steps(frequencies[item]).values(), default=0) for item in items])
    tail = np.cumsum(_null_distribution([frequencies[item] for item in items])[::-1])[::-1]
    answered = codes >= 0
    compared = 0
    bounds: list[tuple[int, np.ndarray, np.ndarray]] = []
    for row in range(len(attempts) - 1):
        common = answered[row] & answered[row + 1 :]
        enough = common.sum(axis=1) >= rules.matching_min_items
        compared += int(enough.sum())
        observed = ((codes[row + 1 :] == codes[row]) & common) @ surprise[row]
        # A hair below: the exact sum, added in another order, must not floor one step lower.
        steps = np.floor(observed / STEP - 1e-9).astype(int) + (~common) @ most
        worth = np.nonzero(enough & (observed > 0))[0]
        bounds.append((row, worth, steps[worth]))
    threshold = rules.matching_alpha / max(compared, 1)
    pairs = []
    for row, worth, steps in bounds:
        chance_at_least = np.where(steps < len(tail), tail[np.minimum(steps, len(tail) - 1)], 0.0)
        for other in worth[chance_at_least <= threshold]:
            pairs.append((attempts[row], attempts[row + 1 + int(other)]))
    return threshold, pairs


def _steps(item: AnswerFrequencies) -> dict[str, int]:
    """Each uncommon answer's surprise in STEP units, rounded up (see ``_null_distribution``)."""
    return {answer: math.ceil(item.surprise(answer) / STEP) for answer in item.counts if answer != item.modal}


def _shared_answer(answer: ChosenAnswer, frequencies: AnswerFrequencies) -> Evidence:
    given = frequencies.counts[answer.answer]
    return Evidence(
        f"Item {answer.position + 1}: the same answer as the other candidate, given by {given} of "
        f"{frequencies.answered} candidates ({given / frequencies.answered:.1%}); the most common answer "
        f"was given by {frequencies.counts[frequencies.modal]}",
        position=answer.position,
    )


def _null_distribution(frequencies: Sequence[AnswerFrequencies]) -> np.ndarray:
    # The summed surprise of two independent candidates, in STEP units: per item, both pick the
    # same uncommon answer a with chance share(a)^2 and add its surprise, else nothing.
    # Surprise is rounded up here and the observation down in _tail: rounding only raises the chance.
    distribution = np.array([1.0])
    for item in frequencies:
        outcomes: dict[int, float] = defaultdict(float)
        for answer, steps in _steps(item).items():
            outcomes[steps] += item.share(answer) ** 2
        nothing = 1.0 - sum(outcomes.values())
        grown = np.zeros(len(distribution) + max(outcomes.keys(), default=0))
        grown[: len(distribution)] += nothing * distribution
        for steps, chance in outcomes.items():
            grown[steps : steps + len(distribution)] += chance * distribution
        distribution = grown
    return distribution


def _tail(distribution: np.ndarray, observed: float) -> float:
    return float(min(1.0, distribution[math.floor(observed / STEP) :].sum()))
