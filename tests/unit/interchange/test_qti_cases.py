"""QTI import of the constructs issue 15 found refused or changed silently, one fixture of our own each."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from interchange_cases import ROOT, load_items

from interchange import import_file
from interchange.qti_item import QtiItem
from interchange.qti_package import as_qti3
from interchange.qti_processing import Processing
from interchange.qti_values import Container, Unreadable
from interchange.safe_xml import parse_xml

CASES = ROOT / "tests" / "fixtures" / "qti_cases"


def imported(name: str) -> tuple[dict[str, object], list[str]]:
    result = import_file("qti", CASES / name)
    [item] = result.items
    assert all(p.imported for p in result.problems)
    return item, [p.reason for p in result.problems]


def test_an_end_attempt_hint_is_left_out_and_reported_with_what_it_showed() -> None:
    item, notes = imported("end_attempt_hint.xml")
    assert item["type"] == "single_choice" and item["key"] == {"correct": "owner"}
    assert notes == [
        "imported as hint-choice, but left out the end-attempt button 'Show a hint', "
        "which showed 'Think of who owns the discount budget.'"
    ]


def test_essay_instructions_in_the_body_become_its_prompt() -> None:
    item, notes = imported("essay_instructions_in_body.xml")
    assert item["body"] == {
        "prompt": "Write a handover note for the colleague who takes over your accounts.\n\n"
        "Name the two renewals due this month."
    }
    assert notes == []
    item, _ = imported("essay_image_prompt.xml")
    assert item["body"] == {
        "prompt": "Explain in three sentences why seats fell in the third quarter."
        "\n\n[image: Seats per quarter]"
    }


def test_several_gaps_become_one_record_with_a_field_per_gap(tmp_path: Path) -> None:
    item, notes = imported("gaps_mapped.xml")
    assert item["body"] == {
        "prompt": "The client's head office is in _____ (1), on the _____ (2), "
        "and it renews _____ (3) seats.",
        "fields": [
            {"id": "gap_1", "kind": "text", "label": "Gap 1"},
            {"id": "gap_2", "kind": "text", "label": "Gap 2"},
            {"id": "gap_3", "kind": "amount", "label": "Gap 3"},
        ],
    }
    # Map keys compare case unless the entry says case-sensitive="false"; each gap keeps its points.
    assert item["key"] == {
        "fields": {
            "gap_1": {"kind": "text", "value": "Paris", "points": 1, "case_sensitive": True},
            "gap_2": {"kind": "text", "value": "Seine", "points": 2, "accept": ["la Seine"]},
            "gap_3": {"kind": "amount", "value": 40, "points": 1},
        }
    }
    assert notes == []
    load_items([item], tmp_path)


def test_gaps_scored_by_conditions_keep_their_case_rule_and_points() -> None:
    item, notes = imported("gaps_conditions.xml")
    assert item["key"] == {
        "fields": {
            "gap_1": {"kind": "text", "value": "Proposal", "points": Decimal("0.5")},
            "gap_2": {
                "kind": "text",
                "value": "Closed won",
                "points": Decimal("0.5"),
                "case_sensitive": True,
            },
        }
    }
    assert notes == []


def test_gaps_that_score_only_together_are_reported() -> None:
    result = import_file("qti", CASES / "gaps_all_or_nothing.xml")
    assert result.items == []
    [problem] = result.problems
    assert (problem.location, problem.reason) == (
        "gaps-together",
        "gives points only when its gaps are right together (1 for all of them); "
        "assess scores each gap on its own",
    )


def test_an_order_keeps_its_sources_rule() -> None:
    distance, notes = imported("order_distance.xml")
    assert (distance["key"], notes) == ({"ranking": ["C", "A", "B"]}, [])
    partial, notes = imported("order_first_place.xml")
    assert partial["key"] == {"ranking": ["lead", "manager", "director"], "rule": "exact", "points": 1}
    assert notes == [
        "imported as order-first, but it scores differently: the order lead, director, manager earns 0.5 "
        "in the source and 0 in assess; the incomplete order lead, manager earns 0.5 in the source "
        "and 0 in assess"
    ]


def test_a_fully_mapped_choice_with_a_lower_bound_of_0_loses_nothing() -> None:
    item, notes = imported("choice_lower_bound.xml")
    assert (item["key"], notes) == ({"correct": "ten"}, [])


@pytest.mark.parametrize(
    ("name", "note"),
    [
        ("choice_custom.xml", "it scores differently: option C earns 1 in the source and 0 in assess"),
        ("choice_custom_same.xml", None),
        (
            "choice_unread_operator.xml",
            "its response processing uses lookup-outcome-value, which assess does not read; "
            "it is scored by its declared key here",
        ),
        (
            "choice_unknown_template.xml",
            "uses the response processing template "
            "http://www.imsglobal.org/question/qti_v2p1/rptemplates/cc2_match_basic, "
            "which assess does not know; "
            "it is scored by its declared key here",
        ),
    ],
)
def test_custom_processing_is_read_by_what_it_computes(name: str, note: str | None) -> None:
    item, notes = imported(name)
    assert notes == ([f"imported as {item['id']}, but {note}"] if note else [])


def _processing(xml: str) -> Processing:
    return Processing(QtiItem(as_qti3(parse_xml(xml.encode(), "item.xml"))))


ORDER = """<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="o">
<responseDeclaration identifier="RESPONSE" cardinality="ordered" baseType="identifier">
<correctResponse><value>a</value><value>b</value></correctResponse></responseDeclaration>
<responseProcessing template="{template}"/></assessmentItem>"""


@pytest.mark.parametrize(
    "template",
    [
        "http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct",
        "http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct.xml",
        "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml",
        "https://www.imsglobal.org/question/qti_v3p0/rptemplates/match_correct.xml",
    ],
)
def test_match_correct_is_read_by_its_uri_in_both_versions(template: str) -> None:
    processing = _processing(ORDER.format(template=template))
    assert processing.score({"RESPONSE": Container(True, ("a", "b"))}) == 1
    assert processing.score({"RESPONSE": Container(True, ("b", "a"))}) == 0
    assert processing.score({}) == 0


def test_map_response_point_is_named_as_unreadable() -> None:
    processing = _processing(ORDER.format(template="rptemplates/map_response_point"))
    with pytest.raises(Unreadable, match="areas of an image"):
        processing.score({})


def test_runaway_processing_is_refused_not_run() -> None:
    deep = "<not>" * 80 + '<isNull><variable identifier="RESPONSE"/></isNull>' + "</not>" * 80
    xml = ORDER.replace('<responseProcessing template="{template}"/>', "").replace(
        "</assessmentItem>",
        f'<responseProcessing><responseCondition><responseIf>{deep}<setOutcomeValue identifier="SCORE">'
        '<baseValue baseType="float">1</baseValue></setOutcomeValue></responseIf></responseCondition>'
        "</responseProcessing></assessmentItem>",
    )
    with pytest.raises(Unreadable, match="too large to read"):
        _processing(xml).score({})
