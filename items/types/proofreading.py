"""Proofreading: the candidate marks the wrong words in a passage and may type the fixes.

The author writes the passage plainly; it is split into words, each a numbered token the
candidate can mark. The key seeds errors as exact text spans, located here, so authors
never count words by hand.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import Field, ValidationInfo, model_validator

from items.base import Form, ItemType, Part, Problem, ResponseError, Schema, Score, body_of
from items.shapes import MarkedPassage
from items.shapes import SeededError as SeededErrorShape
from items.simulation import Answerer

LEADING = "\"'“‘([{"
TRAILING = ".,;:!?\"'”’)]}…"
MAX_CORRECTION = 200
# Folded away before corrections are compared: case, edge punctuation, curly quotes, "$1,240" vs "1240".
EDGE = LEADING + TRAILING + "$ "
QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
DIGIT_GROUP = re.compile(r"(?<=\d),(?=\d{3}\b)")


@dataclass(frozen=True)
class Token:
    """One word of the passage; ``index`` is None for chunks with no letter or digit ("—")."""

    index: int | None
    lead: str
    word: str
    trail: str
    start: int
    end: int


class Body(Schema):
    """``reference`` lists the facts a candidate checks the passage against (an account facts box)."""

    instructions: str = Field(min_length=1)
    passage: str = Field(min_length=1, max_length=6000)
    reference_title: str = "Account facts"
    reference: list[str] = Field(default_factory=list)
    ask_corrections: bool = True

    def lines(self) -> tuple[tuple[Token, ...], ...]:
        """The passage's non-blank lines, each a tuple of tokens, numbered across the passage."""
        return _lines(self.passage)

    def tokens(self) -> tuple[Token, ...]:
        """Every markable token, in order: ``tokens()[i].index == i``."""
        return tuple(t for line in _lines(self.passage) for t in line if t.index is not None)


# Keyed by the passage itself: scoring, checking and every page of an item tokenise the same text.
@functools.lru_cache(maxsize=512)
def _lines(passage: str) -> tuple[tuple[Token, ...], ...]:
    lines: list[tuple[Token, ...]] = []
    offset, index = 0, 0
    for text in passage.splitlines(keepends=True):
        line: list[Token] = []
        for chunk in re.finditer(r"\S+", text):
            token = _token(chunk.group(), offset + chunk.start(), index)
            if token.index is not None:
                index += 1
            line.append(token)
        if line:
            lines.append(tuple(line))
        offset += len(text)
    return tuple(lines)


def _token(chunk: str, start: int, index: int) -> Token:
    unled = chunk.lstrip(LEADING)
    lead = chunk[: len(chunk) - len(unled)]
    word = unled.rstrip(TRAILING)
    if not any(c.isalnum() for c in word):
        return Token(None, "", chunk, "", start, start + len(chunk))
    word_start = start + len(lead)
    return Token(index, lead, word, unled[len(word) :], word_start, word_start + len(word))


class SpanError(ValueError):
    """A seeded error's span that does not pick out whole words of the passage exactly once."""


class SeededError(Schema):
    """A planted mistake: ``span`` is its exact text; ``occurrence`` picks one of repeats (1 = first)."""

    span: str = Field(min_length=1)
    occurrence: int | None = Field(default=None, ge=1)
    correction: str | list[str] = Field(default_factory=list)
    kind: str = Field(min_length=1)

    def corrections(self) -> list[str]:
        return [self.correction] if isinstance(self.correction, str) else list(self.correction)

    def indices(self, body: Body) -> list[int]:
        """The tokens this span covers; ``SpanError`` when it is missing, ambiguous or cuts a word."""
        words = r"\s+".join(re.escape(part) for part in self.span.split())
        found = list(re.finditer(rf"(?<!\w){words}(?!\w)", body.passage))
        if not found:
            raise SpanError(f"{self.span!r} is not in the passage (spans must match its text exactly)")
        if self.occurrence is None and len(found) > 1:
            raise SpanError(f"{self.span!r} appears {len(found)} times; add occurrence: 1 to {len(found)}")
        if self.occurrence is not None and self.occurrence > len(found):
            raise SpanError(f"occurrence {self.occurrence}, but {self.span!r} appears {len(found)} time(s)")
        match = found[(self.occurrence or 1) - 1]
        covered = [t for t in body.tokens() if t.start < match.end() and t.end > match.start()]
        for token in covered:
            if token.start < match.start() or token.end > match.end():
                raise SpanError(f"{self.span!r} covers part of the word {token.word!r}; span whole words")
        if not covered:
            raise SpanError(f"{self.span!r} holds no word a candidate can mark")
        return [t.index for t in covered if t.index is not None]


