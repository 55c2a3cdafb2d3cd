"""written: automatic checks (names, facts, length), rubric awaiting review, apply_rubric, templates."""

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
from items.base import ResponseError
from items.types import written as t

ROOT = Path(__file__).resolve().parents[3]
BODY = t.Body(
    prompt="Write a short update to your team about Quayside Florists.",
    material="Met Niamh O'Brien at Quayside Florists. Invoice overcharged by $120. Review on April 2.",
    min_words=10,
    max_words=40,
)
KEY = t.Key.model_validate(
    {
        "rubric": [
            {"id": "clarity", "label": "Clarity", "description": "2 = one read is enough.", "max_points": 2},
            {"id": "tone", "label": "Tone", "description": "3 = calm and constructive.", "max_points": 3},
        ],
        "required_names": [{"name": "Niamh O'Brien", "points": 1}, {"name": "Quayside Florists"}],
        "required_facts": [
            {"label": "the credit", "accept": ["$120", "120 dollars"], "points": "0.5"},
            {"label": "the review date", "accept": ["April 2", "2 April", "4/2"]},
        ],
        "length": {"points": 1},
    }
)
GOOD = (
    "Hi team, I met Niamh O'Brien at Quayside Florists today. We overcharged them $120 "
    "and Finance will credit it. Our review is on April 2. Thanks, Sam"
)


def checks(text: str) -> dict[str, tuple[Decimal, str]]:
    result = t.score(BODY, KEY, t.Response(text=text))
    return {p.label: (p.points, p.explanation) for p in result.parts}


def test_written_score_runs_checks_and_leaves_the_rubric_to_a_reviewer() -> None:
    result = t.score(BODY, KEY, t.Response(text=GOOD))
    assert result.pending_review
    assert result.points == Decimal("2.5")
    assert result.max_points == Decimal("7.5")
    assert [p.label for p in result.parts] == [
        "Name: Niamh O'Brien",
        "Name: Quayside Florists",
        "Fact: the credit",
        "Fact: the review date",
        "Length",
        "Clarity",
        "Tone",
    ]
    rubric = result.parts[-2:]
    assert all(p.points == 0 for p in rubric)
    assert (
        rubric[1].max_points == 3 and rubric[1].explanation == "Awaiting reviewer. 3 = calm and constructive."
    )


@pytest.mark.parametrize(
    ("text", "label", "points", "explanation"),
    [
        (GOOD, "Name: Niamh O'Brien", "1", '"Niamh O\'Brien" is spelled exactly.'),
        (
            GOOD.replace("Niamh O'Brien", "Niamh\n O'Brien's team"),
            "Name: Niamh O'Brien",
            "1",
            "spelled exactly",
        ),
        (
            GOOD.replace("Niamh O'Brien", "Niamh OBrien"),
            "Name: Niamh O'Brien",
            "0",
            'written as "Niamh OBrien"',
        ),
        (
            GOOD.replace("Niamh O'Brien", "niamh o'brien"),
            "Name: Niamh O'Brien",
            "0",
            'written as "niamh o\'brien"',
        ),
        (
            GOOD.replace("Niamh O'Brien", "Niamh"),
            "Name: Niamh O'Brien",
            "0",
            '"Niamh O\'Brien" does not appear.',
        ),
        (
            GOOD + " Niamh O'Brian agreed.",
            "Name: Niamh O'Brien",
            "0",
            'Misspelled: written as "Niamh O\'Brian", expected "Niamh O\'Brien".',
        ),
        (
            GOOD.replace("Quayside", "Quaysides"),
            "Name: Quayside Florists",
            "0",
            'written as "Quaysides Florists"',
        ),
        (GOOD.replace("Quayside Florists", "Quayside"), "Name: Quayside Florists", "0", "does not appear"),
        (GOOD, "Fact: the credit", "0.5", 'Mentioned (found "$120").'),
        (GOOD.replace("$120", "120   DOLLARS"), "Fact: the credit", "0.5", 'found "120 dollars"'),
        (
            GOOD.replace("$120", "the overcharge"),
            "Fact: the credit",
            "0",
            'Not found; any of "$120", "120 dollars"',
        ),
        (GOOD.replace("April 2", "2 april"), "Fact: the review date", "0", 'Mentioned (found "2 April").'),
        (GOOD, "Length", "1", "27 words, within 10–40 words."),
        ("Niamh O'Brien, Quayside Florists, $120.", "Length", "0", "5 words, below the minimum of 10."),
        (GOOD + " more" * 14, "Length", "0", "41 words, above the maximum of 40."),
    ],
)
def test_written_automatic_checks_explain_what_they_found(
    text: str, label: str, points: str, explanation: str
) -> None:
    earned, why = checks(text)[label]
    assert earned == Decimal(points)
    assert explanation in why


