"""record_entry: typed dates and amounts, field-by-field scoring, key checks, templates."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from item_templates import item_templates
from pydantic import ValidationError

from items.bank import load_banks
from items.base import Part, ResponseError, Score
from items.types import record_entry as t

ROOT = Path(__file__).resolve().parents[3]

# The notes state values in words so that no key value appears literally in the body.
BODY = t.Body.model_validate(
    {
        "prompt": "Update the record for Lakeside Print Co. from your call notes.",
        "notes": "Spoke with Ana Ruiz. Renewal moves from the first of May to the tenth of June.\n"
        "Forty seats, eighteen thousand a year. Signers: Cole, then Ruiz, then Baker.",
        "table": {
            "caption": "Usage against target",
            "columns": ["Metric", "Target", "Actual"],
            "rows": [
                {"id": "seats", "cells": ["Seats", "40", "38"]},
                {"id": "logins", "cells": ["Logins", "900", "950"]},
                {"id": "tickets", "cells": ["Tickets closed", "30", "22"]},
            ],
        },
        "fields": [
            {"id": "contact", "kind": "text", "label": "Contact"},
            {"id": "renewal", "kind": "date", "label": "Renewal date"},
            {"id": "value", "kind": "amount", "label": "Annual value"},
            {
                "id": "stage",
                "kind": "choice",
                "label": "Stage",
                "options": [{"id": "open", "text": "Open"}, {"id": "commit", "text": "Verbal commit"}],
            },
            {"id": "signers", "kind": "ordered_list", "label": "Signers in order", "count": 3},
            {"id": "below", "kind": "flags", "label": "Below target"},
        ],
    }
)
KEY = t.Key.model_validate(
    {
        "fields": {
            "contact": {"kind": "text", "value": "Ana Ruiz", "accept": ["Ana M. Ruiz"]},
            "renewal": {"kind": "date", "value": "2025-06-10", "points": 2},
            "value": {"kind": "amount", "value": "18000"},
            "stage": {"kind": "choice", "value": "commit"},
            "signers": {"kind": "ordered_list", "value": ["Jo Cole", "Ana Ruiz", "Sam Baker"]},
            "below": {"kind": "flags", "value": ["seats", "tickets"]},
        }
    }
)
PERFECT: dict[str, str | list[str]] = {
    "contact": "Ana Ruiz",
    "renewal": "June 10, 2025",
    "value": "$18,000",
    "stage": "commit",
    "signers": ["Jo Cole", "Ana Ruiz", "Sam Baker"],
    "below": ["seats", "tickets"],
}


def answer(**fields: str | list[str]) -> t.Response:
    return t.Response(fields=fields)


def part(response: t.Response, label: str) -> tuple[Decimal, str]:
    found = next(p for p in t.score(BODY, KEY, response).parts if p.label == label)
    return found.points, found.explanation


def test_record_perfect_entry_earns_every_point_with_a_part_per_field() -> None:
    result = t.score(BODY, KEY, t.Response(fields=PERFECT))
    assert result.points == result.max_points == Decimal(8)
    assert [p.label for p in result.parts] == [f.label for f in BODY.fields]
    assert sum(p.points for p in result.parts) == result.points
    assert not result.pending_review


@pytest.mark.parametrize(
    ("fields", "label", "points", "explanation"),
    [
        ({"contact": "  ana   RUIZ "}, "Contact", "1", "matches the expected Ana Ruiz"),
        ({"contact": "Ana M. Ruiz"}, "Contact", "1", "matches"),
        ({"contact": "Anna Ruiz"}, "Contact", "0", "Entered 'Anna Ruiz'; expected Ana Ruiz."),
        ({"renewal": "2025-06-10"}, "Renewal date", "2", "read as June 10, 2025"),
        ({"renewal": "10 June 2025"}, "Renewal date", "2", "matches the expected June 10, 2025"),
        ({"renewal": "06/10/2025"}, "Renewal date", "2", "matches"),
        ({"renewal": "May 1, 2025"}, "Renewal date", "0", "Entered 'May 1, 2025'; expected June 10, 2025."),
        ({"renewal": "10/06/2025"}, "Renewal date", "0", "read as October 6, 2025"),
        ({"value": "18000"}, "Annual value", "1", "matches the expected 18,000"),
        ({"value": "18,000.00"}, "Annual value", "1", "matches"),
        ({"value": "$1,800"}, "Annual value", "0", "Entered '$1,800'; expected 18,000."),
        ({"stage": "commit"}, "Stage", "1", "Entered Verbal commit, which matches"),
        ({"stage": "open"}, "Stage", "0", "Entered Open; expected Verbal commit."),
        (
            {"signers": ["jo cole", "Ana  Ruiz", "SAM BAKER"]},
            "Signers in order",
            "1",
            "in the expected order",
        ),
        (
            {"signers": ["Sam Baker", "Jo Cole", "Ana Ruiz"]},
            "Signers in order",
            "0",
            "the right names in the wrong order; expected Jo Cole, Ana Ruiz, Sam Baker.",
        ),
        (
            {"signers": ["Jo Cole", "", "Sam Baker"]},
            "Signers in order",
            "0",
            "position 2 is '(blank)' where 'Ana Ruiz' was expected",
        ),
        ({"stage": "open"}, "Contact", "0", "Left blank; expected Ana Ruiz."),
        ({"stage": "open"}, "Signers in order", "0", "Left blank; expected Jo Cole, Ana Ruiz, Sam Baker."),
    ],
)
def test_record_scores_each_field_against_its_key(
    fields: dict[str, str | list[str]], label: str, points: str, explanation: str
) -> None:
    earned, why = part(answer(**fields), label)
    assert earned == Decimal(points)
    assert explanation in why


@pytest.mark.parametrize(
    ("rule", "flagged", "points", "explanation"),
    [
        ("per_row", ["seats", "tickets"], "2", "2 right minus 0 wrong = 2 of 2 rows"),
        ("per_row", ["seats"], "1", "missed: tickets"),
        ("per_row", ["seats", "logins"], "0", "1 right minus 1 wrong = 0 of 2 rows"),
        ("per_row", ["logins"], "0", "0 right minus 1 wrong = 0 of 2 rows"),
        ("per_row", [], "0", "flagged correctly: none"),
        ("exact", ["seats", "tickets"], "1", "Exactly the keyed rows earn the points"),
        ("exact", ["seats", "tickets", "logins"], "0", "flagged wrongly: logins"),
    ],
)
def test_record_flags_score_per_row_or_exact_set(
    rule: str, flagged: list[str], points: str, explanation: str
) -> None:
    key = KEY.model_copy(
        update={
            "fields": {
                **KEY.fields,
                "below": t.FlagsExpected(kind="flags", value=["seats", "tickets"], rule=rule),
            }
        }
    )
    response = answer(contact="x", below=flagged) if flagged else answer(contact="x")
    found = next(p for p in t.score(BODY, key, response).parts if p.label == "Below target")
    assert found.points == Decimal(points)
    assert explanation in found.explanation


def test_record_max_counts_per_row_flags_once_per_keyed_row() -> None:
    assert t.max_points(BODY, KEY) == 1 + 2 + 1 + 1 + 1 + 2
    exact = {**KEY.fields, "below": t.FlagsExpected(kind="flags", value=["seats"], rule="exact")}
    assert t.max_points(BODY, KEY.model_copy(update={"fields": exact})) == 7


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({}, None),
        ({"contact": ["  "], "signers-1": [""], "stage": [""], "junk": ["x"]}, None),
        ({"contact": ["  Ana   Ruiz "]}, answer(contact="Ana Ruiz")),
        (
            {"renewal": ["June 10, 2025"], "value": ["18,000"]},
            answer(renewal="June 10, 2025", value="18,000"),
        ),
        ({"signers-2": ["Ana Ruiz"]}, answer(signers=["", "Ana Ruiz", ""])),
        ({"below": ["tickets", " seats ", "tickets", ""]}, answer(below=["seats", "tickets"])),
        ({"stage": ["commit", "open"]}, answer(stage="commit")),
    ],
)
def test_record_normalises_partial_answers_and_ignores_blanks(
    form: dict[str, list[str]], expected: t.Response | None
) -> None:
    assert t.normalise(BODY, form) == expected


@pytest.mark.parametrize(
    ("form", "field", "reason"),
    [
        ({"renewal": ["30/07/2025"]}, "renewal", "month first"),
        ({"renewal": ["soon"]}, "renewal", "include the year"),
        ({"value": ["about 18k"]}, "value", "is not an amount"),
        ({"stage": ["won"]}, "stage", "'won' is not one of the options"),
        ({"below": ["seats", "revenue"]}, "below", "'revenue' is not a row"),
        ({"contact": ["x" * 301]}, "contact", "longer than 300"),
        ({"signers-3": ["y" * 301]}, "signers-3", "longer than 300"),
    ],
)
def test_record_rejects_unreadable_values_at_their_field(
    form: dict[str, list[str]], field: str, reason: str
) -> None:
    with pytest.raises(ResponseError) as error:
        t.normalise(BODY, form)
    assert error.value.field == field
    assert reason in error.value.reason


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"owner": "Ana"}, "fields"),
        ({"contact": ["Ana", "Ruiz"]}, "contact"),
        ({"below": "seats"}, "below"),
        ({"below": ["seats", "churn"]}, "below"),
        ({"signers": "Jo Cole"}, "signers"),
        ({"signers": ["Jo Cole", "Ana Ruiz"]}, "signers"),
        ({"stage": "won"}, "stage"),
        ({"renewal": "sometime"}, "renewal"),
        ({"value": "lots"}, "value"),
    ],
)
def test_record_score_rejects_a_json_response_the_body_cannot_have(
    fields: dict[str, str | list[str]], field: str
) -> None:
    with pytest.raises(ResponseError) as error:
        t.score(BODY, KEY, t.Response(fields=fields))
    assert error.value.field == field


def test_record_check_accepts_a_sound_key() -> None:
    assert t.check(BODY, KEY) == []


def _with_key(**changes: dict[str, Any] | None) -> t.Key:
    fields = {k: v.model_dump(mode="json") for k, v in KEY.fields.items()}
    for name, value in changes.items():
        if value is None:
            del fields[name]
        else:
            fields[name] = value
    return t.Key.model_validate({"fields": fields})


@pytest.mark.parametrize(
    ("key", "field", "message"),
    [
        (_with_key(contact=None), "key.fields", "field 'contact' has no key"),
        (_with_key(owner={"kind": "text", "value": "x"}), "key.fields.owner", "not in body.fields"),
        (_with_key(value={"kind": "date", "value": "2025-01-01"}), "key.fields.value.kind", "is 'date'"),
        (_with_key(stage={"kind": "choice", "value": "won"}), "key.fields.stage.value", "names option 'won'"),
        (
            _with_key(signers={"kind": "ordered_list", "value": ["A", "B"]}),
            "key.fields.signers.value",
            "lists 2",
        ),
        (
            _with_key(below={"kind": "flags", "value": ["seats", "churn"]}),
            "key.fields.below.value[1]",
            "'churn'",
        ),
        (
            _with_key(below={"kind": "flags", "value": ["seats", "seats"]}),
            "key.fields.below.value",
            "more than once",
        ),
        (
            _with_key(below={"kind": "flags", "value": []}),
            "key.fields.below.rule",
            "per_row needs at least one",
        ),
    ],
)
def test_record_check_catches_keys_that_do_not_fit_the_body(key: t.Key, field: str, message: str) -> None:
    problems = t.check(BODY, key)
    assert any(p.field == field and message in p.message for p in problems), problems


def test_record_check_accepts_an_exact_rule_with_nothing_to_flag() -> None:
    assert t.check(BODY, _with_key(below={"kind": "flags", "value": [], "rule": "exact"})) == []


def _body(**changes: Any) -> t.Body:
    return t.Body.model_validate({**BODY.model_dump(mode="json"), **changes})


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (_body(table=None), "body.fields[5]", "needs body.table"),
        (
            _body(
                table={
                    "columns": ["A", "B"],
                    "rows": [{"id": "seats", "cells": ["x"]}, {"id": "seats", "cells": ["y", "z"]}],
                }
            ),
            "body.table.rows[0].cells",
            "has 1 cells for 2 columns",
        ),
        (
            _body(
                table={
                    "columns": ["A"],
                    "rows": [{"id": "seats", "cells": ["x"]}, {"id": "seats", "cells": ["y"]}],
                }
            ),
            "body.table.rows[1].id",
            "duplicate row id",
        ),
        (
            _body(
                fields=[
                    *BODY.model_dump(mode="json")["fields"],
                    {"id": "contact", "kind": "text", "label": "Again"},
                ]
            ),
            "body.fields[6].id",
            "duplicate field id",
        ),
        (
            _body(
                fields=[
                    *BODY.model_dump(mode="json")["fields"][:3],
                    {
                        "id": "stage",
                        "kind": "choice",
                        "label": "S",
                        "options": [{"id": "commit", "text": "a"}, {"id": "commit", "text": "b"}],
                    },
                    *BODY.model_dump(mode="json")["fields"][4:],
                ]
            ),
            "body.fields[3].options[1].id",
            "duplicate option id",
        ),
    ],
)
def test_record_check_catches_bodies_that_break_the_rules(body: t.Body, field: str, message: str) -> None:
    problems = t.check(body, KEY)
    assert any(p.field == field and message in p.message for p in problems), problems


@pytest.mark.parametrize(
    "field",
    [
        {"id": "x", "kind": "number", "label": "X"},
        {"id": "x", "kind": "text", "label": "X", "options": []},
        {"id": "x-1", "kind": "text", "label": "X"},
        {"id": "x", "kind": "ordered_list", "label": "X"},
        {"id": "x", "kind": "choice", "label": "X", "options": [{"id": "a", "text": "A"}]},
    ],
)
def test_record_body_schema_rejects_malformed_fields(field: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        t.Body.model_validate({"prompt": "p", "fields": [field]})


@pytest.mark.parametrize(
    "expected",
    [
        {"kind": "date", "value": "July 30"},
        {"kind": "amount", "value": "12k"},
        {"kind": "flags", "value": [], "rule": "some"},
        {"kind": "text", "value": "x", "points": 0},
    ],
)
def test_record_key_schema_rejects_malformed_keys(expected: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        t.Key.model_validate({"fields": {"x": expected}})


def test_record_body_and_key_survive_a_json_round_trip() -> None:
    assert t.Body.model_validate(BODY.model_dump(mode="json")) == BODY
    assert t.Key.model_validate(KEY.model_dump(mode="json")) == KEY


single_values = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["June 10, 2025", "2025-06-10", "13/01/2025", "18,000", "$18,000.00", "commit", "open"]),
)
responses = st.fixed_dictionaries(
    {},
    optional={
        "contact": st.sampled_from(["Ana Ruiz", "ana ruiz", "Anna", "Ana M. Ruiz"]),
        "renewal": st.sampled_from(["June 10, 2025", "06/10/2025", "May 1, 2025", "1 May 2025"]),
        "value": st.sampled_from(["18000", "$18,000", "1,800", "18,000.01"]),
        "stage": st.sampled_from(["open", "commit"]),
        "signers": st.permutations(["Jo Cole", "Ana Ruiz", "Sam Baker"]),
        "below": st.lists(st.sampled_from(["seats", "logins", "tickets"]), unique=True),
    },
)


@given(fields=responses)
def test_record_scores_stay_in_range_and_repeat(fields: dict[str, Any]) -> None:
    response = t.Response(fields=fields)
    first = t.score(BODY, KEY, response)
    assert Decimal(0) <= first.points <= t.max_points(BODY, KEY)
    assert all(Decimal(0) <= p.points <= p.max_points for p in first.parts)
    assert first == t.score(BODY, KEY, response)


@given(
    fields=st.dictionaries(
        st.sampled_from(["contact", "renewal", "value", "stage", "signers", "below", "x"]),
        st.one_of(single_values, st.lists(single_values, max_size=4)),
        max_size=6,
    )
)
def test_record_any_json_response_scores_or_raises_response_error(fields: dict[str, Any]) -> None:
    try:
        result = t.score(BODY, KEY, t.Response(fields=fields))
    except ResponseError as error:
        assert error.field and error.reason
        return
    assert Decimal(0) <= result.points <= result.max_points


form_names = st.one_of(
    st.text(max_size=10),
    st.sampled_from(["contact", "renewal", "value", "stage", "below", "signers-1", "signers-3", "signers-4"]),
)


@given(form=st.dictionaries(form_names, st.lists(single_values, max_size=3), max_size=8))
def test_record_any_form_normalises_or_raises_response_error(form: dict[str, list[str]]) -> None:
    try:
        response = t.normalise(BODY, form)
    except ResponseError as error:
        assert error.field and error.reason
        return
    if response is not None:
        assert Decimal(0) <= t.score(BODY, KEY, response).points <= t.max_points(BODY, KEY)


@pytest.fixture(scope="module")
def macros() -> Any:
    env = item_templates()
    return env.get_template("items/record_entry.html").module


def test_record_candidate_html_labels_every_input_and_shows_no_key(macros: Any) -> None:
    html = str(macros.candidate(BODY, None, "q4-"))
    for leak in (
        "2025-06-10",
        "June 10, 2025",
        "18,000",
        "18000",
        "Ana M. Ruiz",
        "Jo Cole",
        "per_row",
        "points",
    ):
        assert leak not in html
    for name in ("q4-contact", "q4-renewal", "q4-value", "q4-stage", "q4-signers-1", "q4-signers-3"):
        assert f'<label for="{name}">' in html and f'id="{name}"' in html
    for row in ("seats", "logins", "tickets"):
        assert f'<label for="q4-below-{row}">' in html
    assert html.count('type="checkbox" ') == 3
    assert html.count("<legend") == 3
    assert '<th scope="row">Seats</th>' in html


def test_record_candidate_html_refills_a_saved_answer(macros: Any) -> None:
    saved = answer(
        contact="Ana Ruiz",
        renewal="June 10, 2025",
        stage="commit",
        signers=["", "Ana Ruiz", ""],
        below=["tickets"],
    )
    html = str(macros.candidate(BODY, saved, "q4-"))
    assert 'name="q4-contact" value="Ana Ruiz"' in html
    assert 'name="q4-renewal" value="June 10, 2025"' in html
    assert '<option value="commit" selected>' in html
    assert 'name="q4-signers-2" value="Ana Ruiz"' in html and 'name="q4-signers-1" value=""' in html
    assert 'value="tickets" checked' in html and html.count(" checked") == 1


def test_record_reviewer_shows_entries_next_to_key_with_parts(macros: Any) -> None:
    response = answer(renewal="May 1, 2025", below=["seats"])
    html = str(macros.reviewer(BODY, KEY, response, t.score(BODY, KEY, response)))
    assert "May 1, 2025" in html and "2025-06-10" in html
    assert "0 / 2" in html and "expected June 10, 2025" in html
    assert "Jo Cole, Ana Ruiz, Sam Baker" in html and "(per_row)" in html
    unanswered = Score(Decimal(0), Decimal(8), (Part("Answer", Decimal(0), Decimal(8), "Not answered."),))
    assert "Not answered." in str(macros.reviewer(BODY, KEY, None, unanswered))


def _shipped() -> dict[str, Any]:
    catalogue = load_banks([ROOT / "items/banks/account_manager_smb/records.yaml"])
    return {i.item_id: i for i in catalogue.items.values()}


def test_record_shipped_crm_item_rewards_the_moved_renewal_date() -> None:
    item = _shipped()["detail-crm-entry"]
    body, key = item.body, item.key
    assert isinstance(body, t.Body) and isinstance(key, t.Key)
    careful = t.normalise(
        body,
        {
            "account_name": ["Tidewater Property Management"],
            "contact_name": ["Rosalind Achebe"],
            "contact_title": ["Director of Operations"],
            "renewal_date": ["July 30, 2025"],
            "licenses": ["43"],
            "contract_value": ["$49,020"],
            "deal_stage": ["verbal_commit"],
            "next_step_date": ["05/20/2025"],
            "stakeholders-1": ["Marcus Delgado"],
            "stakeholders-2": ["Rosalind Achebe"],
            "stakeholders-3": ["Priyanka Shah"],
        },
    )
    assert careful is not None
    assert t.score(body, key, careful).points == t.max_points(body, key) == 10
    careless = careful.model_copy(
        update={
            "fields": {**careful.fields, "renewal_date": "June 30, 2025", "contact_title": "Office Manager"}
        }
    )
    assert t.score(body, key, careless).points == 7


def test_record_shipped_account_plan_item_scores_each_instruction() -> None:
    item = _shipped()["detail-account-plan-update"]
    body, key = item.body, item.key
    assert isinstance(body, t.Body) and isinstance(key, t.Key)
    perfect = t.Response(
        fields={
            "june_seats": "57",
            "june_bookings": "1,642",
            "june_modules": "6",
            "below_target": ["apr-bookings", "apr-modules", "may-modules", "jun-seats", "jun-modules"],
            "stakeholders": [
                "Nadia Albright",
                "Owen Baptiste",
                "Keiko Ferreira",
                "Marta Nowak",
                "Luis Okafor",
            ],
        }
    )
    assert t.score(body, key, perfect).points == t.max_points(body, key) == 10
    by_first_name = ["Keiko Ferreira", "Luis Okafor", "Marta Nowak", "Nadia Albright", "Owen Baptiste"]
    skimmed = t.Response(
        fields={
            "june_seats": "61",
            "june_bookings": "1642",
            "june_modules": "6",
            "below_target": ["apr-bookings", "may-seats", "jun-modules"],
            "stakeholders": by_first_name,
        }
    )
    assert t.score(body, key, skimmed).points == 2 + 1
