"""Moodle XML import: categories become sections and tags; each question maps or is reported by line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from interchange_cases import EXTERNAL, load_items

from interchange import InterchangeError, import_file

MOODLE = EXTERNAL / "moodle_xml"
TRUE_FALSE = [{"id": "true", "text": "True"}, {"id": "false", "text": "False"}]


def test_every_moodle_fixture_imports_or_is_reported_and_the_bank_validates(tmp_path: Path) -> None:
    for path in sorted(MOODLE.glob("*.xml")):
        result = import_file("moodle", path)
        text = path.read_text(encoding="utf-8")
        questions = text.count("<question type=") - text.count('<question type="category">')
        assert len(result.items) + sum(1 for p in result.problems if not p.imported) == questions, path.name
        load_items(result.items, tmp_path, path.stem.replace(".", "-"))


def test_nested_categories_become_section_and_outer_tags() -> None:
    result = import_file("moodle", MOODLE / "nested_categories_with_questions.xml")
    assert result.problems == []
    assert [(i["id"], i["type"], i["section"], i.get("tags", [])) for i in result.items] == [
        ("iota-question", "single_choice", "iota", []),
        ("kappa-essay-question", "written", "kappa", ["iota"]),
        ("kappa-question", "single_choice", "kappa", ["iota"]),
        ("lambda-question", "single_choice", "lambda", ["iota", "kappa"]),
        ("mu-question", "single_choice", "mu", ["iota"]),
    ]
    iota = result.items[0]
    assert iota["body"] == {"prompt": "Testing Iota Question", "options": TRUE_FALSE}
    assert iota["key"] == {"correct": "true"}


def test_shortanswer_keeps_the_full_mark_answer_and_reports_partial_credit() -> None:
    path = MOODLE / "shortanswer_testquestion.moodle.xml"
    result = import_file("moodle", path)
    [item] = result.items
    assert item == {
        "id": "shortanswer-001",
        "type": "record_entry",
        "title": "shortanswer-001",
        "section": "test-questions",
        "minutes": 1,
        "rationale": "Generalfeedback: frog or toad would have been OK.",
        "body": {
            "prompt": "Name an amphibian: __________",
            "fields": [{"id": "answer", "kind": "text", "label": "Answer"}],
        },
        "key": {"fields": {"answer": {"kind": "text", "value": "frog", "points": 1}}},
    }
    assert [str(p) for p in result.problems] == [
        f"{path}:12: imported as shortanswer-001, but 'toad' earns 80 of 100 in the source; assess text "
        "answers are right or wrong (ignoring case and spacing), so it earns nothing"
    ]


def test_essay_becomes_a_written_item_scored_as_a_whole() -> None:
    [item] = import_file("moodle", MOODLE / "essay_testquestion.moodle.xml").items
    assert item["type"] == "written"
    assert item["body"] == {"prompt": "Write an essay with 500 words."}
    assert item["key"]["rubric"][0]["max_points"] == 1
    assert item["rationale"] == "This is general feedback"
    assert item["section"] == "default-for-c1"


def test_multiple_answer_question_without_penalties_is_reported_with_its_line() -> None:
    path = MOODLE / "multichoice_testquestion.moodle.xml"
    result = import_file("moodle", path)
    assert result.items == []
    assert [str(p) for p in result.problems] == [
        f'{path}:12: "Multi-choice-001" (multichoice) is a multiple-answer question that assess cannot '
        "score the same way: its wrong answers cost nothing, so ticking every answer scores full marks"
    ]


QUIZ = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="matching"><name><text>Pairs</text></name></question>
  <question type="description"><name><text>Intro</text></name></question>
  <question type="multichoice">
    <name><text>Best step</text></name>
    <questiontext format="html"><text><![CDATA[<p>Which <b>first</b>?</p>]]></text></questiontext>
    <defaultgrade>2</defaultgrade>
    <single>true</single>
    <answer fraction="100"><text>Call</text></answer>
    <answer fraction="50"><text>Email</text></answer>
    <answer fraction="-25"><text>Wait</text></answer>
    <tags><tag><text>renewals</text></tag></tags>
  </question>
  <question type="numerical">
    <name><text>Price</text></name>
    <questiontext format="plain_text"><text>Total?</text></questiontext>
    <answer fraction="100"><text>675</text><tolerance>0.5</tolerance></answer>
    <units><unit><multiplier>1</multiplier><unit_name>$</unit_name></unit></units>
    <unitsleft>1</unitsleft>
  </question>
</quiz>
"""


def test_unsupported_types_are_reported_and_choice_numeric_units_map(tmp_path: Path) -> None:
    path = tmp_path / "quiz.xml"
    path.write_text(QUIZ, encoding="utf-8")
    result = import_file("moodle", path)
    best, price = result.items
    assert best["body"]["prompt"] == "Which first?"
    assert best["key"] == {"correct": "a", "points": 2, "credit": {"b": 1}}
    assert best["tags"] == ["renewals"]
    assert price["body"] == {"prompt": "Total?", "unit": "currency", "symbol": "$"}
    assert price["key"] == {"value": 675, "tolerance": Decimal("0.5")}
    assert [(p.location, p.reason) for p in result.problems] == [
        ("3", '"Pairs" (matching) is a matching question (pairs), which has no assess type'),
        ("4", '"Intro" (description) is a description, not a question: there is nothing to answer'),
        (
            "5",
            "imported as best-step, but answer c costs 25% in the source; assess never deducts for a choice",
        ),
    ]


def test_a_file_that_is_not_a_moodle_quiz_fails_as_a_whole(tmp_path: Path) -> None:
    path = tmp_path / "other.xml"
    path.write_text("<html><body/></html>", encoding="utf-8")
    with pytest.raises(InterchangeError, match=r"is not Moodle XML: its root element is <html>"):
        import_file("moodle", path)
