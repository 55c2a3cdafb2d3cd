"""sjt_most_least: parsing, scoring with the opposite-extreme rule, key checks, templates."""

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
from items.base import Option, ResponseError
from items.types import sjt_most_least as t

ROOT = Path(__file__).resolve().parents[3]
IDS = ["a", "b", "c", "d", "e"]
BODY = t.Body(
    prompt="A client calls, upset.\nWhat do you do?",
    options=[Option(id=i, text=f"Response text {i.upper()}") for i in IDS],
)
KEY = t.Key(most="c", least="d")


def respond(most: str | None, least: str | None) -> t.Response:
    return t.Response(most=most, least=least)


@pytest.mark.parametrize(
    ("most", "least", "points", "explanation"),
    [
        ("c", "d", "2", "Chose c, the keyed most effective response."),
        ("c", None, "1", "No least effective response chosen; the key is d."),
        (None, "d", "1", "No most effective response chosen; the key is c."),
        ("c", "a", "1", "Chose a; the keyed least effective response is d."),
        ("b", "d", "1", "Chose b; the keyed most effective response is c."),
        ("a", "b", "0", "Chose a; the keyed most effective response is c."),
        ("d", "a", "0", "Raised from -1 to 0: an item never scores below 0."),
        ("d", "c", "0", "Raised from -2 to 0: an item never scores below 0."),
        ("a", "c", "0", "which the key rates most effective: the opposite extreme"),
    ],
)
def test_most_least_scores_each_pick_and_explains(
    most: str | None, least: str | None, points: str, explanation: str
) -> None:
    result = t.score(BODY, KEY, respond(most, least))
    assert result.points == Decimal(points)
    assert result.max_points == Decimal(2)
    assert any(explanation in part.explanation for part in result.parts)


def test_most_least_parts_add_up_to_the_clamped_total() -> None:
    result = t.score(BODY, KEY, respond("d", "c"))
    assert [p.points for p in result.parts] == [Decimal(-1), Decimal(-1), Decimal(2)]
    assert sum(p.points for p in result.parts) == result.points == 0
    assert sum(p.max_points for p in result.parts) == result.max_points


def test_most_least_uses_the_rule_in_the_key() -> None:
    key = t.Key(
        most="c", least="d", rule=t.Rule(match=Decimal(2), opposite=Decimal(-2), other=Decimal("0.5"))
    )
    assert t.max_points(BODY, key) == 4
    assert t.score(BODY, key, respond("c", "a")).points == Decimal("2.5")
    assert t.score(BODY, key, respond("c", "e")).points == Decimal("2.5")
    assert t.score(BODY, key, respond("d", "e")).points == 0


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({}, None),
        ({"most": [""], "least": ["  "]}, None),
        ({"most": ["c"]}, respond("c", None)),
        ({"least": [" d "]}, respond(None, "d")),
        ({"most": ["c", "a"], "least": ["d"]}, respond("c", "d")),
        ({"most": ["c"], "least": ["d"], "unrelated": ["x"]}, respond("c", "d")),
    ],
)
def test_most_least_normalises_partial_and_full_answers(
    form: dict[str, list[str]], expected: t.Response | None
) -> None:
    assert t.normalise(BODY, form) == expected


@pytest.mark.parametrize(
    ("form", "field", "reason"),
    [
        ({"most": ["z"]}, "most", "not one of the responses"),
        ({"least": ["C"]}, "least", "not one of the responses"),
        ({"most": ["c"], "least": ["c"]}, "least", "cannot be both"),
    ],
)
def test_most_least_rejects_unknown_and_double_picks(
    form: dict[str, list[str]], field: str, reason: str
) -> None:
    with pytest.raises(ResponseError) as error:
        t.normalise(BODY, form)
    assert error.value.field == field
    assert reason in error.value.reason


@pytest.mark.parametrize("response", [respond("z", None), respond(None, "z"), respond("c", "c")])
def test_most_least_score_rejects_a_response_the_body_cannot_have(response: t.Response) -> None:
    with pytest.raises(ResponseError):
        t.score(BODY, KEY, response)


def test_most_least_check_accepts_a_sound_key() -> None:
    assert t.check(BODY, KEY) == []


@pytest.mark.parametrize(
    ("key", "field", "message"),
    [
        (t.Key(most="z", least="d"), "key.most", "names option 'z'"),
        (t.Key(most="c", least="q"), "key.least", "names option 'q'"),
        (t.Key(most="c", least="c"), "key.least", "must differ"),
        (
            t.Key(most="c", least="d", rule=t.Rule(match=Decimal(0), opposite=Decimal(-1))),
            "key.rule.match",
            "more than 0",
        ),
        (
            t.Key(most="c", least="d", rule=t.Rule(opposite=Decimal(1), other=Decimal(0))),
            "key.rule",
            "opposite <= other",
        ),
        (
            t.Key(most="c", least="d", rule=t.Rule(match=Decimal(1), other=Decimal(1))),
            "key.rule",
            "other < match",
        ),
    ],
)
def test_most_least_check_catches_bad_keys(key: t.Key, field: str, message: str) -> None:
    problems = t.check(BODY, key)
    assert any(p.field == field and message in p.message for p in problems), problems


