from collections.abc import Callable
from pathlib import Path
from typing import Any

from integrity_timelines import EMAIL
from ruamel.yaml import YAML

from integrity.observations import ItemRef, WrittenAnswer
from integrity.rules import IntegrityRules
from integrity.signals import SignalKind
from integrity.written_similarity import shared_passages, similar_written_answers, without_quotes, words_of

RULES = IntegrityRules()
ROOT = Path(__file__).resolve().parents[3]
FIXTURE = ROOT / "tests" / "fixtures" / "integrity" / "answers.yaml"
BANK = ROOT / "items" / "banks" / "account_manager_smb" / "communication.yaml"


def load_answers() -> dict[str, Any]:
    loaded: dict[str, Any] = YAML(typ="safe").load(FIXTURE.read_text())
    return loaded


def email_material() -> str:
    """What the shipped summary-email item shows the candidate: its prompt and call notes."""
    body = YAML(typ="safe").load(BANK.read_text())["items"][0]["body"]
    return f"{body['prompt']}\n{body['material']}"


def test_planted_near_copies_are_found_and_independent_answers_never_match(
    record_property: Callable[[str, object], None],
) -> None:
    fixture = load_answers()
    entries = [*fixture["independent"], *fixture["near_copies"]]
    ids = {number: entry["id"] for number, entry in enumerate(entries, start=1)}
    answers = [WrittenAnswer(number, 9, EMAIL, entries[number - 1]["text"]) for number in ids]
    found = similar_written_answers(answers, RULES, {EMAIL: email_material()})
    flagged = {
        frozenset((ids[attempt_id], ids[signal.other_attempt or 0]))
        for attempt_id, signals in found.items()
        for signal in signals
    }
    planted = {frozenset((copy["id"], copy["of"])) for copy in fixture["near_copies"]}
    independent = {entry["id"] for entry in fixture["independent"]}
    precision = len(flagged & planted) / len(flagged) if flagged else 0.0
    recall = len(flagged & planted) / len(planted)
    print(
        f"\nwritten similarity on {len(independent)} independent answers and {len(planted)} near-copies: "
        f"precision {precision:.2f}, recall {recall:.2f}"
    )
    record_property("precision", round(precision, 3))
    record_property("recall", round(recall, 3))
    assert len(independent) >= 30
    assert [pair for pair in flagged if pair <= independent] == []
    assert precision >= 0.9
    assert recall >= 0.9


def test_each_side_of_a_copied_pair_gets_a_signal_with_the_passages_side_by_side() -> None:
    copy = load_answers()["near_copies"][0]
    source = next(entry for entry in load_answers()["independent"] if entry["id"] == copy["of"])
    found = similar_written_answers(
        [WrittenAnswer(1, 9, EMAIL, source["text"]), WrittenAnswer(2, 9, EMAIL, copy["text"])], RULES
    )
    assert sorted(found) == [1, 2]
    (signal,) = found[2]
    assert signal.kind is SignalKind.WRITTEN_SIMILARITY
    assert signal.other_attempt == 1
    assert signal.weight == 3
    assert signal.summary.startswith("Written answer to item 10 is 9")
    assert signal.evidence[0].position == 9
    longest = max(signal.passages, key=lambda passage: passage.words)
    assert longest.words >= 40
    assert longest.text in copy["text"]
    assert longest.other_text in source["text"]


def test_passages_keep_each_writers_own_capitals_and_punctuation() -> None:
    mine = words_of("We will CREDIT $315 on the March invoice, and confirm it by March 18.")
    theirs = words_of("Finance: we will credit 315 on the march invoice and confirm it by March 18!")
    (passage,) = shared_passages(mine, theirs, 6)
    assert passage.text == "We will CREDIT $315 on the March invoice, and confirm it by March 18"
    assert passage.other_text == "we will credit 315 on the march invoice and confirm it by March 18"
    assert passage.words == 14


def test_short_answers_and_answers_to_different_items_are_not_compared() -> None:
    short = "Brightwater renewal at risk; see the action list in the shared notes for owners and dates."
    same_short = [WrittenAnswer(1, 9, EMAIL, short), WrittenAnswer(2, 9, EMAIL, short)]
    assert similar_written_answers(same_short, RULES) == {}
    text = load_answers()["independent"][0]["text"]
    other_item = ItemRef("comm-follow-up", "v1")
    same_text = [WrittenAnswer(1, 9, EMAIL, text), WrittenAnswer(2, 4, other_item, text)]
    assert similar_written_answers(same_text, RULES) == {}


def test_lines_quoted_from_the_call_notes_do_not_make_two_answers_alike() -> None:
    notes = email_material()
    quoted = "\n".join(line for line in notes.splitlines() if line.startswith(("Concern", "Agreed")))
    answers = [
        WrittenAnswer(1, 9, EMAIL, f"Hi team,\nHere is what the notes say.\n{quoted}\nThanks, Sam"),
        WrittenAnswer(2, 9, EMAIL, f"Hello all, please act on your part.\n{quoted}\nKim"),
    ]
    assert sorted(similar_written_answers(answers, RULES)) == [1, 2]
    assert similar_written_answers(answers, RULES, {EMAIL: notes}) == {}
    assert without_quotes(words_of(answers[0].text), notes, 6).words == (
        "hi", "team", "here", "is", "what", "the", "notes", "say", "thanks", "sam",
    )  # fmt: skip
