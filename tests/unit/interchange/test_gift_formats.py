"""GIFT text formats, metadata and several right numbers, each from a small fixture of our own."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from interchange_cases import ROOT

from interchange import import_file

GIFT = ROOT / "tests" / "fixtures" / "gift"


def _by_id(name: str) -> dict[str, dict[str, Any]]:
    return {i["id"]: i for i in import_file("gift", GIFT / name).items}


def test_answers_and_feedback_take_the_question_format_so_no_markup_reaches_candidates() -> None:
    result = import_file("gift", GIFT / "formats.gift")
    items = {i["id"]: i for i in result.items}
    html = items["html-answers"]
    assert html["body"] == {
        "prompt": "Which course is open to all?",
        "options": [{"id": "a", "text": "Moodle MOOC"}, {"id": "b", "text": "Private tutoring"}],
    }
    assert html["rationale"] == "Open courses take everyone."
    assert "<" not in str(html) and "&lt;" not in str(html)
    assert result.problems == []


def test_markdown_is_read_as_its_text_and_plain_text_keeps_every_character() -> None:
    items = _by_id("formats.gift")
    assert items["markdown"]["body"] == {
        "prompt": "Which word is bold in this sentence?",
        "options": [{"id": "a", "text": "bold"}, {"id": "b", "text": "*sentence*"}],
    }
    assert items["plain"]["body"]["prompt"] == "Is <b> a tag in plain text?"
    assert items["plain"]["rationale"] == "Plain text shows <b> as typed."


def test_moodle_auto_format_keeps_line_breaks_and_reads_tags() -> None:
    assert _by_id("formats.gift")["moodle-auto-format"]["body"]["prompt"] == "Line one\nline two & three"


def test_id_and_tags_in_the_comments_become_the_item_id_and_tags() -> None:
    result = import_file("gift", GIFT / "metadata.gift")
    assert [(i["id"], i.get("tags")) for i in result.items] == [
        ("renew-01", ["renewals", "SMB accounts"]),
        ("quote-check", ["quotes"]),
        ("renew-01-2", None),
    ]
    assert [(p.location, p.reason) for p in result.problems] == [
        (
            "6",
            "imported as quote-check, but its id 'Not Valid!' is not a bank id (lower-case letters, "
            "digits, '_', '.' and '-', starting with a letter or digit)",
        ),
        ("9", "imported as renew-01-2, but its id 'renew-01' is taken by an earlier question"),
    ]


def test_every_full_credit_number_is_a_key_and_partly_right_ones_are_reported() -> None:
    result = import_file("gift", GIFT / "numeric_keys.gift")
    keys = {i["id"]: i["key"] for i in result.items}
    assert keys == {
        "square-side": {"value": 2, "also": [{"value": -2, "tolerance": Decimal("0.01")}]},
        "pi": {"value": Decimal("3.14"), "tolerance": Decimal("0.005")},
        "range": {"value": 2, "tolerance": 1, "also": [{"value": 10}]},
        "roughly-pi": {"value": Decimal("3.14"), "tolerance": Decimal("0.01")},
    }
    assert [(p.location, p.reason) for p in result.problems] == [
        (
            "3",
            "imported as pi, but the answer '3:0' earns 50% in the source; assess numbers are right or "
            "wrong, so it earns nothing",
        ),
        (
            "7",
            "imported as roughly-pi, but the answer '3:0' earns 25% in the source; assess numbers are right "
            "or wrong, so it earns nothing",
        ),
    ]