def test_most_least_check_catches_duplicate_option_ids() -> None:
    body = BODY.model_copy(update={"options": [*BODY.options[:4], Option(id="a", text="again")]})
    assert [p.field for p in t.check(body, KEY)] == ["body.options[4].id"]


@pytest.mark.parametrize("count", [3, 7])
def test_most_least_body_needs_four_to_six_options(count: int) -> None:
    with pytest.raises(ValidationError):
        t.Body(prompt="p", options=[Option(id=str(i), text="x") for i in range(count)])


def test_most_least_shuffles_only_when_asked_and_keeps_the_key() -> None:
    assert t.TYPE.draw(BODY, random.Random(1), False) == {"order": IDS}
    variant = t.TYPE.draw(BODY, random.Random(1), True)
    assert sorted(variant["order"]) == IDS and variant["order"] != IDS
    assert variant == t.TYPE.draw(BODY, random.Random(1), True)
    body, key = t.TYPE.realize(BODY, KEY, variant)
    assert [o.id for o in body.options] == variant["order"]
    assert key == KEY
    assert t.score(body, key, respond("c", "d")).points == 2


picks = st.one_of(st.none(), st.sampled_from(IDS))


@given(most=picks, least=picks)
def test_most_least_scores_stay_in_range_and_repeat(most: str | None, least: str | None) -> None:
    if most is not None and most == least:
        return
    response = respond(most, least)
    first = t.score(BODY, KEY, response)
    assert 0 <= first.points <= t.max_points(BODY, KEY)
    assert first == t.score(BODY, KEY, response)


form_fields = st.one_of(st.text(max_size=8), st.sampled_from(["most", "least"]))
form_values = st.lists(st.one_of(st.text(max_size=8), st.sampled_from(IDS)), max_size=3)


@given(form=st.dictionaries(form_fields, form_values, max_size=4))
def test_most_least_any_form_normalises_or_raises_response_error(form: dict[str, list[str]]) -> None:
    try:
        response = t.normalise(BODY, form)
    except ResponseError:
        return
    if response is not None:
        assert 0 <= t.score(BODY, KEY, response).points <= 2


@pytest.fixture(scope="module")
def macros() -> Any:
    env = item_templates()
    return env.get_template("items/sjt_most_least.html").module


def test_most_least_candidate_html_refills_and_shows_no_key(macros: Any) -> None:
    html = str(macros.candidate(BODY, respond("a", "b"), "q7-"))
    assert 'name="q7-most" value="a"\n                   checked' in html
    assert 'name="q7-least" value="b"\n                   checked' in html
    assert html.count("checked") == 2
    for leak in ("key", "expert", "correct", "opposite"):
        assert leak not in html.lower()
    assert html.count("<label") == 2 * len(IDS)
    assert "<legend>" in html


def test_most_least_candidate_html_starts_empty(macros: Any) -> None:
    assert "checked" not in str(macros.candidate(BODY, None, "q7-"))


def test_most_least_reviewer_shows_response_key_and_parts(macros: Any) -> None:
    result = t.score(BODY, KEY, respond("d", "c"))
    html = str(macros.reviewer(BODY, KEY, respond("d", "c"), result))
    assert "Score: 0 of 2" in html
    assert "Raised from -2 to 0" in html
    assert html.count("<td>most effective</td>") == 2 and html.count("<td>least effective</td>") == 2


def test_most_least_shipped_items_award_max_to_the_key() -> None:
    catalogue = load_banks([ROOT / "items/banks/account_manager_smb/sjt.yaml"])
    items = [i for i in catalogue.items.values() if i.type == "sjt_most_least"]
    assert {i.item_id for i in items} == {"sjt-upset-client", "sjt-custom-request"}
    for item in items:
        body, key = item.body, item.key
        assert isinstance(body, t.Body) and isinstance(key, t.Key)
        assert t.score(body, key, respond(key.most, key.least)).points == t.max_points(body, key)


def test_most_least_hidden_labels_name_each_response_by_its_own_number() -> None:
    env = item_templates()
    macro = env.get_template("items/sjt_most_least.html").module.candidate  # type: ignore[attr-defined]
    body = t.Body(prompt="p", options=[Option(id=i, text=f"text {i}") for i in ("a", "b", "c", "d")])
    html = str(macro(body, None, "x-"))
    for number in range(1, 5):
        # Screen readers hear "Most effective: response N" for row N, and the same for "Least".
        assert html.count(f" effective: response {number}</span>") == 2
