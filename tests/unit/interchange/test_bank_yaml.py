"""Imported items are written as a bank file the loader accepts, numbers and line breaks intact."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from interchange_cases import load_items

from interchange import dump_bank
from interchange.bank_items import new_item, section_and_tags, slug, stable_id


def test_written_bank_keeps_decimals_line_breaks_and_looks_like_an_authored_file(tmp_path: Path) -> None:
    items = [
        new_item(
            item_id="q1",
            type_name="single_choice",
            title="First",
            body={
                "prompt": "Line one\nLine two: 2025-07-30",
                "options": [{"id": "a", "text": "1"}, {"id": "b", "text": "yes"}],
            },
            key={"correct": "a", "points": Decimal("2"), "credit": {"b": Decimal("0.25")}},
            minutes=Decimal("1.5"),
        ),
        new_item(
            item_id="q2",
            type_name="numeric",
            title="Second",
            body={"prompt": "How many?"},
            key={"value": Decimal("4.136"), "relative_tolerance": Decimal("0.05")},
        ),
    ]
    text = dump_bank(items, "imported", "Imported", "from somewhere\nby a test")
    assert text.startswith("# from somewhere\n# by a test\nbank: imported\n")
    assert "&" not in text and "*id" not in text
    assert "prompt: |-\n" in text
    path = tmp_path / "bank.yaml"
    path.write_text(text, encoding="utf-8")
    catalogue = load_items(items, tmp_path)
    first, second = catalogue.items["q1"], catalogue.items["q2"]
    assert first.minutes == Decimal("1.5")
    assert first.body.model_dump()["prompt"] == "Line one\nLine two: 2025-07-30"
    assert first.key.model_dump()["credit"] == {"b": Decimal("0.25")}
    assert [o["text"] for o in first.body.model_dump()["options"]] == ["1", "yes"]
    assert second.key.model_dump()["value"] == Decimal("4.136")


def test_ids_are_stable_slugs_in_the_bank_pattern() -> None:
    assert slug("Who's buried in Grant's tomb?") == "whos-buried-in-grants-tomb"
    assert slug("Ulysses S. Grant") == "ulysses-s-grant"
    assert slug("ITM-choice_multiple") == "itm-choice_multiple"
    assert slug("_2-08 TSL") == "2-08-tsl"
    assert slug("Geburtenrate in Sachsen – Übung") == "geburtenrate-in-sachsen-ubung"
    assert stable_id("", "  ", "Fallback text") == "fallback-text"
    assert stable_id("") == "item"


def test_categories_become_a_section_and_outer_tags() -> None:
    assert section_and_tags("$course$/Iota/Kappa/Lambda") == ("lambda", ["iota", "kappa"])
    assert section_and_tags("$system$/Default for C1") == ("default-for-c1", [])
    assert section_and_tags("$course$/") == ("imported", [])
