"""numeric: tolerant parsing, tolerance scoring, draws, key checks (formulas included), templates."""

from __future__ import annotations

import random
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
from items.types import numeric as t

ROOT = Path(__file__).resolve().parents[3]
JINJA = item_templates()
FORMULA = "(licenses + added) * price * (1 - discount/100)"
QUOTE = t.Body(
    prompt="Client pays for {licenses} licenses at ${price} each per month, adds {added}, "
    "and gets {discount}% off the total. New monthly charge?",
    unit="currency",
    label="New monthly charge",
    params={
        "licenses": t.Param(min=Decimal(8), max=Decimal(14), default=Decimal(10)),
        "added": t.Param(min=Decimal(2), max=Decimal(8), default=Decimal(5)),
        "price": t.Param(choices=[Decimal(40), Decimal(45), Decimal(50)], default=Decimal(50)),
        "discount": t.Param(choices=[Decimal(5), Decimal(10), Decimal(15)], default=Decimal(10)),
    },
)
QUOTE_KEY = t.Key(answer=FORMULA, tolerance=Decimal("0.01"))
PLAIN = t.Body(prompt="How many seats are unused?")
PERCENT = t.Body(prompt="What share of licenses is in use?", unit="percent")


def typed(body: t.Body, text: str) -> t.Response | None:
    return t.normalise(body, {"value": [text]})


@pytest.mark.parametrize(
    ("body", "text", "value"),
    [
        (QUOTE, "$675.00", "675.00"),
        (QUOTE, "675", "675"),
        (QUOTE, " 675 ", "675"),
        (QUOTE, "675.5", "675.5"),
        (QUOTE, "$ 1,250.50", "1250.50"),
        (QUOTE, "-$5", "-5"),
        (QUOTE, "$-5", "-5"),
        (QUOTE, "\u22125", "-5"),
        (PLAIN, "6,000", "6000"),
        (PLAIN, "6 000", "6000"),
        (PLAIN, "6\u00a0000", "6000"),
        (PLAIN, "1,000,000.25", "1000000.25"),
        (PLAIN, "-5", "-5"),
        (PLAIN, ".5", "0.5"),
        (PERCENT, "10%", "10"),
        (PERCENT, "12.5 %", "12.5"),
        (PERCENT, "10", "10"),
    ],
)
def test_numeric_accepts_dollars_commas_spaces_and_percent_signs(body: t.Body, text: str, value: str) -> None:
    response = typed(body, text)
    assert response is not None
    assert response.value == Decimal(value)
    assert response.model_dump(mode="json") == {"value": str(Decimal(value))}


@pytest.mark.parametrize(
    ("body", "text", "reason"),
    [
        (PLAIN, "six", "written in digits"),
        (PLAIN, "$", "written in digits"),
        (QUOTE, "$", "written in digits"),
        (PLAIN, "NaN", "written in digits"),
        (PLAIN, "Infinity", "written in digits"),
        (PLAIN, "-inf", "written in digits"),
        (PLAIN, "1e5", "no words or exponents"),
        (PLAIN, "6.75E+2", "no words or exponents"),
        (PLAIN, "1.2.3", "more than one decimal point"),
        (PLAIN, "6,00,0", "thousands separators in the wrong places"),
        (PLAIN, "675,5", "with a point for decimals"),
        (PLAIN, "6,000 000", "thousands separators in the wrong places"),
        (PLAIN, "$675", "without a currency symbol"),
        (QUOTE, "€675", "must be an amount in $"),
        (QUOTE, "10%", "is not a percentage"),
        (PERCENT, "%10", "after the number"),
        (PLAIN, "+5", "is not a number we can read"),
        (PLAIN, "675.", "is not a number we can read"),
        (PLAIN, "1" * 33, "too long"),
        (PLAIN, "1" * 16, "too large"),
        (PLAIN, "0." + "1" * 9, "too many decimal places"),
    ],
)
def test_numeric_rejects_what_is_not_a_plain_number_with_a_reason(
    body: t.Body, text: str, reason: str
) -> None:
    with pytest.raises(ResponseError) as caught:
        typed(body, text)
    assert caught.value.field == "value"
    assert reason in caught.value.reason


