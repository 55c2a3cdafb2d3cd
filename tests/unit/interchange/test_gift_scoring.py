"""Scoring equivalence for GIFT: responses scored from the file's own weights as Moodle scores a GIFT
question, and by the imported item's type, agree, or the import reported why not."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
from interchange_cases import ROOT, load_items
from moodle_rules import agree, assess_share, first_match, multiple_answers, single_answer

from interchange import import_file
from interchange.gift import question_blocks
from items.bank import Catalogue

GIFT = ROOT / "tests" / "fixtures" / "gift"


def _percents(name: str, question: str) -> list[str]:
    """The answers' percentages of ``question`` in the fixture: ``=`` is 100, ``~`` 0 unless ``%n%``."""
    blocks = question_blocks((GIFT / name).read_text(encoding="utf-8").splitlines())
    [text] = [b.text for b in blocks if b.text.startswith(f"::{question}::")]
    answers = re.findall(r"([=~])(?:%(-?[\d.]+)%)?", text[text.index("{") :])
    return [weight or ("100" if mark == "=" else "0") for mark, weight in answers]


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Catalogue:
    items = [
        i for name in ("weights.gift", "numeric_keys.gift") for i in import_file("gift", GIFT / name).items
    ]
    return load_items(items, tmp_path_factory.mktemp("gift"), "gift")


@pytest.mark.parametrize(
    ("item_id", "question", "chosen"),
    [
        ("three-risks", "Three risks", [0, 1, 2]),
        ("three-risks", "Three risks", [1, 2]),
        ("three-risks", "Three risks", [0, 3]),
        ("three-risks", "Three risks", [0, 1, 2, 3]),
        ("halves", "Halves", [0, 1]),
        ("halves", "Halves", [0]),
        ("halves", "Halves", [1, 2]),
    ],
)
def test_multiple_answers_score_as_moodle_adds_them(
    imported: Catalogue, item_id: str, question: str, chosen: list[int]
) -> None:
    source = multiple_answers(_percents("weights.gift", question), chosen)
    rows = [chr(ord("a") + i) for i in chosen]
    share, _ = assess_share(imported.items[item_id], {"fields": {"selected": rows}})
    assert agree(source, share), (source, share)


@pytest.mark.parametrize("item_id", ["three-risks", "halves"])
def test_a_full_correct_selection_earns_exactly_the_maximum(imported: Catalogue, item_id: str) -> None:
    item = imported.items[item_id]
    keyed = item.key.model_dump()["fields"]["selected"]["value"]
    assert assess_share(item, {"fields": {"selected": keyed}}) == (Fraction(1), True)


@pytest.mark.parametrize("chosen", ["a", "b", "c", "d"])
def test_partly_right_choices_earn_their_exact_share(imported: Catalogue, chosen: str) -> None:
    source = single_answer(_percents("weights.gift", "First reply"), ord(chosen) - ord("a"))
    share, _ = assess_share(imported.items["first-reply"], {"choice": chosen})
    assert agree(source, share), (source, share)


@pytest.mark.parametrize(
    ("item_id", "typed", "ranges"),
    [
        # {#=2:0 =-2:0.01}: each answer is right within its tolerance.
        ("square-side", "2", [("100", 2, 0), ("100", -2, Fraction(1, 100))]),
        ("square-side", "-2.01", [("100", 2, 0), ("100", -2, Fraction(1, 100))]),
        ("square-side", "-2.02", [("100", 2, 0), ("100", -2, Fraction(1, 100))]),
        # {#=1..3 =10}: a range is its midpoint with half its width as tolerance.
        ("range", "1", [("100", 2, 1), ("100", 10, 0)]),
        ("range", "10", [("100", 2, 1), ("100", 10, 0)]),
        ("range", "4", [("100", 2, 1), ("100", 10, 0)]),
    ],
)
def test_every_full_credit_number_scores_as_in_moodle(
    imported: Catalogue, item_id: str, typed: str, ranges: list[tuple[str, int, Fraction | int]]
) -> None:
    value = Fraction(typed)
    source = first_match([(p, abs(value - centre) <= width) for p, centre, width in ranges])
    share, _ = assess_share(imported.items[item_id], {"value": typed})
    assert agree(source, share), (source, share)


def test_a_partly_right_number_is_reported_since_assess_numbers_are_right_or_wrong() -> None:
    # {#=3.14:0.005 =%50%3:0}: typing 3 earns half in Moodle and nothing in assess; the import says so.
    reasons = [p.reason for p in import_file("gift", GIFT / "numeric_keys.gift").problems]
    assert any("the answer '3:0' earns 50% in the source" in r for r in reasons)
