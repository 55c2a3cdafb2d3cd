"""Every QTI fixture scores the source's correct, partly correct and wrong answers as its source does,
or its import said why not.

Each expected value is read off the item's own response processing (in the comment beside it) and
the imported item is scored the way ``assess score`` does, with its type from the registry.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from interchange_cases import EXTERNAL, ROOT

from interchange import import_file
from items import registry

CASES = ROOT / "tests" / "fixtures" / "qti_cases"
SCORING_NOTES = ("scores differently", "does not read", "does not know")


def _ranks(*order: str) -> dict[str, Any]:
    return {"ranks": {o: n for n, o in enumerate(order, start=1)}}


def _marks(item: dict[str, Any], *spans: str) -> dict[str, Any]:
    """The passage's words covered by each span, as the proofreading page numbers them."""
    item_type = registry.get("proofreading")
    body = item_type.body.model_validate(item["body"])
    shape: Any = item_type.shape(body, item_type.key.model_validate(item["key"]))
    passage = item["body"]["passage"]
    marks = []
    for span in spans:
        start = passage.index(span)
        marks += [n for n, (s, e) in enumerate(shape.words) if start <= s and e <= start + len(span)]
    return {"marks": marks}


# (file, [(answer, source points, why)]): right, partly right and wrong answers as the source scores them.
EXPECTED: list[tuple[Path, list[tuple[Any, str, str]]]] = [
    (
        EXTERNAL / "qti21/choice.xml",
        [({"choice": "ChoiceA"}, "1", "match_correct"), ({"choice": "ChoiceB"}, "0", "")],
    ),
    (
        EXTERNAL / "qti30/choice.xml",
        [({"choice": "ChoiceA"}, "1", "match_correct"), ({"choice": "ChoiceC"}, "0", "")],
    ),
    (
        EXTERNAL / "qti21/order.xml",
        [
            (_ranks("DriverC", "DriverA", "DriverB"), "1", "match_correct on the order"),
            (_ranks("DriverA", "DriverC", "DriverB"), "0", "one swap is not the correct order"),
            (_ranks("DriverB", "DriverA", "DriverC"), "0", ""),
        ],
    ),
    (
        EXTERNAL / "qti30/order.xml",
        [
            (_ranks("DriverC", "DriverA", "DriverB"), "1", ""),
            (_ranks("DriverC", "DriverB", "DriverA"), "0", ""),
        ],
    ),
    (
        EXTERNAL / "qti21/TextEntrynumeric_770468849.xml",
        # equal, relative tolerance 5 %: 4.136 and 4.3 (within 5 %) earn MAXSCORE 1, 5 does not.
        [({"value": "4.136"}, "1", ""), ({"value": "4.3"}, "1", "within 5 %"), ({"value": "5"}, "0", "")],
    ),
    (
        EXTERNAL / "qti30/text_entry.xml",
        # map_response: York 1, york 0.5 (the import reports it), anything else 0.
        [
            ({"fields": {"answer": "York"}}, "1", ""),
            ({"fields": {"answer": "york"}}, "0.5", "reported"),
            ({"fields": {"answer": "Lancaster"}}, "0", ""),
        ],
    ),
    (
        EXTERNAL / "qti21/text_entry.xml",
        [({"fields": {"answer": "York"}}, "1", ""), ({"fields": {"answer": "YORK"}}, "0", "case matters")],
    ),
    (
        CASES / "gaps_mapped.xml",
        # Sum of map_response (Paris 1; Seine or la Seine 2, any case) plus 1 for 40 seats.
        [
            ({"fields": {"gap_1": "Paris", "gap_2": "la seine", "gap_3": "40"}}, "4", ""),
            ({"fields": {"gap_1": "paris", "gap_2": "SEINE", "gap_3": "41"}}, "2", "only the river"),
            ({"fields": {"gap_1": "Lyon"}}, "0", ""),
        ],
    ),
    (
        CASES / "gaps_conditions.xml",
        # 0.5 for Proposal in any case, 0.5 for exactly "Closed won".
        [
            ({"fields": {"gap_1": "proposal", "gap_2": "Closed won"}}, "1", ""),
            ({"fields": {"gap_1": "PROPOSAL", "gap_2": "closed won"}}, "0.5", ""),
            ({"fields": {"gap_1": "Demo"}}, "0", ""),
        ],
    ),
    (
        CASES / "order_distance.xml",
        # 4 less the places each choice is off: C A B 4; A C B 2; B A C 0.
        [
            (_ranks("C", "A", "B"), "4", ""),
            (_ranks("A", "C", "B"), "2", ""),
            (_ranks("B", "A", "C"), "0", ""),
        ],
    ),
    (
        CASES / "order_first_place.xml",
        # 1 for the exact order, 0.5 when the team lead comes first (the import reports it).
        [
            (_ranks("lead", "manager", "director"), "1", ""),
            (_ranks("lead", "director", "manager"), "0.5", "reported"),
            (_ranks("director", "manager", "lead"), "0", ""),
        ],
    ),
    (
        CASES / "choice_lower_bound.xml",
        # map_response with lower bound 0: ten 1, twenty -1 -> 0, none 0.
        [
            ({"choice": "ten"}, "1", ""),
            ({"choice": "twenty"}, "0", "floored at 0"),
            ({"choice": "none"}, "0", ""),
        ],
    ),
    (
        CASES / "choice_custom.xml",
        # MAXSCORE 2 for B, 1 for C (reported), 0 for A.
        [({"choice": "B"}, "2", ""), ({"choice": "C"}, "1", "reported"), ({"choice": "A"}, "0", "")],
    ),
    (
        CASES / "end_attempt_hint.xml",
        [({"choice": "owner"}, "1", "no hint asked"), ({"choice": "rep"}, "0", "")],
    ),
    (
        EXTERNAL / "qti21/hottext.xml",
        # match_correct on one hottext: "includes" 1, "who bought" 0.
        [("includes", "1", ""), ("who bought", "0", "")],
    ),
    (
        EXTERNAL / "qti21/Hottext_801974120.xml",
        # All three errors together earn MAXSCORE 1, fewer earn 0: the import reports the difference.
        [
            (("5,7 Millionen Einwohner", "Chemnitz", "54 Jahre"), "1", "reported"),
            ("Chemnitz", "0", "reported"),
        ],
    ),
]


@pytest.mark.parametrize(("path", "answers"), EXPECTED, ids=[str(p.relative_to(ROOT)) for p, _ in EXPECTED])
def test_imported_items_score_as_their_source_or_the_import_says_why(
    path: Path, answers: list[tuple[Any, str, str]]
) -> None:
    result = import_file("qti", path)
    [item] = result.items
    reported = any(any(n in p.reason for n in SCORING_NOTES) for p in result.problems)
    item_type = registry.get(item["type"])
    body, key = item_type.body.model_validate(item["body"]), item_type.key.model_validate(item["key"])
    for answer, source, why in answers:
        if item["type"] == "proofreading":
            answer = _marks(item, *((answer,) if isinstance(answer, str) else answer))
        response = item_type.response.model_validate(answer, context={"body": body})
        points = item_type.score(body, key, response).points
        assert points == Decimal(source) or reported, (answer, why)