@pytest.mark.parametrize("form", [{}, {"value": []}, {"value": [""]}, {"value": ["   "]}, {"other": ["5"]}])
def test_numeric_blank_answer_is_unanswered(form: dict[str, list[str]]) -> None:
    assert t.normalise(PLAIN, form) is None


@pytest.mark.parametrize(
    ("text", "points", "explanation"),
    [
        ("$675.00", "1", "Typed $675.00, which matches the expected $675.00 (within $0.01)."),
        ("675.01", "1", "matches the expected $675.00"),
        ("675.02", "0", "Typed $675.02; expected $675.00 (within $0.01)."),
        ("$750", "0", "Typed $750.00; expected $675.00"),
        ("-675", "0", "Typed -$675.00; expected $675.00"),
    ],
)
def test_numeric_scores_full_points_within_tolerance_else_zero(
    text: str, points: str, explanation: str
) -> None:
    body, key = t.realize(QUOTE, QUOTE_KEY, {})
    response = typed(body, text)
    assert response is not None
    result = t.score(body, key, response)
    assert result.points == Decimal(points)
    assert result.max_points == 1
    (part,) = result.parts
    assert explanation in part.explanation
    assert (
        f"The key computes {FORMULA} with licenses = 10, added = 5, price = 50, discount = 10."
        in part.explanation
    )


def test_numeric_seed_quote_is_675() -> None:
    body, key = t.realize(QUOTE, QUOTE_KEY, {})
    assert t.expected_value(body, key) == Decimal(675)


@pytest.mark.parametrize(
    ("key", "text", "points"),
    [
        (t.Key(value=Decimal(200)), "200", "1"),
        (t.Key(value=Decimal(200)), "200.001", "0"),
        (t.Key(value=Decimal(200), tolerance=Decimal(1)), "199", "1"),
        (t.Key(value=Decimal(200), relative_tolerance=Decimal("0.01")), "202", "1"),
        (t.Key(value=Decimal(200), relative_tolerance=Decimal("0.01")), "202.5", "0"),
        (t.Key(value=Decimal(200), tolerance=Decimal(5), relative_tolerance=Decimal("0.01")), "204", "1"),
        (t.Key(value=Decimal(200), points=Decimal(3)), "200", "3"),
    ],
)
def test_numeric_tolerance_is_the_wider_of_absolute_and_relative(key: t.Key, text: str, points: str) -> None:
    response = typed(PLAIN, text)
    assert response is not None
    assert t.score(PLAIN, key, response).points == Decimal(points)


def test_numeric_percent_is_keyed_and_shown_in_percent() -> None:
    response = typed(PERCENT, "12.5%")
    assert response is not None
    result = t.score(PERCENT, t.Key(value=Decimal("12.5")), response)
    assert result.points == 1
    assert result.parts[0].explanation == "Typed 12.5%, which matches the expected 12.5%."


def test_numeric_fixed_value_explanation_names_no_formula() -> None:
    response = typed(PLAIN, "6 000")
    assert response is not None
    result = t.score(PLAIN, t.Key(value=Decimal(5000)), response)
    assert result.parts[0].explanation == "Typed 6,000; expected 5,000."


def test_numeric_draw_is_reproducible_and_stores_strings() -> None:
    first = t.draw(QUOTE, random.Random(7), True)
    assert first == t.draw(QUOTE, random.Random(7), False)
    assert set(first["params"]) == set(QUOTE.params)
    assert all(isinstance(v, str) for v in first["params"].values())
    assert t.draw(PLAIN, random.Random(7), True) == {}


def test_numeric_draws_give_candidates_different_answers() -> None:
    answers = set()
    for seed in range(60):
        body, key = t.realize(QUOTE, QUOTE_KEY, t.draw(QUOTE, random.Random(seed), True))
        answers.add(t.expected_value(body, key))
    assert len(answers) > 20


def test_numeric_realize_fills_the_prompt_and_keys_the_drawn_numbers() -> None:
    variant = {"params": {"licenses": "12", "added": "4", "price": "45", "discount": "15"}}
    body, key = t.realize(QUOTE, QUOTE_KEY, variant)
    assert body.prompt.startswith(
        "Client pays for 12 licenses at $45 each per month, adds 4, and gets 15% off"
    )
    assert t.expected_value(body, key) == Decimal("612.00")
    assert key == QUOTE_KEY


