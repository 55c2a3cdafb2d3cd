"""QTI 2.1 and 3.0 import: one question per item, mapped where faithful, reported otherwise."""

from __future__ import annotations

import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from interchange_cases import EXTERNAL, load_items

from interchange import InterchangeError, import_file

QTI21 = EXTERNAL / "qti21"
QTI30 = EXTERNAL / "qti30"
NOT_IMPORTED = "not imported"

# Per fixture: the type it becomes, or the start of the reason it is reported.
EXPECTED = {
    "qti21/Hottext_801974120.xml": "proofreading",
    "qti21/TextEntrynumeric_770468849.xml": "numeric",
    "qti21/choice.xml": "single_choice",
    "qti21/choice_multiple.xml": "is a multiple-response question whose mapping (H 1, O 1, Cl -1; others -2)",
    "qti21/extended_text.xml": "written",
    "qti21/hottext.xml": "proofreading",
    "qti21/likert.xml": "is a Likert (survey) question with no key",
    "qti21/order.xml": "sjt_rank",
    "qti21/text_entry.xml": "record_entry",
    "qti30/choice.xml": "single_choice",
    "qti30/choice_multiple.xml": "is a multiple-response question whose mapping (H 1, O 1, Cl -1; others -2)",
    "qti30/extended_text.xml": "written",
    "qti30/kennisnet-1_ITEM001_hottext.xml": "proofreading",
    "qti30/order.xml": "sjt_rank",
    "qti30/text_entry.xml": "record_entry",
}


def test_every_qti_fixture_imports_or_is_rejected_with_a_reason(tmp_path: Path) -> None:
    found = sorted(p.relative_to(EXTERNAL).as_posix() for p in (*QTI21.glob("*.xml"), *QTI30.glob("*.xml")))
    assert found == sorted(EXPECTED)
    for name, expected in EXPECTED.items():
        result = import_file("qti", EXTERNAL / name)
        if expected.startswith("is "):
            assert result.items == [], name
            [problem] = result.problems
            assert problem.reason.startswith(expected) and not problem.imported, problem
        else:
            [item] = result.items
            assert item["type"] == expected, name
            assert all(p.imported for p in result.problems), name
    for folder in (QTI21, QTI30):
        load_items(import_file("qti", folder).items, tmp_path, folder.name)


def test_choice_maps_to_single_choice_and_reports_the_image_it_cannot_show() -> None:
    for path, identifier in ((QTI21 / "choice.xml", "choice"), (QTI30 / "choice.xml", "ITM-choice")):
        result = import_file("qti", path)
        [item] = result.items
        assert item["id"] == identifier.lower()
        assert item["title"] == "Unattended Luggage"
        assert item["body"] == {
            "prompt": (
                "Look at the text in the picture.\n\n[image: NEVER LEAVE LUGGAGE UNATTENDED]\n\n"
                "What does it say?"
            ),
            "options": [
                {"id": "ChoiceA", "text": "You must stay with your luggage at all times."},
                {"id": "ChoiceB", "text": "Do not let someone else look after your luggage."},
                {"id": "ChoiceC", "text": "Remember your luggage when you leave."},
            ],
        }
        assert item["key"] == {"correct": "ChoiceA"}
        [note] = result.problems
        assert note.location == identifier and note.imported
        assert "left out the image" in note.reason and "sign.png" in note.reason


def test_order_and_numeric_text_entry_keys() -> None:
    [order] = import_file("qti", QTI30 / "order.xml").items
    # match_correct: 1 point for the exact order, nothing for any other.
    assert order["key"] == {"ranking": ["DriverC", "DriverA", "DriverB"], "rule": "exact", "points": 1}
    assert [o["id"] for o in order["body"]["options"]] == ["DriverA", "DriverB", "DriverC"]
    assert (order["body"]["first_label"], order["body"]["last_label"]) == ("first", "last")
    result = import_file("qti", QTI21 / "TextEntrynumeric_770468849.xml")
    [numeric] = result.items
    assert result.problems == []
    assert numeric["body"] == {
        "prompt": "Wieviele Einwohner hat der Freistaat Sachsen?\n\n_____ Mio. (Stand: 31. August 2011)"
    }
    # toleranceMode="relative" tolerance="5.0" is 5 percent of the key.
    assert numeric["key"] == {"value": Decimal("4.136"), "relative_tolerance": Decimal("0.05")}
    assert numeric["rationale"].startswith("Sachsen hat rund 4,1 Millionen Einwohner")


def test_text_entry_with_a_word_key_becomes_a_text_field_and_reports_partial_credit() -> None:
    result = import_file("qti", QTI30 / "text_entry.xml")
    [item] = result.items
    assert item["body"]["prompt"].splitlines()[3] == "Made glorious summer by this sun of _____;"
    # QTI compares map keys with their case unless an entry says otherwise: 'York' 1, 'york' 0.5, 'YORK' 0.
    assert item["key"] == {
        "fields": {"answer": {"kind": "text", "value": "York", "points": 1, "case_sensitive": True}}
    }
    [note] = result.problems
    assert note.reason == (
        "imported as itm-text_entry, but it scores differently: "
        "'york' in the gap earns 0.5 in the source and 0 in assess"
    )


