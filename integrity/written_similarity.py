"""Written answers of one item compared across a campaign's candidates, with the passages they share.

Similarity is rapidfuzz's normalised Indel similarity over words (case and punctuation
ignored): the share of both answers' words that fall in their longest common subsequence.
Independent answers to one prompt share its names, dates and figures but not their wording
and order; a copy with a few words changed keeps both.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import Indel

from integrity.observations import ItemRef, WrittenAnswer
from integrity.rules import IntegrityRules
from integrity.signals import Evidence, Passage, Signal, SignalKind

_WORD = re.compile(r"\w+(?:['’.,/:-]\w+)*")


@dataclass(frozen=True)
class Words:
    """An answer's words, lower-cased, with where each stands in the original text."""

    text: str
    words: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]


def words_of(text: str) -> Words:
    found = list(_WORD.finditer(text))
    return Words(text, tuple(m.group().casefold() for m in found), tuple(m.span() for m in found))


def without_quotes(answer: Words, material: str, min_words: int) -> Words:
    """The answer without the runs of ``min_words`` or more words it quotes from the item's material.

    The summary email asks for the notes' names, dates and figures, and a candidate may copy a
    whole line of the notes: two such answers share that line with each other only through
    the material, not through each other.
    """
    source = words_of(material).words
    quoted_runs = {source[i : i + min_words] for i in range(len(source) - min_words + 1)}
    quoted = [False] * len(answer.words)
    for start in range(len(answer.words) - min_words + 1):
        if answer.words[start : start + min_words] in quoted_runs:
            quoted[start : start + min_words] = [True] * min_words
    kept = [i for i, is_quoted in enumerate(quoted) if not is_quoted]
    return Words(answer.text, tuple(answer.words[i] for i in kept), tuple(answer.spans[i] for i in kept))


def written_similarity(a: Words, b: Words) -> float:
    """0 (nothing in common) to 1 (the same words in the same order)."""
    return float(Indel.normalized_similarity(a.words, b.words))


def shared_passages(a: Words, b: Words, min_words: int) -> tuple[Passage, ...]:
    """Runs of at least ``min_words`` words both answers have in the same order, as each wrote them."""
    passages = []
    for block in Indel.opcodes(a.words, b.words).as_matching_blocks():
        if block.size >= min_words:
            passages.append(
                Passage(
                    text=_excerpt(a, block.a, block.size),
                    other_text=_excerpt(b, block.b, block.size),
                    words=block.size,
                )
            )
    return tuple(passages)


def written_similarity_rule(rules: IntegrityRules) -> str:
    return (
        f"Counted when two answers to the same item share {rules.written_similarity_from:.0%} or more of "
        f"their words in the same order, leaving out runs of {rules.passage_min_words} words or more "
        f"quoted from the item's own material (answers under {rules.written_min_words} words are not "
        "compared); "
        f"passages of {rules.passage_min_words} words or more are shown side by side; "
        f"weight {rules.weight_written_similarity}."
    )


def similar_written_answers(
    answers: Sequence[WrittenAnswer], rules: IntegrityRules, materials: Mapping[ItemRef, str] | None = None
) -> dict[int, list[Signal]]:
    """Per attempt id, a signal for each other attempt whose answer to the same item is near-identical.

    ``materials``: per item version, the text candidates were given (prompt, notes), whose
    quotes are left out of the comparison.
    """
    by_item: dict[ItemRef, list[tuple[WrittenAnswer, Words]]] = defaultdict(list)
    for answer in answers:
        words = words_of(answer.text)
        if materials and answer.item in materials:
            words = without_quotes(words, materials[answer.item], rules.passage_min_words)
        if len(words.words) >= rules.written_min_words:
            by_item[answer.item].append((answer, words))
    signals: dict[int, list[Signal]] = defaultdict(list)
    for _item, group in sorted(by_item.items()):
        sequences = [words.words for _answer, words in group]
        # One matrix per item in rapidfuzz's C++ loop: a campaign's pairs are too many for Python.
        scores = process.cdist(
            sequences,
            sequences,
            scorer=Indel.normalized_similarity,
            score_cutoff=rules.written_similarity_from,
        )
        for i, j in zip(*scores.nonzero(), strict=True):
            (mine, my_words), (theirs, their_words) = group[i], group[j]
            if i == j or mine.attempt_id == theirs.attempt_id:
                continue
            signals[mine.attempt_id].append(
                _similar(mine, my_words, theirs, their_words, float(scores[i, j]), rules)
            )
    return dict(signals)


def _similar(
    mine: WrittenAnswer,
    my_words: Words,
    theirs: WrittenAnswer,
    their_words: Words,
    similarity: float,
    rules: IntegrityRules,
) -> Signal:
    passages = shared_passages(my_words, their_words, rules.passage_min_words)
    shared = sum(passage.words for passage in passages)
    return Signal(
        kind=SignalKind.WRITTEN_SIMILARITY,
        weight=rules.weight_written_similarity,
        summary=f"Written answer to item {mine.position + 1} is {similarity:.0%} alike another candidate's",
        evidence=(
            Evidence(
                f"Item {mine.position + 1}: {len(my_words.words)} words here, {len(their_words.words)} in "
                f"the other answer; {len(passages)} shared passages of {rules.passage_min_words} words or "
                f"more cover {shared} of this answer's words",
                position=mine.position,
            ),
        ),
        rule=written_similarity_rule(rules),
        other_attempt=theirs.attempt_id,
        passages=passages,
    )


def _excerpt(words: Words, start: int, size: int) -> str:
    return words.text[words.spans[start][0] : words.spans[start + size - 1][1]]
