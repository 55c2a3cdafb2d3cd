import random

from integrity.matching_answers import answer_frequencies, chance_of_surprise, matching_answers
from integrity.observations import ChosenAnswer, ItemRef
from integrity.rules import IntegrityRules
from integrity.signals import SignalKind

RULES = IntegrityRules()
ITEMS = [ItemRef(f"process-{n}", "v1") for n in range(12)]
#: Most candidates pick A (the expected answer); the rest spread over the others.
SHARES = {"A": 0.6, "B": 0.2, "C": 0.12, "D": 0.08}


def campaign(candidates: int, seed: int) -> list[ChosenAnswer]:
    rng = random.Random(seed)
    return [
        ChosenAnswer(attempt_id, position, item, rng.choices(list(SHARES), weights=list(SHARES.values()))[0])
        for attempt_id in range(1, candidates + 1)
        for position, item in enumerate(ITEMS)
    ]


def test_independent_candidates_are_never_flagged() -> None:
    for seed in range(5):
        assert matching_answers(campaign(80, seed), RULES) == {}


def test_a_copied_answer_sheet_with_uncommon_answers_is_flagged_for_both_only() -> None:
    answers = campaign(80, seed=1)
    copied = ["A", "D", "C", "A", "D", "B", "C", "A", "D", "C", "B", "A"]
    for attempt_id in (81, 82):
        answers += [ChosenAnswer(attempt_id, p, item, copied[p]) for p, item in enumerate(ITEMS)]
    found = matching_answers(answers, RULES)
    assert sorted(found) == [81, 82]
    (signal,) = found[81]
    assert signal.kind is SignalKind.MATCHING_ANSWERS
    assert signal.other_attempt == 82
    assert signal.weight == 3
    assert signal.summary.startswith(
        "Identical answers on 12 of 12 auto-scored items as another candidate, 8 of"
    )
    assert len(signal.evidence) == 8
    assert signal.evidence[0].position == 1
    assert "the same answer as the other candidate, given by" in signal.evidence[0].text


def test_two_candidates_with_every_common_answer_are_not_flagged() -> None:
    answers = campaign(80, seed=2)
    for attempt_id in (81, 82):
        answers += [ChosenAnswer(attempt_id, p, item, "A") for p, item in enumerate(ITEMS)]
    assert matching_answers(answers, RULES) == {}


def test_items_with_too_few_answers_are_left_out() -> None:
    answers = campaign(15, seed=3)
    for attempt_id in (81, 82):
        answers += [ChosenAnswer(attempt_id, p, item, "D") for p, item in enumerate(ITEMS)]
    assert matching_answers(answers, RULES) == {}


def test_the_chance_of_sharing_uncommon_answers_falls_as_the_answers_get_rarer() -> None:
    frequencies = answer_frequencies(campaign(200, seed=4), RULES.matching_min_sample)
    items = [frequencies[item] for item in ITEMS]
    common = sum(item.surprise("B") for item in items[:4])
    rare = sum(item.surprise("D") for item in items[:4])
    assert 0 < chance_of_surprise(items, rare) < chance_of_surprise(items, common) < 1
    assert chance_of_surprise(items, 0.0) == 1.0
    assert items[0].surprise(items[0].modal) == 0.0


def test_the_fast_pass_over_all_pairs_flags_exactly_what_checking_each_pair_exactly_flags() -> None:
    rng = random.Random(9)
    answers = [
        answer
        for answer in campaign(120, seed=9)
        # Some items left unanswered, so pairs differ in the items they share.
        if rng.random() > 0.15
    ]
    sheets = ("ADCADBCADCBA", "BBDACCADBDCA")
    for attempt_id, sheet, skipped in ((121, 0, ()), (122, 0, (3, 7)), (123, 1, (0,)), (124, 1, (11,))):
        kept = [(p, item) for p, item in enumerate(ITEMS) if p not in skipped]
        answers += [ChosenAnswer(attempt_id, p, item, sheets[sheet][p]) for p, item in kept]
    frequencies = answer_frequencies(answers, RULES.matching_min_sample)
    by_attempt: dict[int, dict[ItemRef, str]] = {}
    for answer in answers:
        by_attempt.setdefault(answer.attempt_id, {})[answer.item] = answer.answer
    pairs = [
        (a, b, sorted(by_attempt[a].keys() & by_attempt[b].keys()))
        for a in sorted(by_attempt)
        for b in sorted(by_attempt)
        if a < b
    ]
    compared = [(a, b, common) for a, b, common in pairs if len(common) >= RULES.matching_min_items]
    expected = set()
    for a, b, common in compared:
        shared = [i for i in common if by_attempt[a][i] == by_attempt[b][i] != frequencies[i].modal]
        observed = sum(frequencies[i].surprise(by_attempt[a][i]) for i in shared)
        chance = chance_of_surprise([frequencies[i] for i in common], observed)
        if shared and chance <= RULES.matching_alpha / len(compared):
            expected.add((a, b))
    found = matching_answers(answers, RULES)
    flagged = {(a, signal.other_attempt) for a, signals in found.items() for signal in signals}
    assert {(121, 122), (123, 124)} <= expected
    assert flagged == expected | {(b, a) for a, b in expected}