def test_numeric_realize_writes_thousands_in_the_prompt() -> None:
    body = t.Body(prompt="Pays ${fee} a month.", params={"fee": t.Param(choices=[Decimal(1000)])})
    assert t.realize(body, t.Key(answer="fee * 12"), {})[0].prompt == "Pays $1,000 a month."


@pytest.mark.parametrize(
    "params",
    [
        {"licenses": "99"},
        {"licenses": "10.5"},
        {"licenses": "NaN"},
        {"licenses": "ten"},
        {"licenses": None},
        {"licenses": True},
        {"price": "47"},
        {},
    ],
)
def test_numeric_realize_falls_back_to_defaults_for_stale_draws(params: dict[str, Any]) -> None:
    body, key = t.realize(QUOTE, QUOTE_KEY, {"params": params})
    assert t.expected_value(body, key) == Decimal(675)


def test_numeric_realize_ignores_a_variant_that_is_not_a_mapping() -> None:
    body, key = t.realize(QUOTE, QUOTE_KEY, {"params": ["10"]})
    assert t.expected_value(body, key) == Decimal(675)


def test_numeric_check_passes_the_quote() -> None:
    assert t.check(QUOTE, QUOTE_KEY) == []
    assert t.check(PLAIN, t.Key(value=Decimal(3))) == []
    assert t.check(PLAIN, t.Key(answer="500 * 12")) == []


@pytest.mark.parametrize(
    ("body", "key", "field", "message"),
    [
        (QUOTE, t.Key(answer="licenses * cost"), "key.answer", "cost, which are not declared params"),
        (QUOTE, t.Key(answer="licenses ** 2"), "key.answer", "uses Pow"),
        (QUOTE, t.Key(answer="licenses +"), "key.answer", "cannot parse"),
        (QUOTE, t.Key(answer="price / (licenses - 10)"), "key.answer", "cannot be computed with"),
        (QUOTE, t.Key(value=Decimal(675)), "key.value", "needs a formula in answer"),
        (PLAIN, t.Key(), "key.answer", "exactly one of answer"),
        (PLAIN, t.Key(answer="1", value=Decimal(1)), "key.answer", "exactly one of answer"),
        (
            QUOTE.model_copy(update={"prompt": "{licenses} {added} {price} {discount} {seats}"}),
            QUOTE_KEY,
            "body.prompt",
            "uses {seats}, which is not one of the params",
        ),
        (
            QUOTE.model_copy(update={"prompt": "{licenses} {added} {price}"}),
            QUOTE_KEY,
            "body.params.discount",
            "never shown in the prompt",
        ),
    ],
)
def test_numeric_check_catches_bad_keys(body: t.Body, key: t.Key, field: str, message: str) -> None:
    problems = t.check(body, key)
    assert any(p.field == field and message in p.message for p in problems), problems


def test_numeric_check_samples_large_draw_spaces() -> None:
    body = t.Body(
        prompt="{a} {b}",
        params={
            "a": t.Param(min=Decimal(0), max=Decimal(10**6)),
            "b": t.Param(min=Decimal(1), max=Decimal(10**6)),
        },
    )
    assert t.check(body, t.Key(answer="b / a")) != []
    assert t.check(body, t.Key(answer="a / b")) == []


