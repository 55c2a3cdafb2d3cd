"""Bodies and keys of the assess types that several formats map onto, built one way for all of them."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from interchange.bank_items import slug
from interchange.weights import canonical

FLAGS_FIELD = "selected"
TEXT_FIELD = "answer"
TRUE_FALSE = [{"id": "true", "text": "True"}, {"id": "false", "text": "False"}]


class Unmappable(Exception):
    """A question with no faithful assess type; the message says why."""


def letter_ids(count: int) -> list[str]:
    """Option ids for formats whose answers have none: a, b, c, ... then o27, o28, ..."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return [letters[i] if i < len(letters) else f"o{i + 1}" for i in range(count)]


def single_choice_key(
    correct: str, points: Decimal, credit: dict[str, Decimal] | None = None
) -> dict[str, Any]:
    key: dict[str, Any] = {"correct": correct}
    if points != 1:
        key["points"] = canonical(points)
    if credit:
        key["credit"] = {option: canonical(value) for option, value in credit.items()}
    return key


def row_ids(option_ids: list[str]) -> dict[str, str]:
    """Option id -> a table row id (``^[a-z0-9][a-z0-9_-]*$``); ``Unmappable`` when two collide."""
    rows = {option: slug(option).replace(".", "-") for option in option_ids}
    if len(set(rows.values())) < len(rows) or not all(rows.values()):
        raise Unmappable(
            "its answer identifiers do not make distinct row ids (they differ only in case or symbols)"
        )
    return rows


def flags_question(
    prompt: str, options: list[dict[str, str]], right: list[str], rule: str, points: Decimal
) -> tuple[dict[str, Any], dict[str, Any]]:
    """ "Select all that apply" as record_entry: the options are rows of a one-column table."""
    rows = row_ids([o["id"] for o in options])
    body = {
        "prompt": prompt,
        "table": {
            "columns": ["Option"],
            "rows": [{"id": rows[o["id"]], "cells": [o["text"]]} for o in options],
        },
        "fields": [{"id": FLAGS_FIELD, "kind": "flags", "label": "Select every option that applies"}],
    }
    expected = {
        "kind": "flags",
        "value": [rows[i] for i in right if i in rows],
        "rule": rule,
        "points": canonical(points),
    }
    return body, {"fields": {FLAGS_FIELD: expected}}


def per_row_weight(right: dict[str, Decimal], wrong: dict[str, Decimal]) -> Decimal | None:
    """The w of "+w per right choice, -w per wrong one", or None when the weights are not that."""
    weights = set(right.values())
    if len(weights) != 1:
        return None
    weight = next(iter(weights))
    if weight > 0 and set(wrong.values()) <= {-weight}:
        return weight
    return None


def multiple_answer_problem(wrong: Mapping[str, Decimal | Fraction]) -> str:
    """Why a multiple-answer question's weights have no assess equivalent."""
    if all(weight == 0 for weight in wrong.values()):
        why = "its wrong answers cost nothing, so ticking every answer scores full marks"
    else:
        why = "its weights are not +w per right answer and -w per wrong one"
    return f"is a multiple-answer question that assess cannot score the same way: {why}"


def text_question(
    prompt: str, value: str, accept: list[str], points: Decimal, case_sensitive: bool = False
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A typed answer as record_entry with one text field (ignoring spacing, and case unless told)."""
    body = {"prompt": prompt, "fields": [{"id": TEXT_FIELD, "kind": "text", "label": "Answer"}]}
    expected: dict[str, Any] = {"kind": "text", "value": value, "points": points}
    if accept:
        expected["accept"] = accept
    if case_sensitive:
        expected["case_sensitive"] = True
    return body, {"fields": {TEXT_FIELD: expected}}


def numeric_key(accepted: list[tuple[Decimal, Decimal]], points: Decimal) -> dict[str, Any]:
    """A fixed-value numeric key from the full-credit (value, tolerance) pairs, in the source's order."""
    (value, tolerance), *others = accepted
    key: dict[str, Any] = {"value": canonical(value)}
    if tolerance:
        key["tolerance"] = canonical(abs(tolerance))
    if others:
        key["also"] = [
            {"value": canonical(v), **({"tolerance": canonical(abs(t))} if t else {})} for v, t in others
        ]
    if points != 1:
        key["points"] = canonical(points)
    return key


def holistic_rubric(points: Decimal, description: str) -> dict[str, Any]:
    """A written key for an essay imported without a rubric: one criterion worth the essay's marks."""
    return {
        "rubric": [{"id": "overall", "label": "Overall", "description": description, "max_points": points}]
    }


def folded(text: str) -> str:
    return " ".join(text.casefold().split())


def partial_answer_notes(
    partial: dict[str, Decimal], full: Decimal, accepted: list[str], case_sensitive: bool = False
) -> list[str]:
    """What happens to answers that earn part marks in the source: assess text answers are right or wrong."""
    same = (lambda text: " ".join(text.split())) if case_sensitive else folded
    known = {same(a) for a in accepted}
    ignoring = "spacing" if case_sensitive else "case and spacing"
    return [
        f"{answer!r} earns {value} of {full} in the source; assess text answers are right or wrong "
        f"(ignoring {ignoring}), so it earns {'full marks' if same(answer) in known else 'nothing'}"
        for answer, value in partial.items()
    ]