def test_written_length_part_words_a_one_sided_limit() -> None:
    at_least = BODY.model_copy(update={"max_words": None})
    result = t.score(at_least, KEY, t.Response(text=GOOD))
    assert "within at least 10 words" in result.parts[4].explanation


def test_written_checks_default_to_informational_zero_points() -> None:
    key = t.Key.model_validate(
        {
            "rubric": KEY.model_dump(mode="json")["rubric"],
            "required_names": [{"name": "Quayside Florists"}],
            "length": {},
        }
    )
    result = t.score(BODY, key, t.Response(text="Quayside Florists"))
    assert result.points == 0 and result.max_points == 5
    assert [(p.label, p.max_points) for p in result.parts[:2]] == [
        ("Name: Quayside Florists", 0),
        ("Length", 0),
    ]


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({}, None),
        ({"text": ["  \r\n  "]}, None),
        ({"text": []}, None),
        ({"text": ["  Hello\r\nteam  "], "other": ["x"]}, "Hello\nteam"),
        ({"text": ["first", "second"]}, "first"),
        ({"text": ["x" * 20_000]}, "x" * 20_000),
    ],
)
def test_written_normalises_strips_and_treats_blank_as_unanswered(
    form: dict[str, list[str]], expected: str | None
) -> None:
    response = t.normalise(BODY, form)
    assert (response.text if response else None) == expected


def test_written_rejects_an_answer_over_twenty_thousand_characters() -> None:
    with pytest.raises(ResponseError) as error:
        t.normalise(BODY, {"text": ["x" * 20_001]})
    assert error.value.field == "text"
    assert "20,001 characters; the limit is 20,000" in error.value.reason


