"""Aiken import: the good questions become single_choice items, each broken one is reported by line."""

from __future__ import annotations

from pathlib import Path

from interchange_cases import EXTERNAL, load_items

from interchange import import_file

ERRORS = EXTERNAL / "aiken" / "aiken_errors.txt"
QUESTIONS = EXTERNAL / "aiken" / "questions.aiken.txt"


def test_aiken_errors_file_keeps_the_good_questions_and_reports_each_broken_one_by_line() -> None:
    result = import_file("aiken", ERRORS)
    assert [(i["id"], i["body"]["options"], i["key"]) for i in result.items] == [
        (
            "a-good-question",
            [{"id": "a", "text": "Correct"}, {"id": "b", "text": "Incorrect"}],
            {"correct": "a"},
        ),
        (
            "a-second-good-question",
            [{"id": "a", "text": "Incorrect (No space)"}, {"id": "b", "text": "Correct (No space)"}],
            {"correct": "b"},
        ),
    ]
    assert [str(p) for p in result.problems] == [
        f'{ERRORS}:1: "A question with too few answers" has 1 option(s); a question needs at least 2',
        f"{ERRORS}:5: an option with no question before it (the question's text comes first)",
        f"{ERRORS}:7: an ANSWER line with no question before it",
        f'{ERRORS}:14: "A question started but not finished" has no ANSWER line before the next question '
        "(line 18)",
    ]
    assert not any(p.imported for p in result.problems)


def test_aiken_questions_import_exactly_with_html_kept_as_text(tmp_path: Path) -> None:
    result = import_file("aiken", QUESTIONS)
    assert result.problems == []
    first, second = result.items
    assert first == {
        "id": "the-moodle-project-was-started-by",
        "type": "single_choice",
        "title": "The Moodle project was started by:",
        "section": "imported",
        "minutes": 1,
        "body": {
            "prompt": "The Moodle project was started by:",
            "options": [
                {"id": "a", "text": "Petr Skoda"},
                {"id": "b", "text": "Martin Dougiamas"},
                {"id": "c", "text": "Eloy Lafuente"},
                {"id": "d", "text": "Tim Hunt"},
            ],
        },
        "key": {"correct": "b"},
    }
    # Aiken is plain text: markup in it is shown to the candidate as written, never interpreted.
    assert second["body"]["prompt"] == (
        'Moodle\'s abilities include handling user input that includes <html class="cool"> & images:'
    )
    assert second["key"] == {"correct": "a"}
    catalogue = load_items(result.items, tmp_path)
    assert sorted(catalogue.items) == ["moodles-abilities-include-handling-user-input-th", first["id"]]


def test_aiken_reports_an_answer_naming_no_option_and_a_question_cut_off_by_the_end(tmp_path: Path) -> None:
    source = tmp_path / "broken.txt"
    source.write_text("Pick one\nA) yes\nB) no\nANSWER: C\n\nUnfinished\nA. one\nB. two\n", encoding="utf-8")
    result = import_file("aiken", source)
    assert result.items == []
    assert [p.reason for p in result.problems] == [
        "\"Pick one\": ANSWER 'C' is not one of its options A, B",
        '"Unfinished" has no ANSWER line before the file ends',
    ]
    assert [p.location for p in result.problems] == ["1", "6"]


def test_aiken_ids_are_stable_and_unique_for_repeated_questions(tmp_path: Path) -> None:
    source = tmp_path / "twice.txt"
    source.write_text("Same?\nA) a\nB) b\nANSWER: A\n\nSame?\nA) a\nB) b\nANSWER: B\n", encoding="utf-8")
    first = [i["id"] for i in import_file("aiken", source).items]
    assert first == ["same", "same-2"]
    assert [i["id"] for i in import_file("aiken", source).items] == first