class Key(Schema):
    """Per error: 1 point for marking it, ``correction_points`` more for a right fix.

    Each marked word outside every error costs ``false_alarm_penalty``.
    """

    errors: list[SeededError] = Field(min_length=1)
    correction_points: Decimal = Field(default=Decimal("0.5"), ge=0)
    false_alarm_penalty: Decimal = Field(default=Decimal("0.5"), ge=0)

    def by_token(self, body: Body) -> dict[int, int]:
        """Token index -> the 1-based number of the error covering it."""
        return {i: number for number, error in enumerate(self.errors, 1) for i in error.indices(body)}


class Response(Schema):
    """``marks`` are token indices; ``corrections`` maps a marked token to the text typed for it."""

    marks: list[int] = Field(default_factory=list, max_length=6000)
    corrections: dict[int, str] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _as_the_page_reads(cls, data: Any, info: ValidationInfo) -> Any:
        body = body_of(info)
        if body is None or not isinstance(data, dict):
            return data
        marks, fixes = data.get("marks", []), data.get("corrections", {})
        if not isinstance(marks, list) or not isinstance(fixes, dict):
            return data
        marks, corrections = _read(body, marks, fixes)
        return {**data, "marks": marks, "corrections": corrections}


def normalise(body: Body, form: Form) -> Response | None:
    fixes = {
        name.removeprefix("fix-"): values[0] if values else ""
        for name, values in form.items()
        if name.startswith("fix-")
    }
    marks, corrections = _read(body, form.get("mark", []), fixes)
    if not marks:
        return None
    return Response(marks=marks, corrections=corrections)


def _read(
    body: Body, given: Iterable[object], fixes: Mapping[Any, object]
) -> tuple[list[int], dict[int, str]]:
    """Marked word numbers and the fixes typed for them, as the page sends or JSON gives them."""
    count = len(body.tokens())
    marks = sorted({_index(str(raw).strip(), count, "mark") for raw in given if str(raw).strip()})
    corrections: dict[int, str] = {}
    for raw_index, raw_text in fixes.items():
        name = f"fix-{raw_index}"
        if not body.ask_corrections:
            raise ResponseError(name, "this passage takes marks only, not corrections")
        index = _index(str(raw_index), count, name)
        text = " ".join(str(raw_text).split())
        if len(text) > MAX_CORRECTION:
            raise ResponseError(name, f"is too long for a correction (at most {MAX_CORRECTION} characters)")
        # A fix typed for a word later unmarked stays in the page, hidden; it is not an answer.
        if text and index in marks:
            corrections[index] = text
    return marks, corrections


def _index(raw: str, count: int, field: str) -> int:
    if not (raw.isascii() and raw.isdigit()) or int(raw) >= count:
        raise ResponseError(field, f"{raw[:20]!r} is not a word of the passage")
    return int(raw)


def _folded(text: str) -> str:
    text = DIGIT_GROUP.sub("", " ".join(text.translate(QUOTES).casefold().split()))
    return text.strip(EDGE)


def _check_response(body: Body, response: Response) -> None:
    count = len(body.tokens())
    if len(set(response.marks)) != len(response.marks):
        raise ResponseError("marks", "names the same word more than once")
    for index in response.marks:
        if not 0 <= index < count:
            raise ResponseError("marks", f"{index} is not a word of the passage")
    for index, text in response.corrections.items():
        if index not in response.marks:
            raise ResponseError(f"corrections.{index}", "corrects a word that is not marked")
        if len(text) > MAX_CORRECTION:
            raise ResponseError(f"corrections.{index}", f"is longer than {MAX_CORRECTION} characters")


def _error_part(body: Body, key: Key, number: int, error: SeededError, response: Response) -> Part:
    indices = error.indices(body)
    words = {t.index: t.word for t in body.tokens()}
    fix_points = key.correction_points if body.ask_corrections else Decimal(0)
    top = 1 + fix_points
    label = f"Error {number} ({error.kind})"
    accepted = " or ".join(f"“{c}”" for c in error.corrections())
    if not any(i in response.marks for i in indices):
        should = f"; it should read {accepted}" if accepted else ""
        return Part(label, Decimal(0), top, f"Missed “{error.span}”{should}.")
    found = f"Marked “{error.span}”."
    if not body.ask_corrections:
        return Part(label, Decimal(1), top, found)
    fixes = [response.corrections[i] for i in indices if i in response.corrections]
    if not fixes:
        return Part(label, Decimal(1), top, f"{found} No correction typed; accepted: {accepted}.")
    typed = " ".join(fixes)
    rebuilt = " ".join(response.corrections.get(i, words[i]) for i in indices)
    targets = {_folded(c) for c in error.corrections()}
    if _folded(typed) in targets:
        return Part(label, 1 + fix_points, top, f"{found} Correction “{typed}” is right.")
    if _folded(rebuilt) in targets:
        why = f"{found} Correction “{typed}” makes it read “{rebuilt}”, which is right."
        return Part(label, 1 + fix_points, top, why)
    return Part(label, Decimal(1), top, f"{found} Correction “{typed}” is not right; accepted: {accepted}.")