@pytest.mark.parametrize(
    "param",
    [
        {"min": 1},
        {"max": 1},
        {"min": 5, "max": 1},
        {"min": 1, "max": 5, "choices": [1]},
        {},
        {"choices": []},
        {"min": 1, "max": 5, "step": 0},
        {"min": 1, "max": 5, "step": 2, "default": 2},
        {"choices": [1, 2], "default": 3},
        {"choices": ["NaN"]},
    ],
)
def test_numeric_param_must_declare_one_drawable_set(param: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        t.Param.model_validate(param)


@pytest.mark.parametrize(
    "data", [{"value": "NaN"}, {"value": "Infinity"}, {"value": "1E+999"}, {"value": "six"}, {}]
)
def test_numeric_response_from_json_must_be_a_finite_bounded_number(data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        t.Response.model_validate(data)


FIELD_NAMES = st.sampled_from(["value", "values", "value ", "fix-1", ""]) | st.text(max_size=8)
FORMS = st.dictionaries(FIELD_NAMES, st.lists(st.text(max_size=40), max_size=3), max_size=4)
NUMBERISH = st.text(alphabet="0123456789,. $%-\u00a0eE", max_size=20)


@given(form=FORMS)
def test_numeric_any_form_is_normalised_or_rejected(form: dict[str, list[str]]) -> None:
    for body in (QUOTE, PLAIN, PERCENT):
        try:
            t.normalise(body, form)
        except ResponseError as exc:
            assert exc.field == "value" and exc.reason


@given(text=NUMBERISH, seed=st.integers(0, 10_000))
def test_numeric_scores_stay_in_range_and_repeat(text: str, seed: int) -> None:
    body, key = t.realize(QUOTE, QUOTE_KEY, t.draw(QUOTE, random.Random(seed), True))
    try:
        response = typed(body, text)
    except ResponseError:
        return
    if response is None:
        return
    first = t.score(body, key, response)
    assert Decimal(0) <= first.points <= first.max_points
    assert first == t.score(body, key, response)


@given(seed=st.integers(0, 10_000))
def test_numeric_every_draw_fills_every_placeholder(seed: int) -> None:
    body, key = t.realize(QUOTE, QUOTE_KEY, t.draw(QUOTE, random.Random(seed), True))
    assert "{" not in body.prompt
    assert t.expected_value(body, key) > 0


def render(macro: str, *args: Any) -> str:
    return str(getattr(JINJA.get_template("items/numeric.html").module, macro)(*args))


def test_numeric_candidate_view_hides_the_key_and_refills() -> None:
    body, _ = t.realize(QUOTE, QUOTE_KEY, {})
    empty = render("candidate", body, None, "q3-")
    assert "675" not in empty and "licenses +" not in empty
    assert 'name="q3-value"' in empty and '<label for="q3-value">New monthly charge</label>' in empty
    assert "<legend" in empty and "10 licenses at $50" in empty
    refilled = render("candidate", body, typed(body, "$675.50"), "q3-")
    assert 'value="675.50"' in refilled


def test_numeric_reviewer_view_shows_response_key_and_parts() -> None:
    body, key = t.realize(QUOTE, QUOTE_KEY, {})
    response = typed(body, "700")
    assert response is not None
    html = render("reviewer", body, key, response, t.score(body, key, response))
    assert "700" in html and "licenses = 10" in html and "Typed $700.00; expected $675.00" in html


@pytest.mark.parametrize(
    ("item_id", "expected"), [("detail-quote-check", "675"), ("process-roi-annual-cost", "6000")]
)
def test_numeric_shipped_items_key_the_seed_numbers_by_default(item_id: str, expected: str) -> None:
    banks = ROOT / "items" / "banks" / "account_manager_smb"
    catalogue = load_banks([banks / "detail.yaml", banks / "calculation.yaml"])
    item = catalogue.items[item_id]
    body, key = item.realize({})
    assert isinstance(body, t.Body) and isinstance(key, t.Key)
    assert t.expected_value(body, key) == Decimal(expected)
    answers = set()
    for seed in range(40):
        drawn_body, drawn_key = item.realize(item.item_type.draw(item.body, random.Random(seed), True))
        assert isinstance(drawn_body, t.Body) and isinstance(drawn_key, t.Key)
        answers.add(t.expected_value(drawn_body, drawn_key))
    assert len(answers) > 5


@pytest.mark.parametrize(
    ("body", "value", "text"),
    [
        (QUOTE, "675", "$675.00"),
        (QUOTE, "6.1200", "$6.12"),
        (QUOTE, "675.125", "$675.125"),
        (QUOTE, "-5", "-$5.00"),
        (QUOTE, "0.3333333333333333333333333333", "$0.333333"),
        (PLAIN, "6E+3", "6,000"),
        (PLAIN, "-0.0000001", "0"),
        (PERCENT, "12.50", "12.5%"),
    ],
)
def test_numeric_shows_numbers_in_the_items_unit(body: t.Body, value: str, text: str) -> None:
    assert t.shown(body, Decimal(value)) == text


@given(
    formula=st.text(alphabet="licenseadprot()+-*/ 0123456789.e_", min_size=1, max_size=40)
    | st.text(min_size=1, max_size=500)
)
def test_numeric_check_reports_any_formula_without_crashing(formula: str) -> None:
    for problem in t.check(QUOTE, t.Key(answer=formula)):
        assert problem.field.startswith(("key.", "body.")) and problem.message
