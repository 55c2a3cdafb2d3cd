"""Moodle and GIFT choice questions from their answers' percentages, scored as Moodle scores them.

A single-answer question earns the percentage of the chosen answer. A multiple-answer
question adds the percentages of the chosen answers and keeps the sum within 0 and 100 %:
that is assess's per-row flags rule exactly when every right answer is worth the same share,
the shares make 100 %, and every wrong answer takes one share back.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from interchange.targets import Unmappable, flags_question, multiple_answer_problem, single_choice_key
from interchange.weights import exact_points, exact_share


def single_answer_key(
    correct: str, percents: dict[str, Decimal], points: Decimal
) -> tuple[dict[str, Any], list[str]]:
    """The key (``correct`` earns the points, partly right answers their exact share) and what is lost."""
    notes = [
        f"answer {option} costs {-percent}% in the source; assess never deducts for a choice"
        for option, percent in percents.items()
        if percent < 0
    ]
    partial = {option: exact_share(p) for option, p in percents.items() if 0 < p < 100}
    total, credits = exact_points(points, partial.values())
    return single_choice_key(correct, total, dict(zip(partial, credits, strict=True))), notes


def _percent(share: Fraction) -> str:
    return format(
        (Decimal(share.numerator) * 100 / share.denominator).quantize(Decimal("0.01")).normalize(), "f"
    )


def select_all_question(
    prompt: str, options: list[dict[str, str]], percents: dict[str, Decimal], points: Decimal
) -> tuple[dict[str, Any], dict[str, Any]]:
    """ "Select all that apply" as per-row flags, each right row worth its exact share of ``points``."""
    right = {option: exact_share(p) for option, p in percents.items() if p > 0}
    wrong = {option: exact_share(p) for option, p in percents.items() if p <= 0}
    shares = set(right.values())
    if len(shares) != 1 or not set(wrong.values()) <= {-min(shares)}:
        raise Unmappable(multiple_answer_problem(wrong))
    share = shares.pop()
    if share * len(right) != 1:
        raise Unmappable(
            "is a multiple-answer question that assess cannot score the same way: its right answers add "
            f"up to {_percent(share * len(right))}%, not 100%"
        )
    _, (each,) = exact_points(points, [share])
    return flags_question(prompt, options, list(right), "per_row", each)