@pytest.mark.parametrize("data", [{"text": ""}, {"text": "x" * 20_001}, {"text": "a", "extra": 1}, {}])
def test_written_response_schema_rejects_blank_oversized_or_extra(data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        t.Response.model_validate(data)


def test_written_apply_rubric_turns_marks_into_the_final_score() -> None:
    response = t.Response(text=GOOD)
    final = t.apply_rubric(BODY, KEY, response, {"clarity": Decimal("1.5"), "tone": Decimal(3)})
    assert not final.pending_review
    assert final.points == Decimal("2.5") + Decimal("4.5")
    assert final.max_points == t.max_points(BODY, KEY) == Decimal("7.5")
    clarity = next(p for p in final.parts if p.label == "Clarity")
    assert clarity.points == Decimal("1.5")
    assert clarity.explanation == "Reviewer's mark: 1.5 of 2. 2 = one read is enough."
    assert final.parts[:5] == t.score(BODY, KEY, response).parts[:5]


@pytest.mark.parametrize(
    ("awards", "field", "reason"),
    [
        ({"clarity": Decimal(3), "tone": Decimal(1)}, "clarity", "between 0 and 2"),
        ({"clarity": Decimal(-1), "tone": Decimal(1)}, "clarity", "between 0 and 2"),
        ({"clarity": Decimal("NaN"), "tone": Decimal(1)}, "clarity", "between 0 and 2"),
        ({"clarity": Decimal("Infinity"), "tone": Decimal(1)}, "clarity", "between 0 and 2"),
        ({"clarity": Decimal(1)}, "tone", "has no mark yet"),
        ({"clarity": Decimal(1), "tone": Decimal(1), "grammar": Decimal(1)}, "grammar", "not a criterion"),
    ],
)
def test_written_apply_rubric_rejects_marks_outside_the_rubric(
    awards: dict[str, Decimal], field: str, reason: str
) -> None:
    with pytest.raises(ResponseError) as error:
        t.apply_rubric(BODY, KEY, t.Response(text=GOOD), awards)
    assert error.value.field == field
    assert reason in error.value.reason


def test_written_check_accepts_a_sound_key() -> None:
    assert t.check(BODY, KEY) == []


@pytest.mark.parametrize(
    ("body", "key", "field", "message"),
    [
        (BODY.model_copy(update={"min_words": 50}), KEY, "body.max_words", "below min_words (50)"),
        (
            BODY.model_copy(update={"min_words": None, "max_words": None}),
            KEY,
            "key.length",
            "sets no min_words or max_words",
        ),
        (
            BODY,
            KEY.model_copy(update={"rubric": [*KEY.rubric, KEY.rubric[0]]}),
            "key.rubric[2].id",
            "duplicate criterion id 'clarity'",
        ),
        (
            BODY,
            KEY.model_copy(update={"required_names": [t.RequiredName(name="Niamh O'Brian")]}),
            "key.required_names[0].name",
            '"Niamh O\'Brian" is not in the prompt or material',
        ),
    ],
)
def test_written_check_catches_keys_that_do_not_fit_the_body(
    body: t.Body, key: t.Key, field: str, message: str
) -> None:
    problems = t.check(body, key)
    assert any(p.field == field and message in p.message for p in problems), problems


@pytest.mark.parametrize(
    "key",
    [
        {"rubric": []},
        {"rubric": [{"id": "c", "label": "C", "description": "d", "max_points": 0}]},
        {"rubric": [{"id": "C", "label": "C", "description": "d", "max_points": 1}]},
        {
            "rubric": [{"id": "c", "label": "C", "description": "d", "max_points": 1}],
            "required_facts": [{"label": "x", "accept": []}],
        },
        {
            "rubric": [{"id": "c", "label": "C", "description": "d", "max_points": 1}],
            "length": {"points": -1},
        },
        {
            "rubric": [{"id": "c", "label": "C", "description": "d", "max_points": 1}],
            "required_names": [{"name": " "}],
        },
        {
            "rubric": [{"id": "c", "label": "C", "description": "d", "max_points": 1}],
            "required_facts": [{"label": "x", "accept": ["$5", ""]}],
        },
    ],
)
def test_written_key_schema_rejects_empty_rubrics_blank_phrases_and_bad_points(key: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        t.Key.model_validate(key)


def test_written_body_and_key_survive_a_json_round_trip() -> None:
    assert t.Body.model_validate(BODY.model_dump(mode="json")) == BODY
    assert t.Key.model_validate(KEY.model_dump(mode="json")) == KEY


texts = st.one_of(
    st.text(min_size=1, max_size=300),
    st.lists(
        st.sampled_from(
            ["Niamh", "O'Brien", "O'Brian", "niamh", "Quayside", "Florists", "$120", "April", "2", "\n"]
        ),
        min_size=1,
        max_size=50,
    ).map(" ".join),
)


@given(text=texts)
def test_written_scores_stay_in_range_and_repeat(text: str) -> None:
    response = t.Response(text=text)
    first = t.score(BODY, KEY, response)
    assert Decimal(0) <= first.points <= first.max_points == t.max_points(BODY, KEY)
    assert first == t.score(BODY, KEY, response)


@given(text=texts, clarity=st.decimals(0, 2, places=1), tone=st.decimals(0, 3, places=1))
def test_written_apply_rubric_stays_in_range(text: str, clarity: Decimal, tone: Decimal) -> None:
    final = t.apply_rubric(BODY, KEY, t.Response(text=text), {"clarity": clarity, "tone": tone})
    assert Decimal(0) <= final.points <= final.max_points


@given(
    form=st.dictionaries(
        st.one_of(st.text(max_size=8), st.just("text")),
        st.lists(st.one_of(st.text(max_size=50), st.just("x" * 20_001)), max_size=3),
        max_size=4,
    )
)
def test_written_any_form_normalises_or_raises_response_error(form: dict[str, list[str]]) -> None:
    try:
        response = t.normalise(BODY, form)
    except ResponseError as error:
        assert error.field == "text"
        return
    if response is not None:
        assert Decimal(0) <= t.score(BODY, KEY, response).points <= t.max_points(BODY, KEY)


@pytest.fixture(scope="module")
def macros() -> Any:
    env = item_templates()
    return env.get_template("items/written.html").module


def test_written_candidate_html_has_a_labelled_textarea_and_no_rubric(macros: Any) -> None:
    html = str(macros.candidate(BODY, None, "q7-"))
    assert '<label for="q7-text">' in html and 'name="q7-text"' in html
    assert 'data-min-words="10"' in html and 'data-max-words="40"' in html
    assert 'aria-describedby="q7-text-hint"' in html and "Write 10–40 words." in html
    assert "<p>Met Niamh O&#39;Brien at Quayside Florists." in html
    for leak in ("one read is enough", "calm and constructive", "Clarity", "120 dollars", "4/2", "rubric"):
        assert leak not in html


def test_written_candidate_html_refills_the_saved_text_escaped(macros: Any) -> None:
    html = str(macros.candidate(BODY, t.Response(text="Hi <team>\nline two"), "q7-"))
    assert ">Hi &lt;team&gt;\nline two</textarea>" in html


def test_written_candidate_html_omits_limits_it_does_not_have(macros: Any) -> None:
    html = str(macros.candidate(BODY.model_copy(update={"min_words": None, "max_words": None}), None, "q7-"))
    assert "data-" not in html and "aria-describedby" not in html


def test_written_reviewer_shows_answer_rubric_and_checks(macros: Any) -> None:
    response = t.Response(text=GOOD)
    html = str(macros.reviewer(BODY, KEY, response, t.score(BODY, KEY, response)))
    assert "Rubric (awaiting your marks)" in html
    assert "3 = calm and constructive." in html and "Score: 2.5 of 7.5" in html
    assert "Niamh O&#39;Brien at Quayside Florists today" in html
    assert "(No answer.)" in str(macros.reviewer(BODY, KEY, None, None))


MODEL_EMAIL = """Subject: Brightwater Veterinary Group - concerns from today's call and our plan

Hi all,

I met Siobhan Keane (Practice Operations Manager) and Dr. Raj Malhotra at Brightwater Veterinary Group
this morning. They raised four concerns, and their June 30 renewal is at risk if things are not stable by
the end of April.

Concerns:
- Reminder texts failed March 3-5 after our SMS provider switch; Siobhan estimates 140 missed appointments.
  The fix went live March 6.
- Eastgate and Millbrook, added in February, have had no staff training; only 9 of 31 staff have logged in.
- The February invoice billed 45 seats instead of 38, so we overbilled $315.

Plan:
- Tomás: written root-cause report to Siobhan by Friday, March 14.
- Ayesha: $315 credit on the March invoice; I will confirm it to Siobhan by March 18.
- Ben: live training for Eastgate on March 19 and Millbrook on March 20.
- Me: check-in with Siobhan and Dr. Malhotra on Thursday, March 27.

Please flag any risk to these dates today.

Thanks,
Jordan
"""


def test_written_shipped_summary_email_gives_a_model_answer_every_automatic_point() -> None:
    catalogue = load_banks([ROOT / "items/banks/account_manager_smb/communication.yaml"])
    item = catalogue.items["comm-summary-email"]
    body, key = item.body, item.key
    assert isinstance(body, t.Body) and isinstance(key, t.Key)
    assert [c.id for c in key.rubric] == [
        "correctness",
        "clarity",
        "tone",
        "structure",
        "completeness",
        "professionalism",
    ]
    result = t.score(body, key, t.Response(text=MODEL_EMAIL))
    assert result.points == 5 and result.max_points == 20 and result.pending_review
    assert "175 words, within 120–250 words." in [p.explanation for p in result.parts]
    slip = MODEL_EMAIL.replace("I met Siobhan Keane", "I met Siobhan Keene")
    assert t.score(body, key, t.Response(text=slip)).points == 4
