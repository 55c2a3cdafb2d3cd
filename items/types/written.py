"""Written response (the summary email): a reviewer scores the rubric, the machine only what it can.

``score`` runs the deterministic checks (names spelled exactly, required facts,
length) and lists every rubric criterion as awaiting the reviewer;
``apply_rubric`` turns the reviewer's marks into the final score.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator

from items.base import (
    Criterion,
    Form,
    ItemType,
    Part,
    Problem,
    ResponseError,
    Rubric,
    Schema,
    Score,
    body_of,
    first_value,
)
from items.shapes import FactCheck, NameCheck, TextWithRubric
from items.simulation import Answerer, misspelled

MAX_CHARACTERS = 20_000
# A blank name or phrasing would be "found" in every answer.
Phrase = Annotated[str, Field(pattern=r"\S")]
# How alike each word must be to the required name's word for a passage to count as a misspelling.
NEAR_MISS_RATIO = 0.75


class Body(Schema):
    prompt: str = Field(min_length=1)
    material: str = ""
    min_words: int | None = Field(default=None, ge=1)
    max_words: int | None = Field(default=None, ge=1)


class RequiredName(Schema):
    """Must appear exactly as written here, capitals included."""

    name: Phrase
    points: Decimal = Field(default=Decimal(0), ge=0)


class RequiredFact(Schema):
    """Found when any phrasing appears, ignoring case and spacing (plain text, not regex)."""

    label: str = Field(min_length=1)
    accept: list[Phrase] = Field(min_length=1)
    points: Decimal = Field(default=Decimal(0), ge=0)


class LengthCheck(Schema):
    points: Decimal = Field(default=Decimal(0), ge=0)


class Key(Schema):
    """Check ``points`` default to 0: such a check is shown to the reviewer and scores nothing."""

    rubric: list[Criterion] = Field(min_length=1)
    required_names: list[RequiredName] = Field(default_factory=list)
    required_facts: list[RequiredFact] = Field(default_factory=list)
    length: LengthCheck | None = None


class Response(Schema):
    text: str = Field(min_length=1, max_length=MAX_CHARACTERS)

    @field_validator("text", mode="before")
    @classmethod
    def _as_the_page_reads(cls, value: object, info: ValidationInfo) -> object:
        return _answer_text(value) if body_of(info) is not None and isinstance(value, str) else value


def _answer_text(raw: str) -> str:
    # Browsers send CRLF; count and store one newline per line break.
    text = raw.strip().replace("\r\n", "\n")
    if len(text) > MAX_CHARACTERS:
        raise ResponseError("text", f"is {len(text):,} characters; the limit is {MAX_CHARACTERS:,}")
    return text


def normalise(body: Body, form: Form) -> Response | None:
    text = _answer_text(first_value(form, "text"))
    return Response(text=text) if text else None


def word_count(text: str) -> int:
    return len(text.split())


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


def _near_miss(name: str, segments: list[str]) -> str | None:
    """A passage whose every word is close to the name's word in the same place.

    Word by word, so that "Siobhan Kean" is a misspelling of "Siobhan Keane" but
    "Siobhan and" (the first name alone, then another word) is not.
    """
    target = name.split()
    for segment in segments:
        words = re.findall(r"\w[\w'’-]*", segment)
        for start in range(len(words) - len(target) + 1):
            passage = words[start : start + len(target)]
            if all(_is_alike(w, t) for w, t in zip(passage, target, strict=True)):
                return " ".join(passage)
    return None


def _is_alike(written: str, expected: str) -> bool:
    # Case is ignored here: "siobhan keane" is a misspelling the case-sensitive exact check missed.
    return difflib.SequenceMatcher(None, written.casefold(), expected.casefold()).ratio() >= NEAR_MISS_RATIO


def _name_part(required: RequiredName, text: str) -> Part:
    """Full points only when the name appears exactly and is misspelled nowhere else."""
    label = f"Name: {required.name}"
    exact = re.compile(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in required.name.split()) + r"(?!\w)")
    segments = exact.split(text)
    # Look for misspellings only between exact mentions, or every mention would be a near miss.
    written = _near_miss(required.name, segments)
    if written is not None:
        why = f'Misspelled: written as "{written}", expected "{required.name}".'
    elif len(segments) > 1:
        return Part(label, required.points, required.points, f'"{required.name}" is spelled exactly.')
    else:
        why = f'"{required.name}" does not appear.'
    return Part(label, Decimal(0), required.points, why)


def _fact_part(fact: RequiredFact, text: str) -> Part:
    label = f"Fact: {fact.label}"
    folded = _folded(text)
    found = next((p for p in fact.accept if _folded(p) in folded), None)
    if found is not None:
        return Part(label, fact.points, fact.points, f'Mentioned (found "{found}").')
    accepted = ", ".join(f'"{p}"' for p in fact.accept)
    return Part(label, Decimal(0), fact.points, f"Not found; any of {accepted} counts.")


def _length_part(body: Body, check: LengthCheck, text: str) -> Part:
    words = word_count(text)
    low, high = body.min_words, body.max_words
    if low is not None and words < low:
        why = f"{words} words, below the minimum of {low}."
    elif high is not None and words > high:
        why = f"{words} words, above the maximum of {high}."
    else:
        return Part("Length", check.points, check.points, f"{words} words, within {_limits(body)}.")
    return Part("Length", Decimal(0), check.points, why)


def _limits(body: Body) -> str:
    if body.min_words and body.max_words:
        return f"{body.min_words}–{body.max_words} words"
    return f"at least {body.min_words} words" if body.min_words else f"at most {body.max_words} words"


def _automatic_parts(body: Body, key: Key, text: str) -> list[Part]:
    parts = [_name_part(n, text) for n in key.required_names]
    parts += [_fact_part(f, text) for f in key.required_facts]
    if key.length is not None:
        parts.append(_length_part(body, key.length, text))
    return parts


def score(body: Body, key: Key, response: Response) -> Score:
    """Automatic checks only; rubric criteria wait for a reviewer at 0 points."""
    parts = _automatic_parts(body, key, response.text)
    for criterion in key.rubric:
        why = f"Awaiting reviewer. {criterion.description}"
        parts.append(Part(criterion.label, Decimal(0), criterion.max_points, why))
    earned = sum((p.points for p in parts), Decimal(0))
    return Score(earned, max_points(body, key), tuple(parts), pending_review=True)


def apply_rubric(body: Body, key: Key, response: Response, awards: Mapping[str, Decimal]) -> Score:
    """The final score once a reviewer has marked every rubric criterion."""
    unknown = sorted(set(awards) - {c.id for c in key.rubric})
    if unknown:
        raise ResponseError(unknown[0], "is not a criterion of this rubric")
    parts = _automatic_parts(body, key, response.text)
    for criterion in key.rubric:
        award = awards.get(criterion.id)
        if award is None:
            raise ResponseError(criterion.id, "has no mark yet")
        if not (award.is_finite() and Decimal(0) <= award <= criterion.max_points):
            raise ResponseError(criterion.id, f"a mark must be between 0 and {criterion.max_points}")
        why = f"Reviewer's mark: {award} of {criterion.max_points}. {criterion.description}"
        parts.append(Part(criterion.label, award, criterion.max_points, why))
    return Score(sum((p.points for p in parts), Decimal(0)), max_points(body, key), tuple(parts))


def max_points(body: Body, key: Key) -> Decimal:
    checks = [n.points for n in key.required_names] + [f.points for f in key.required_facts]
    checks.append(key.length.points if key.length else Decimal(0))
    return sum((c.max_points for c in key.rubric), Decimal(0)) + sum(checks, Decimal(0))


def check(body: Body, key: Key) -> list[Problem]:
    problems: list[Problem] = []
    if body.min_words and body.max_words and body.min_words > body.max_words:
        problems.append(Problem("body.max_words", f"is below min_words ({body.min_words})"))
    if key.length is not None and not (body.min_words or body.max_words):
        problems.append(Problem("key.length", "checks length, but the body sets no min_words or max_words"))
    ids = [c.id for c in key.rubric]
    for index, criterion_id in enumerate(ids):
        if criterion_id in ids[:index]:
            problems.append(Problem(f"key.rubric[{index}].id", f"duplicate criterion id {criterion_id!r}"))
    # A candidate can only spell a name right if the item shows it to them.
    shown = f"{body.prompt}\n{body.material}"
    for index, required in enumerate(key.required_names):
        if required.name not in shown:
            message = f'"{required.name}" is not in the prompt or material'
            problems.append(Problem(f"key.required_names[{index}].name", message))
    return problems


def shape(body: Body, key: Key) -> TextWithRubric:
    return TextWithRubric(
        prompt=body.prompt,
        material=body.material,
        min_words=body.min_words,
        max_words=body.max_words,
        rubric=tuple(key.rubric),
        required_names=tuple(NameCheck(n.name, n.points) for n in key.required_names),
        required_facts=tuple(FactCheck(f.label, tuple(f.accept), f.points) for f in key.required_facts),
        length_points=None if key.length is None else key.length.points,
        max_points=max_points(body, key),
    )


def simulate(body: Body, key: Key, who: Answerer) -> Form:
    """An email built from the material's lines: abler candidates keep more facts and spell names right."""
    lines = [line.strip() for line in body.material.splitlines() if line.strip()]
    kept = [line for line in lines if who.gets(shift=-0.8)] or lines[:2]
    words = sum(len(line.split()) for line in kept)
    while body.max_words and words > body.max_words - 20 and len(kept) > 2:
        words -= len(kept.pop(who.rng.randrange(len(kept))).split())
    text = "\n".join(["Hi team,", "", "A summary of this morning's call and what we agreed:", "", *kept])
    for required in key.required_names:
        if not who.gets(shift=-0.5):
            text = text.replace(required.name, misspelled(required.name, who.rng))
    return {"text": [f"{text}\n\nThanks,\nAccount Manager"]}


def _criteria(key: Key) -> list[Criterion]:
    return key.rubric


TYPE = ItemType(
    name="written",
    description="Free-text answer (summary email) scored by rubric, with automatic checks where exact.",
    body=Body,
    key=Key,
    response=Response,
    normalise=normalise,
    score=score,
    max_points=max_points,
    check=check,
    shape=shape,
    simulate=simulate,
    rubric=Rubric(criteria=_criteria, score=apply_rubric),
)