def score(body: Body, key: Key, response: Response) -> Score:
    _check_response(body, response)
    parts = [_error_part(body, key, number, error, response) for number, error in enumerate(key.errors, 1)]
    seeded = key.by_token(body)
    words = {t.index: t.word for t in body.tokens()}
    alarms = [words[i] for i in response.marks if i not in seeded]
    penalty = key.false_alarm_penalty * len(alarms)
    raw = sum((p.points for p in parts), Decimal(0)) - penalty
    top = max_points(body, key)
    total = min(max(raw, Decimal(0)), top)
    if alarms:
        listed = ", ".join(f"“{w}”" for w in alarms)
        why = f"{len(alarms)} word(s) marked that are not errors: {listed}; −{key.false_alarm_penalty} each."
    else:
        why = "No correct words were marked as errors."
    if raw < 0:
        why += " The total is floored at 0."
    parts.append(Part("False alarms", -penalty if alarms else Decimal(0), Decimal(0), why))
    return Score(total, top, tuple(parts))


def max_points(body: Body, key: Key) -> Decimal:
    per_error = 1 + (key.correction_points if body.ask_corrections else Decimal(0))
    return per_error * len(key.errors)


def check(body: Body, key: Key) -> list[Problem]:
    problems: list[Problem] = []
    owner: dict[int, int] = {}
    for number, error in enumerate(key.errors):
        where = f"key.errors[{number}]"
        try:
            indices = error.indices(body)
        except SpanError as exc:
            problems.append(Problem(f"{where}.span", str(exc)))
            continue
        for index in indices:
            if index in owner:
                problems.append(Problem(f"{where}.span", f"overlaps the span of key.errors[{owner[index]}]"))
                break
            owner[index] = number
        if body.ask_corrections and not error.corrections():
            problems.append(Problem(f"{where}.correction", "give at least one accepted correction"))
        for correction in error.corrections():
            if _folded(correction) == _folded(error.span) or not _folded(correction):
                problems.append(Problem(f"{where}.correction", f"{correction!r} does not change the span"))
    return problems


def shape(body: Body, key: Key) -> MarkedPassage:
    errors = tuple(
        SeededErrorShape(
            span=error.span,
            kind=error.kind,
            occurrence=error.occurrence,
            words=tuple(error.indices(body)),
            corrections=tuple(error.corrections()),
            single_correction=isinstance(error.correction, str),
        )
        for error in key.errors
    )
    return MarkedPassage(
        instructions=body.instructions,
        passage=body.passage,
        reference_title=body.reference_title,
        reference=tuple(body.reference),
        ask_corrections=body.ask_corrections,
        words=tuple((t.start, t.end) for t in body.tokens()),
        errors=errors,
        correction_points=key.correction_points,
        false_alarm_penalty=key.false_alarm_penalty,
    )


def simulate(body: Body, key: Key, who: Answerer) -> Form:
    seeded = key.by_token(body)
    marks: set[int] = set()
    form: dict[str, list[str]] = {}
    for error in key.errors:
        if not who.gets(shift=who.rng.uniform(-0.5, 0.5)):
            continue
        indices = error.indices(body)
        marks.update(indices)
        if body.ask_corrections and error.corrections() and who.gets(shift=-0.3):
            form[f"fix-{indices[0]}"] = [error.corrections()[0]]
    correct_words = [t.index for t in body.tokens() if t.index is not None and t.index not in seeded]
    false_alarms = sum(1 for _ in range(3) if who.rng.random() < 0.3 * (1 - who.chance()))
    marks.update(who.rng.sample(correct_words, min(false_alarms, len(correct_words))))
    form["mark"] = [str(index) for index in sorted(marks)]
    return form


TYPE = ItemType(
    name="proofreading",
    description="Mark the wrong words in a passage and type the fixes; scored on seeded errors.",
    body=Body,
    key=Key,
    response=Response,
    normalise=normalise,
    score=score,
    max_points=max_points,
    check=check,
    shape=shape,
    simulate=simulate,
)