def test_hottext_becomes_proofreading_with_the_keyed_hottexts_as_errors() -> None:
    [item] = import_file("qti", QTI21 / "Hottext_801974120.xml").items
    assert (
        item["body"]["instructions"]
        == "Geburtenrate in Sachsen\n\nSind die Fakten alle korrekt?\nSuche drei Fehler!"
    )
    assert item["body"]["passage"].startswith("Die Bevölkerungszahl Sachsens ist seit ca. 1950 rückläufig.")
    assert item["body"]["ask_corrections"] is False
    assert item["key"] == {
        "errors": [
            {"span": "5,7 Millionen Einwohner", "kind": "error"},
            {"span": "Chemnitz", "kind": "error"},
            {"span": "54 Jahre", "kind": "error"},
        ]
    }
    [kennisnet] = import_file("qti", QTI30 / "kennisnet-1_ITEM001_hottext.xml").items
    assert kennisnet["body"]["passage"] == "Dit is een tekst met opties"
    assert [e["span"] for e in kennisnet["key"]["errors"]] == ["Dit", "tekst"]


def test_extended_text_becomes_written_with_one_holistic_criterion_worth_maxscore() -> None:
    result = import_file("qti", QTI30 / "extended_text.xml")
    [item] = result.items
    assert item["body"]["prompt"] == "Write Sam a postcard. Answer the questions. Write 25-35 words."
    assert item["body"]["material"].startswith("Read this postcard from your English pen-friend, Sam.")
    assert "- What size is your town?\n- What is the nicest part of your town?" in item["body"]["material"]
    assert item["key"]["rubric"] == [
        {
            "id": "overall",
            "label": "Overall",
            "description": "Judged as a whole by the reviewer (the source gave no rubric).",
            "max_points": 4,
        }
    ]


def test_a_zipped_package_and_a_folder_import_the_same_items(tmp_path: Path) -> None:
    package = tmp_path / "package.zip"
    with zipfile.ZipFile(package, "w") as archive:
        for path in sorted(QTI30.glob("*.xml")):
            archive.write(path, f"items/{path.name}")
    folder = tmp_path / "folder"
    shutil.copytree(QTI30, folder)
    from_zip, from_folder = import_file("qti", package), import_file("qti", folder)
    assert from_zip.items == from_folder.items
    assert [p.location for p in from_zip.problems] == [p.location for p in from_folder.problems]
    assert from_zip.problems[0].source.startswith(f"{package}:items/")


ITEM = """<?xml version="1.0" encoding="UTF-8"?>
<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="{identifier}" title="T"
    adaptive="false" time-dependent="false">
  <qti-response-declaration identifier="R1" cardinality="single" base-type="identifier">
    <qti-correct-response><qti-value>a</qti-value></qti-correct-response>
  </qti-response-declaration>
  <qti-response-declaration identifier="R2" cardinality="single" base-type="string"/>
  {extra}
  <qti-item-body>{body}</qti-item-body>
</qti-assessment-item>
"""
CHOICE = (
    '<qti-choice-interaction response-identifier="R1" max-choices="1">'
    '<qti-simple-choice identifier="a">A</qti-simple-choice>'
    '<qti-simple-choice identifier="b">B</qti-simple-choice>'
    "</qti-choice-interaction>"
)


@pytest.mark.parametrize(
    ("extra", "body", "reason"),
    [
        ("", CHOICE + '<qti-extended-text-interaction response-identifier="R2"/>', "holds 2 interactions"),
        ("", '<qti-match-interaction response-identifier="R1"/>', "is a match interaction (pairs)"),
        (
            '<qti-template-declaration identifier="X" cardinality="single" base-type="integer"/>',
            CHOICE,
            "uses template",
        ),
        ("", "<p>Just reading.</p>", "has no interaction"),
    ],
)
def test_items_with_no_faithful_mapping_are_reported_by_identifier(
    tmp_path: Path, extra: str, body: str, reason: str
) -> None:
    path = tmp_path / "item.xml"
    path.write_text(ITEM.format(identifier="ITEM-7", extra=extra, body=body), encoding="utf-8")
    result = import_file("qti", path)
    assert result.items == []
    [problem] = result.problems
    assert (problem.source, problem.location) == (str(path), "ITEM-7")
    assert problem.reason.startswith(reason)


def test_files_in_a_folder_that_are_not_items_are_reported(tmp_path: Path) -> None:
    (tmp_path / "stimulus.xml").write_text('<qti-assessment-stimulus xmlns="x"/>', encoding="utf-8")
    (tmp_path / "broken.xml").write_text("<qti-assessment-item", encoding="utf-8")
    result = import_file("qti", tmp_path)
    assert result.items == []
    assert sorted((Path(p.source).name, p.reason.split(":")[0]) for p in result.problems) == [
        ("broken.xml", "is not well-formed XML"),
        ("stimulus.xml", "not a QTI assessment item; skipped"),
    ]


def test_progress_is_told_once_per_item() -> None:
    calls: list[tuple[int, int]] = []
    import_file("qti", QTI21, lambda done, total: calls.append((done, total)))
    assert calls == [(n, 9) for n in range(1, 10)]


def test_a_single_malformed_file_fails_the_import_as_a_whole(tmp_path: Path) -> None:
    path = tmp_path / "item.xml"
    path.write_text("<qti-assessment-item><unclosed></qti-assessment-item>", encoding="utf-8")
    with pytest.raises(InterchangeError, match="is not well-formed XML"):
        import_file("qti", path)
