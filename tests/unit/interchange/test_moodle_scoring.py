"""Scoring equivalence for Moodle XML: the source's right, partly right and wrong responses, scored
from the file's own weights as Moodle scores them and by the imported item's type, agree, or the
import reported why not."""

from __future__ import annotations

from fractions import Fraction

import pytest
from interchange_cases import ROOT, load_items
from lxml import etree
from moodle_rules import agree, assess_share, first_match, multiple_answers, single_answer

from interchange import import_file
from items.bank import Catalogue

WEIGHTS = ROOT / "tests" / "fixtures" / "moodle_xml" / "weights.xml"
SOURCE = etree.parse(str(WEIGHTS))


def _percents(name: str) -> list[str]:
    [question] = SOURCE.xpath("//question[name/text=$name]", name=name)
    return [answer.get("fraction") for answer in question.iterfind("answer")]


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Catalogue:
    result = import_file("moodle", WEIGHTS)
    return load_items(result.items, tmp_path_factory.mktemp("moodle"), "weights")


@pytest.mark.parametrize(
    ("item_id", "name", "chosen"),
    [
        ("renewal-risks", "Renewal risks", [0, 1, 2]),
        ("renewal-risks", "Renewal risks", [0, 1]),
        ("renewal-risks", "Renewal risks", [0, 1, 3]),
        ("renewal-risks", "Renewal risks", [0, 3]),
        ("renewal-risks", "Renewal risks", [0, 1, 2, 3]),
        ("renewal-risks", "Renewal risks", []),
        ("weekdays", "Weekdays", [0, 1, 2, 3, 4, 5, 6]),
        ("weekdays", "Weekdays", [0, 1, 2, 7]),
        ("weekdays", "Weekdays", [7]),
    ],
)
def test_multiple_answers_score_as_moodle_adds_them(
    imported: Catalogue, item_id: str, name: str, chosen: list[int]
) -> None:
    source = multiple_answers(_percents(name), chosen)
    rows = [chr(ord("a") + i) for i in chosen]
    share, _ = assess_share(imported.items[item_id], {"fields": {"selected": rows}})
    assert agree(source, share), (source, share)


@pytest.mark.parametrize("item_id", ["renewal-risks", "weekdays"])
def test_a_full_correct_selection_earns_exactly_the_maximum(imported: Catalogue, item_id: str) -> None:
    item = imported.items[item_id]
    keyed = item.key.model_dump()["fields"]["selected"]["value"]
    assert assess_share(item, {"fields": {"selected": keyed}}) == (Fraction(1), True)


@pytest.mark.parametrize("chosen", ["a", "b", "c", "d"])
def test_partly_right_choices_earn_their_exact_share(imported: Catalogue, chosen: str) -> None:
    source = single_answer(_percents("First reply"), ord(chosen) - ord("a"))
    share, _ = assess_share(imported.items["first-reply"], {"choice": chosen})
    assert agree(source, share), (source, share)


@pytest.mark.parametrize("typed", ["2", "-2", "-2.01", "-1.98", "4", "3"])
def test_numerical_answers_score_as_moodle_or_the_difference_is_reported(
    imported: Catalogue, typed: str
) -> None:
    [question] = SOURCE.xpath("//question[name/text='Side of a square']")
    value = Fraction(typed)
    answers = [
        (a.get("fraction"), abs(value - Fraction(a.findtext("text"))) <= Fraction(a.findtext("tolerance")))
        for a in question.iterfind("answer")
    ]
    source = first_match(answers)
    share, _ = assess_share(imported.items["side-of-a-square"], {"value": typed})
    if not agree(source, share):
        reported = [p.reason for p in import_file("moodle", WEIGHTS).problems]
        assert f"imported as side-of-a-square, but the answer {typed!r} earns 50% in the source" in " ".join(
            reported
        )


@pytest.mark.parametrize("typed", ["ACME", "ACME.L", "acme", "Acme Corp"])
def test_case_sensitive_short_answers_score_as_moodle(imported: Catalogue, typed: str) -> None:
    [question] = SOURCE.xpath("//question[name/text='Ticker']")
    answers = [(a.get("fraction"), a.findtext("text") == typed) for a in question.iterfind("answer")]
    share, _ = assess_share(imported.items["ticker"], {"fields": {"answer": typed}})
    assert agree(first_match(answers), share)


def test_weights_that_add_up_past_full_marks_are_reported_not_rescored() -> None:
    result = import_file("moodle", WEIGHTS)
    assert "any-two" not in {i["id"] for i in result.items}
    assert [(p.location, p.reason) for p in result.problems if not p.imported] == [
        (
            "41",
            '"Any two" (multichoice) is a multiple-answer question that assess cannot score the same way: '
            "its right answers add up to 150%, not 100%",
        )
    ]


def test_thirds_and_sixths_are_written_as_exact_decimals() -> None:
    # A third of 1 point has no decimal: the question is worth 3, each third 1 (totals use proportions).
    items = {i["id"]: i for i in import_file("moodle", WEIGHTS).items}
    assert items["renewal-risks"]["key"]["fields"]["selected"]["points"] == 1
    assert items["first-reply"]["key"] == {"correct": "a", "points": 3, "credit": {"b": 2.5, "c": 0.5}}
