"""Format-neutral shapes an item takes in other platforms' formats, and the reason when none fits.

A type's ``shape(body, key)`` returns one of these; each export format keeps one table of
writers keyed by shape, so a new type that fits a shape is exported without touching the
formats, and a new shape is a change to every format (a registry test names what is missing).
Shapes carry what the formats need and nothing of how a type stores it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from items.base import Criterion, Option


@dataclass(frozen=True)
class NoFaithfulTarget:
    """No format can hold the item without changing how it is scored; ``reason`` says why."""

    reason: str


@dataclass(frozen=True)
class ScoredChoice:
    """One option is right; others may earn partial ``credit``."""

    prompt: str
    options: tuple[Option, ...]
    correct: str
    points: Decimal
    credit: Mapping[str, Decimal]


@dataclass(frozen=True)
class DrawnNumber:
    """A number computed by ``formula`` from values drawn per attempt: no fixed answer to write."""

    prompt: str
    formula: str


@dataclass(frozen=True)
class NumberWithTolerance:
    """A typed number, right within ``tolerance`` or ``relative_tolerance`` (a fraction), whichever is wider.

    ``unit`` is "currency", "percent" or "plain"; ``label`` is what the entry is called.
    """

    prompt: str
    unit: Literal["currency", "percent", "plain"]
    symbol: str
    label: str
    value: Decimal
    tolerance: Decimal
    relative_tolerance: Decimal
    points: Decimal
    #: Other right values, each with its own absolute tolerance.
    also: tuple[tuple[Decimal, Decimal], ...] = ()


@dataclass(frozen=True)
class NameCheck:
    name: str
    points: Decimal


@dataclass(frozen=True)
class FactCheck:
    label: str
    accept: tuple[str, ...]
    points: Decimal


@dataclass(frozen=True)
class TextWithRubric:
    """Free text a person marks by ``rubric``, beside automatic checks.

    ``length_points`` is None when the length is not checked.
    """

    prompt: str
    material: str
    min_words: int | None
    max_words: int | None
    rubric: tuple[Criterion, ...]
    required_names: tuple[NameCheck, ...]
    required_facts: tuple[FactCheck, ...]
    length_points: Decimal | None
    max_points: Decimal


@dataclass(frozen=True)
class Ordering:
    """Every option put in order; ``ranking`` is the model order, first to last.

    Scored by distance from the model order, unless ``exact_points`` is set: then that many
    points for the model order itself and none for any other (all-or-nothing).
    """

    prompt: str
    options: tuple[Option, ...]
    ranking: tuple[str, ...]
    first_label: str
    last_label: str
    exact_points: Decimal | None = None


@dataclass(frozen=True)
class PerOptionRating:
    """Every option rated on a whole-number scale, earning ``span - |rating - expert|`` each."""

    prompt: str
    options: tuple[Option, ...]
    minimum: int
    maximum: int
    labels: Mapping[int, str]
    ratings: Mapping[str, Decimal]


@dataclass(frozen=True)
class SeededError:
    """A planted mistake: the words it covers (indices into ``MarkedPassage.words``) and its fixes.

    ``single_correction`` keeps an author's one correction apart from a list of one.
    """

    span: str
    kind: str
    occurrence: int | None
    words: tuple[int, ...]
    corrections: tuple[str, ...]
    single_correction: bool


@dataclass(frozen=True)
class MarkedPassage:
    """Mark the wrong words of ``passage``; ``words`` are each markable word's (start, end) in it."""

    instructions: str
    passage: str
    reference_title: str
    reference: tuple[str, ...]
    ask_corrections: bool
    words: tuple[tuple[int, int], ...]
    errors: tuple[SeededError, ...]
    correction_points: Decimal
    false_alarm_penalty: Decimal


@dataclass(frozen=True)
class TextGap:
    """One typed answer, right when it matches one of ``accepted`` (the key first) ignoring spacing.

    Case is ignored too unless ``case_sensitive``. ``name`` is the field's id, unique in its
    item; ``hint`` is shown beside the blank.
    """

    name: str
    label: str
    hint: str
    accepted: tuple[str, ...]
    case_sensitive: bool
    points: Decimal


@dataclass(frozen=True)
class TypedTexts:
    """One or more typed answers in one question, each gap scored on its own and the points summed."""

    prompt: str
    gaps: tuple[TextGap, ...]


@dataclass(frozen=True)
class Selection:
    """Select every option that applies; ``right`` are the options to select.

    ``all_or_nothing``: ``points`` only for exactly ``right``. Otherwise ``points`` per right
    option minus ``points`` per wrong one, from 0 up to ``points`` times the number right.
    """

    prompt: str
    label: str
    options: tuple[Option, ...]
    right: tuple[str, ...]
    all_or_nothing: bool
    points: Decimal


Shape = (
    NoFaithfulTarget
    | ScoredChoice
    | DrawnNumber
    | NumberWithTolerance
    | TextWithRubric
    | Ordering
    | PerOptionRating
    | MarkedPassage
    | TypedTexts
    | Selection
)

#: Every shape but ``NoFaithfulTarget``: what each export format's table must cover.
SHAPES: tuple[type[Shape], ...] = (
    ScoredChoice,
    DrawnNumber,
    NumberWithTolerance,
    TextWithRubric,
    Ordering,
    PerOptionRating,
    MarkedPassage,
    TypedTexts,
    Selection,
)
