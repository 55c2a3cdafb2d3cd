"""proofreading: tokens, spans, marks and fixes, hit/correction/false-alarm scoring, checks, templates."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from item_templates import item_templates

from items.bank import load_banks
from items.base import ResponseError
from items.types import proofreading as t

ROOT = Path(__file__).resolve().parents[3]
JINJA = item_templates()
PASSAGE = """Hi Danelle,

Our review is on March 14 — see you at Bayview Supply (main office).
Your 12 seats at $30 cost $400 a month."""
BODY = t.Body(
    instructions="Mark the errors and type the fixes.",
    passage=PASSAGE,
    reference=["Contact: Danielle", "Review: March 21", "Company: Harborview"],
)
KEY = t.Key(
    errors=[
        t.SeededError(span="Danelle", correction="Danielle", kind="misspelled name"),
        t.SeededError(span="March 14", correction=["March 21", "21 March"], kind="wrong date"),
        t.SeededError(span="Bayview Supply", correction=["Harborview"], kind="wrong company"),
        t.SeededError(span="$400", correction="$360", kind="arithmetic"),
    ]
)
WORDS = [tok.word for tok in BODY.tokens()]


def at(word: str, occurrence: int = 1) -> int:
    """The token index of a word in PASSAGE."""
    return [i for i, w in enumerate(WORDS) if w == word][occurrence - 1]


def answer(marks: list[str], fixes: dict[str, str] | None = None) -> t.Response:
    return t.Response(
        marks=sorted(at(w) for w in marks), corrections={at(w): text for w, text in (fixes or {}).items()}
    )


def test_proofreading_splits_words_from_their_punctuation() -> None:
    lines = BODY.lines()
    assert [[tok.word for tok in line] for line in lines][0] == ["Hi", "Danelle"]
    assert len(lines) == 3
    danelle = lines[0][1]
    assert (danelle.lead, danelle.word, danelle.trail) == ("", "Danelle", ",")
    main = next(tok for tok in lines[1] if tok.word == "main")
    assert (main.lead, main.trail) == ("(", "")
    office = next(tok for tok in lines[1] if tok.word == "office")
    assert office.trail == ")."
    assert "$30" in WORDS and "$400" in WORDS


def test_proofreading_numbers_only_markable_words_in_order() -> None:
    dash = next(tok for tok in BODY.lines()[1] if tok.word == "—")
    assert dash.index is None
    assert [tok.index for tok in BODY.tokens()] == list(range(len(WORDS)))
    for tok in BODY.tokens():
        assert PASSAGE[tok.start : tok.end] == tok.word


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (t.SeededError(span="Danelle", kind="k"), ["Danelle"]),
        (t.SeededError(span="March 14", kind="k"), ["March", "14"]),
        (t.SeededError(span="Bayview   Supply", kind="k"), ["Bayview", "Supply"]),
        (t.SeededError(span="office).", kind="k"), ["office"]),
        (t.SeededError(span="on March 14 — see", kind="k"), ["on", "March", "14", "see"]),
    ],
)
def test_proofreading_span_finds_its_tokens(error: t.SeededError, words: list[str]) -> None:
    assert [WORDS[i] for i in error.indices(BODY)] == words


@pytest.mark.parametrize(
    ("span", "occurrence", "message"),
    [
        ("Danielle", None, "is not in the passage"),
        ("Dane", None, "is not in the passage"),
        ("Mar", None, "is not in the passage"),
        ("at", None, "appears 2 times; add occurrence: 1 to 2"),
        ("at", 3, "occurrence 3, but 'at' appears 2 time(s)"),
        ("—", None, "holds no word a candidate can mark"),
    ],
)
def test_proofreading_span_that_is_missing_or_ambiguous_is_an_error(
    span: str, occurrence: int | None, message: str
) -> None:
    with pytest.raises(t.SpanError, match=message.replace("(", r"\(").replace(")", r"\)")):
        t.SeededError(span=span, occurrence=occurrence, kind="k").indices(BODY)


def test_proofreading_occurrence_picks_a_repeated_word() -> None:
    second = t.SeededError(span="at", occurrence=2, kind="k").indices(BODY)
    assert second == [at("at", 2)]


def test_proofreading_span_must_cover_whole_words() -> None:
    body = BODY.model_copy(update={"passage": "Danelle's account renews soon."})
    with pytest.raises(t.SpanError, match="covers part of the word"):
        t.SeededError(span="Danelle", kind="k").indices(body)


@pytest.mark.parametrize(
    ("marks", "fixes", "points", "explanations"),
    [
        (
            ["Danelle", "14", "Bayview", "$400"],
            {"Danelle": "Danielle", "14": "21", "Bayview": "Harborview", "$400": "$360"},
            "6",
            [
                "Marked “Danelle”. Correction “Danielle” is right.",
                "Marked “March 14”. Correction “21” makes it read “March 21”, which is right.",
                "Marked “Bayview Supply”. Correction “Harborview” is right.",
                "Marked “$400”. Correction “$360” is right.",
                "No correct words were marked as errors.",
            ],
        ),
        (
            ["Danelle", "March", "14"],
            {"Danelle": "DANIELLE", "March": "21 March"},
            "3",
            ["Correction “DANIELLE” is right.", "Correction “21 March” is right.", "Missed “Bayview Supply”"],
        ),
        (
            ["$400"],
            {"$400": "360"},
            "1.5",
            ["Correction “360” is right.", "Missed “Danelle”; it should read “Danielle”."],
        ),
        (
            ["Danelle", "14"],
            {"Danelle": "Daniel"},
            "2",
            [
                "Correction “Daniel” is not right; accepted: “Danielle”.",
                "Marked “March 14”. No correction typed; accepted: “March 21” or “21 March”.",
            ],
        ),
        (
            ["Danelle", "review", "seats"],
            {"Danelle": "Danielle"},
            "0.5",
            ["2 word(s) marked that are not errors: “review”, “seats”; −0.5 each."],
        ),
        (
            ["Hi", "Our", "review", "is"],
            {},
            "0",
            ["4 word(s) marked that are not errors", "The total is floored at 0."],
        ),
    ],
)
def test_proofreading_scores_hits_corrections_and_false_alarms(
    marks: list[str], fixes: dict[str, str], points: str, explanations: list[str]
) -> None:
    result = t.score(BODY, KEY, answer(marks, fixes))
    assert result.points == Decimal(points)
    assert result.max_points == 6
    text = " | ".join(p.explanation for p in result.parts)
    for explanation in explanations:
        assert explanation in text
    assert [p.label for p in result.parts] == [
        "Error 1 (misspelled name)",
        "Error 2 (wrong date)",
        "Error 3 (wrong company)",
        "Error 4 (arithmetic)",
        "False alarms",
    ]


def test_proofreading_parts_add_up_to_the_total_unless_floored() -> None:
    result = t.score(BODY, KEY, answer(["Danelle", "14", "review"], {"14": "21"}))
    assert result.points == sum(p.points for p in result.parts) == Decimal(2)


def test_proofreading_no_false_alarms_part_reads_zero() -> None:
    part = t.score(BODY, KEY, answer(["Danelle"])).parts[-1]
    assert str(part.points) == "0" and part.explanation == "No correct words were marked as errors."


def test_proofreading_without_corrections_scores_hits_only() -> None:
    body = BODY.model_copy(update={"ask_corrections": False})
    result = t.score(body, KEY, answer(["Danelle", "Supply"]))
    assert (result.points, result.max_points) == (Decimal(2), Decimal(4))
    assert result.parts[0].explanation == "Marked “Danelle”."


def test_proofreading_custom_weights() -> None:
    key = KEY.model_copy(update={"correction_points": Decimal(1), "false_alarm_penalty": Decimal("0.25")})
    result = t.score(BODY, key, answer(["Danelle", "Hi"], {"Danelle": "Danielle"}))
    assert (result.points, result.max_points) == (Decimal("1.75"), Decimal(8))


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({}, None),
        ({"mark": []}, None),
        ({"mark": [""], "fix-0": ["x"]}, None),
        ({"mark": ["1"]}, t.Response(marks=[1])),
        ({"mark": ["3", "1", "3"]}, t.Response(marks=[1, 3])),
        ({"mark": ["1"], "fix-1": ["  Danielle  "]}, t.Response(marks=[1], corrections={1: "Danielle"})),
        ({"mark": ["1"], "fix-1": ["March\n 21"]}, t.Response(marks=[1], corrections={1: "March 21"})),
        ({"mark": ["1"], "fix-1": [""], "fix-2": ["left over"]}, t.Response(marks=[1])),
        ({"mark": ["1"], "fix-1": []}, t.Response(marks=[1])),
        ({"mark": ["1"], "unrelated": ["x"]}, t.Response(marks=[1])),
    ],
)
def test_proofreading_normalises_marks_and_fixes_of_marked_words(
    form: dict[str, list[str]], expected: t.Response | None
) -> None:
    assert t.normalise(BODY, form) == expected


@pytest.mark.parametrize(
    ("form", "field", "reason"),
    [
        ({"mark": ["999"]}, "mark", "'999' is not a word of the passage"),
        ({"mark": ["-1"]}, "mark", "is not a word of the passage"),
        ({"mark": ["one"]}, "mark", "is not a word of the passage"),
        ({"mark": ["²"]}, "mark", "is not a word of the passage"),
        ({"mark": ["1"], "fix-x": ["a"]}, "fix-x", "is not a word of the passage"),
        ({"mark": ["1"], "fix-999": ["a"]}, "fix-999", "is not a word of the passage"),
        ({"mark": ["1"], "fix-1": ["x" * 201]}, "fix-1", "too long for a correction"),
    ],
)
def test_proofreading_rejects_words_the_passage_does_not_have(
    form: dict[str, list[str]], field: str, reason: str
) -> None:
    with pytest.raises(ResponseError) as caught:
        t.normalise(BODY, form)
    assert caught.value.field == field
    assert reason in caught.value.reason


def test_proofreading_rejects_fixes_when_none_are_asked_for() -> None:
    body = BODY.model_copy(update={"ask_corrections": False})
    assert t.normalise(body, {"mark": ["1"]}) == t.Response(marks=[1])
    with pytest.raises(ResponseError, match="marks only"):
        t.normalise(body, {"mark": ["1"], "fix-1": ["x"]})


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"marks": [999]}, "marks"),
        ({"marks": [-1]}, "marks"),
        ({"marks": [1, 1]}, "marks"),
        ({"marks": [1], "corrections": {"2": "x"}}, "corrections.2"),
        ({"marks": [1], "corrections": {"1": "x" * 201}}, "corrections.1"),
    ],
)
def test_proofreading_score_rejects_json_responses_naming_missing_words(
    data: dict[str, Any], field: str
) -> None:
    with pytest.raises(ResponseError) as caught:
        t.score(BODY, KEY, t.Response.model_validate(data))
    assert caught.value.field == field


def test_proofreading_response_json_shape() -> None:
    response = t.Response.model_validate({"marks": [1, 9], "corrections": {"1": "Danielle"}})
    assert response.model_dump(mode="json") == {"marks": [1, 9], "corrections": {"1": "Danielle"}}


def test_proofreading_check_passes_a_good_key() -> None:
    assert t.check(BODY, KEY) == []


@pytest.mark.parametrize(
    ("errors", "field", "message"),
    [
        (
            [t.SeededError(span="Danielle", correction="x", kind="k")],
            "key.errors[0].span",
            "is not in the passage",
        ),
        ([t.SeededError(span="at", correction="by", kind="k")], "key.errors[0].span", "add occurrence"),
        (
            [t.SeededError(span="at", occurrence=5, correction="by", kind="k")],
            "key.errors[0].span",
            "occurrence 5",
        ),
        (
            [
                t.SeededError(span="March 14", correction="March 21", kind="k"),
                t.SeededError(span="14", correction="21", kind="k"),
            ],
            "key.errors[1].span",
            "overlaps the span of key.errors[0]",
        ),
        ([t.SeededError(span="Danelle", kind="k")], "key.errors[0].correction", "at least one accepted"),
        (
            [t.SeededError(span="Danelle", correction=["Danielle", "danelle"], kind="k")],
            "key.errors[0].correction",
            "does not change the span",
        ),
        (
            [t.SeededError(span="Danelle", correction="...", kind="k")],
            "key.errors[0].correction",
            "does not change",
        ),
    ],
)
def test_proofreading_check_catches_bad_keys(errors: list[t.SeededError], field: str, message: str) -> None:
    problems = t.check(BODY, t.Key(errors=errors))
    assert any(p.field == field and message in p.message for p in problems), problems


def test_proofreading_check_allows_no_correction_when_none_are_asked_for() -> None:
    body = BODY.model_copy(update={"ask_corrections": False})
    assert t.check(body, t.Key(errors=[t.SeededError(span="Danelle", kind="k")])) == []


FIELD_NAMES = st.sampled_from(["mark", "fix-0", "fix-1", "fix-3", "fix-99", "fix-", "fix--1"]) | st.text(
    max_size=8
)
FORMS = st.dictionaries(FIELD_NAMES, st.lists(st.text(max_size=12), max_size=4), max_size=5)
INDICES = st.integers(0, len(WORDS) - 1)


@given(form=FORMS)
def test_proofreading_any_form_is_normalised_or_rejected(form: dict[str, list[str]]) -> None:
    try:
        t.normalise(BODY, form)
    except ResponseError as exc:
        assert exc.field and exc.reason


@given(
    marks=st.sets(INDICES),
    fixes=st.dictionaries(INDICES, st.sampled_from(["Danielle", "21", "Harborview", "$360", "x", ""])),
)
def test_proofreading_scores_stay_in_range_and_repeat(marks: set[int], fixes: dict[int, str]) -> None:
    form = {"mark": [str(i) for i in marks], **{f"fix-{i}": [text] for i, text in fixes.items()}}
    response = t.normalise(BODY, form)
    if response is None:
        return
    first = t.score(BODY, KEY, response)
    assert Decimal(0) <= first.points <= first.max_points
    assert first == t.score(BODY, KEY, response)


@given(passage=st.text(min_size=1, max_size=200))
def test_proofreading_any_passage_tokenises_consistently(passage: str) -> None:
    body = BODY.model_copy(update={"passage": passage})
    tokens = body.tokens()
    assert [tok.index for tok in tokens] == list(range(len(tokens)))
    for tok in tokens:
        assert passage[tok.start : tok.end] == tok.word and tok.word.strip() == tok.word


def render(macro: str, *args: Any) -> str:
    return str(getattr(JINJA.get_template("items/proofreading.html").module, macro)(*args))


def test_proofreading_candidate_view_hides_the_key_and_refills() -> None:
    empty = render("candidate", BODY, None, "q2-")
    for secret in ("misspelled name", "wrong date", "wrong company", "$360", "21 March"):
        assert secret not in empty
    assert empty.count('type="checkbox"') == len(WORDS)
    assert '<label for="q2-mark-1">Danelle</label>,' in empty
    assert 'name="q2-fix-1"' in empty and "Correction for “Danelle”" in empty
    assert "<legend" in empty and "Contact: Danielle" in empty
    assert " checked" not in empty
    refilled = render("candidate", BODY, answer(["Danelle"], {"Danelle": "Danielle"}), "q2-")
    assert 'value="1" checked' in refilled and 'value="Danielle"' in refilled


def test_proofreading_candidate_view_offers_no_fix_boxes_when_none_are_asked_for() -> None:
    html = render("candidate", BODY.model_copy(update={"ask_corrections": False}), None, "q2-")
    assert "fix-" not in html


def test_proofreading_reviewer_view_shows_marks_errors_and_parts() -> None:
    response = answer(["Danelle", "review"], {"Danelle": "Danielle"})
    html = render("reviewer", BODY, KEY, response, t.score(BODY, KEY, response))
    assert "<u><mark>Danelle</mark></u><sup>1</sup>, [→ Danielle]" in html
    assert "<mark>review</mark>" in html and "21 March" in html and "False alarms" in html


def test_proofreading_shipped_email_seeds_five_kinds_of_error() -> None:
    catalogue = load_banks([ROOT / "items" / "banks" / "account_manager_smb" / "detail.yaml"])
    item = catalogue.items["detail-proofread-email"]
    assert isinstance(item.body, t.Body) and isinstance(item.key, t.Key)
    words = len(item.body.passage.split())
    assert 120 <= words <= 180
    kinds = {e.kind for e in item.key.errors}
    assert {
        "misspelled client name",
        "wrong date",
        "wrong company name",
        "outdated figure",
        "arithmetic error",
    } <= kinds
    perfect = t.Response(
        marks=sorted(i for e in item.key.errors for i in e.indices(item.body)),
        corrections={e.indices(item.body)[0]: e.corrections()[0] for e in item.key.errors},
    )
    result = t.score(item.body, item.key, perfect)
    assert result.points == result.max_points == Decimal("7.5")


@given(span=st.text(min_size=1, max_size=15) | st.sampled_from(WORDS))
def test_proofreading_check_reports_any_span_without_crashing(span: str) -> None:
    key = t.Key(errors=[t.SeededError(span=span, correction="zzz", kind="k")])
    for problem in t.check(BODY, key):
        assert problem.field.startswith("key.errors[0]") and problem.message
