"""Bodies and keys of the assess types that several formats map onto, built one way for all of them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from interchange.bank_items import slug

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
        key["points"] = points
    if credit:
        key["credit"] = credit
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
        "points": points,
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


def multiple_answer_problem(wrong: dict[str, Decimal]) -> str:
    """Why a multiple-answer question's weights have no assess equivalent."""
    if all(weight == 0 for weight in wrong.values()):
        why = "its wrong answers cost nothing, so ticking every answer scores full marks"
    else:
        why = "its weights are not +w per right answer and -w per wrong one"
    return f"is a multiple-answer question that assess cannot score the same way: {why}"


def text_question(
    prompt: str, value: str, accept: list[str], points: Decimal
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A typed answer as record_entry with one text field (compared ignoring case and spacing)."""
    body = {"prompt": prompt, "fields": [{"id": TEXT_FIELD, "kind": "text", "label": "Answer"}]}
    expected: dict[str, Any] = {"kind": "text", "value": value, "points": points}
    if accept:
        expected["accept"] = accept
    return body, {"fields": {TEXT_FIELD: expected}}


def holistic_rubric(points: Decimal, description: str) -> dict[str, Any]:
    """A written key for an essay imported without a rubric: one criterion worth the essay's marks."""
    return {
        "rubric": [{"id": "overall", "label": "Overall", "description": description, "max_points": points}]
    }


def folded(text: str) -> str:
    return " ".join(text.casefold().split())


def partial_answer_notes(partial: dict[str, Decimal], full: Decimal, accepted: list[str]) -> list[str]:
    """What happens to answers that earn part marks in the source: assess text answers are right or wrong."""
    known = {folded(a) for a in accepted}
    return [
        f"{answer!r} earns {value} of {full} in the source; assess text answers are right or wrong "
        f"(ignoring case and spacing), so it earns {'full marks' if folded(answer) in known else 'nothing'}"
        for answer, value in partial.items()
    ]
