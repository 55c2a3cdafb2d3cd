"""How Moodle scores its questions from their answers' percentages, to compare imported items against.

Written from Moodle's documented grading (question/type/*/question.php), for the tests only:
a single-answer choice earns the chosen answer's fraction; a multiple-answer choice adds the
fractions of the chosen answers and keeps the sum within 0 and 1; a numerical or short-answer
question earns the fraction of the first answer, in the file's order, that the response matches.
GIFT questions are Moodle questions, so the same rules score them. Fractions are used as
printed (0.3333333, not 1/3): that is what the source computes.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from items import registry
from items.bank import ItemVersion
from scoring.items import parse_response

# Moodle counts a question as fully right from a fraction of 0.999999 on (question_state's tolerance).
MOODLE_TOLERANCE = Fraction(1, 10**6)


def percent(text: str) -> Fraction:
    return Fraction(Decimal(text)) / 100


def single_answer(percents: list[str], chosen: int) -> Fraction:
    return percent(percents[chosen])


def multiple_answers(percents: list[str], chosen: Iterable[int]) -> Fraction:
    return min(max(sum((percent(percents[i]) for i in chosen), Fraction(0)), Fraction(0)), Fraction(1))


def first_match(answers: list[tuple[str, bool]]) -> Fraction:
    """The fraction of the first answer (percent, whether the response matches it) that matches."""
    return next((percent(p) for p, matches in answers if matches), Fraction(0))


def assess_share(item: ItemVersion, response: dict[str, object]) -> tuple[Fraction, bool]:
    """(points / max points, whether the points are exactly the max) as the item's type scores it."""
    parsed = parse_response(item, response)
    score = registry.get(item.type).score(item.body, item.key, parsed)
    return Fraction(score.points) / Fraction(score.max_points), score.points == score.max_points


def agree(source: Fraction, assess: Fraction) -> bool:
    """Equal, up to the rounding of printed fractions that Moodle itself forgives."""
    return abs(source - assess) < MOODLE_TOLERANCE
