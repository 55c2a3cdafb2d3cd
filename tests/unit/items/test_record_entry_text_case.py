"""record_entry text fields: case ignored by default, compared exactly per field when the key says so."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from item_templates import item_templates

from items.types import record_entry as t

ROOT = Path(__file__).resolve().parents[3]

BODY = t.Body.model_validate(
    {
        "prompt": "The capital of France is _____ (1) and its river is the _____ (2).",
        "fields": [
            {"id": "gap_1", "kind": "text", "label": "Gap 1"},
            {"id": "gap_2", "kind": "text", "label": "Gap 2"},
        ],
    }
)
KEY = t.Key.model_validate(
    {
        "fields": {
            "gap_1": {"kind": "text", "value": "Paris", "case_sensitive": True, "accept": ["PARIS"]},
            "gap_2": {"kind": "text", "value": "Seine", "points": 2},
        }
    }
)


@pytest.mark.parametrize(
    ("gap_1", "gap_2", "points", "why"),
    [
        ("Paris", "Seine", "3", "both right as written"),
        ("  Paris ", "seine", "3", "spacing never matters; gap 2 ignores case"),
        ("PARIS", "SEINE", "3", "an accepted spelling, compared with its case"),
        ("paris", "Seine", "2", "gap 1 compares case: 'paris' is not 'Paris'"),
        ("pArIs", "Loire", "0", "wrong case in gap 1, wrong word in gap 2"),
    ],
)
def test_text_fields_compare_case_only_where_the_key_asks(
    gap_1: str, gap_2: str, points: str, why: str
) -> None:
    score = t.score(BODY, KEY, t.Response(fields={"gap_1": gap_1, "gap_2": gap_2}))
    assert score.points == Decimal(points), why
    assert score.max_points == Decimal(3)


def test_a_case_sensitive_miss_says_that_case_matters() -> None:
    score = t.score(BODY, KEY, t.Response(fields={"gap_1": "paris"}))
    assert score.parts[0].explanation == "Entered 'paris'; expected Paris (case matters)."
    assert score.parts[1].explanation == "Left blank; expected Seine."


def test_case_sensitivity_defaults_to_ignoring_case() -> None:
    expected = t.TextExpected.model_validate({"kind": "text", "value": "Seine"})
    assert expected.case_sensitive is False


def test_the_reviewer_view_shows_which_fields_compare_case() -> None:
    env = item_templates()
    macros: Any = env.get_template("items/record_entry.html").module
    response = t.Response(fields={"gap_1": "paris", "gap_2": "seine"})
    html = str(macros.reviewer(BODY, KEY, response, t.score(BODY, KEY, response)))
    assert "Paris (also: PARIS) (case matters)" in html
    assert html.count("(case matters)") == 2  # the key column of gap 1 and its part's explanation
