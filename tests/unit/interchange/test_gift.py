"""GIFT import, read as Moodle reads it: every question is an item or a reported problem."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from interchange_cases import EXTERNAL, load_items

from interchange import import_file
from interchange.gift import question_blocks

GIFT = EXTERNAL / "gift"


def _by_id(path: Path) -> dict[str, dict[str, object]]:
    return {i["id"]: i for i in import_file("gift", path).items}


def test_every_question_of_every_gift_fixture_is_imported_or_reported(tmp_path: Path) -> None:
    for path in sorted(GIFT.glob("*.txt")):
        result = import_file("gift", path)
        blocks = question_blocks(path.read_text(encoding="utf-8").splitlines())
        questions = [b for b in blocks if not b.text.startswith("$CATEGORY:")]
        skipped = [p for p in result.problems if not p.imported]
        assert len(result.items) + len(skipped) == len(questions), path.name
        assert all(p.source == str(path) and p.location.isdigit() for p in result.problems)
        load_items(result.items, tmp_path, path.stem.replace(".", "-"))


def test_questions_gift_maps_each_type_exactly() -> None:
    result = import_file("gift", GIFT / "questions.gift.txt")
    got = {i["id"]: (i["type"], i["body"], i["key"]) for i in result.items}
    assert got["q8"] == (
        "written",
        {"prompt": "How are you?"},
        {
            "rubric": [
                {
                    "id": "overall",
                    "label": "Overall",
                    "description": "Judged as a whole by the reviewer (the source gave no rubric).",
                    "max_points": 1,
                }
            ]
        },
    )
    assert got["q2"] == (
        "single_choice",
        {
            "prompt": "What's between orange and green in the spectrum?",
            "options": [
                {"id": "a", "text": "yellow"},
                {"id": "b", "text": "red"},
                {"id": "c", "text": "blue"},
            ],
        },
        {"correct": "a"},
    )
    assert got["q5"][0] == "numeric" and got["q5"][2] == {"value": 3, "tolerance": 2}
    assert got["shortanswer"][2] == {"fields": {"answer": {"kind": "text", "value": "Frog", "points": 1}}}
    assert got["q1"][2] == {"correct": "false"}
    assert ("2-08-tsl" in got) and ("2-08-tsl-2" in got)
    by_id = {i["id"]: i for i in result.items}
    assert by_id["q1"]["rationale"] == "This is, of course, a Hitchiker's Guide to the Galaxy reference."
    assert by_id["q2"]["rationale"] == "right; good!"
    reported = [(p.location, p.reason) for p in result.problems]
    assert reported == [
        ("5", '"Moodle activities" is a matching question (pairs), which has no assess type'),
        (
            "22",
            '"colours" is a multiple-answer question that assess cannot score the same way: '
            "its weights are not +w per right answer and -w per wrong one",
        ),
        (
            "34",
            "imported as shortanswer, but 'Cat' earns 50 of 100 in the source; assess text answers are right "
            "or wrong (ignoring case and spacing), so it earns nothing",
        ),
    ]


def test_gift_missing_word_numeric_ranges_weights_and_escapes() -> None:
    items = _by_id(GIFT / "examples.txt")
    assert items["grant-is-in-grants-tomb"]["body"] == {
        "prompt": "Grant is _____ in Grant's tomb.",
        "options": [
            {"id": "a", "text": "buried"},
            {"id": "b", "text": "entombed"},
            {"id": "c", "text": "living"},
        ],
    }
    assert items["what-is-the-value-of-pi-to-3-decimal-places-2"]["key"] == {
        "value": Decimal("3.1415"),
        "tolerance": Decimal("0.0005"),
    }
    assert items["jesus-hometown"]["key"] == {
        "correct": "d",
        "credit": {"b": Decimal("0.25"), "c": Decimal("0.5")},
    }
    assert items["which-answer-equals-5"]["body"]["options"] == [
        {"id": "a", "text": "= 2 + 2"},
        {"id": "b", "text": "= 2 + 3"},
        {"id": "c", "text": "= 2 + 4"},
    ]
    assert [o["text"] for o in items["gift-control-characters"]["body"]["options"]] == [
        "~",
        "=",
        "#",
        "{",
        "}",
        "\\",
    ]
    # "+50% per right answer, -50% per wrong one" is exactly a per-row flags field.
    entombed = items["what-two-people-are-entombed-in-grants-tomb"]
    assert entombed["type"] == "record_entry"
    assert entombed["key"] == {
        "fields": {
            "selected": {"kind": "flags", "value": ["b", "c"], "rule": "per_row", "points": Decimal("0.5")}
        }
    }


def test_gift_categories_set_sections_and_links_left_behind_are_reported() -> None:
    result = import_file("gift", GIFT / "questions_in_category.gift.txt")
    assert {i["id"]: i["section"] for i in result.items} == {
        "greeting": "default-for-new-features",
        "moodle-user": "default-for-new-features",
        "moodle-acronym": "default-for-new-features",
    }
    greeting = next(i for i in result.items if i["id"] == "greeting")
    assert greeting["body"]["prompt"] == "Listen to this greeting:\n\nWhat language is being spoken?"
    assert [(p.location, p.imported) for p in result.problems] == [("5", False), ("14", True)]
    assert "http://demo.moodle.net/file.php/5/media/bonjour.mp3" in result.problems[1].reason


def test_gift_reports_unbalanced_braces_and_descriptions(tmp_path: Path) -> None:
    source = tmp_path / "broken.gift"
    source.write_text("::Open:: What is missing {=this\n\n::Info:: Just some text.\n", encoding="utf-8")
    result = import_file("gift", source)
    assert result.items == []
    assert [str(p) for p in result.problems] == [
        f'{source}:1: "Open" has unbalanced braces {{ }}: its answers cannot be read',
        f'{source}:3: "Info" is a description (no answers in braces): there is nothing to answer',
    ]
