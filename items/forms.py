"""Assessment forms: sections of fixed items and pools, and the draw an attempt freezes."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Discriminator, Field, Tag, field_validator
from pydantic_core import PydanticCustomError

from items.base import Schema, Variant

if TYPE_CHECKING:
    from items.bank import ItemVersion

ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"


class PoolSpec(Schema):
    """Draw ``draw`` distinct items at random from ``from``.

    With ``max_exposure``, no item of the pool is drawn into more than that many attempts
    (its current version), and the less shown items are drawn first.
    """

    draw: int = Field(ge=1)
    pool: list[str] = Field(min_length=1, alias="from")
    max_exposure: int | None = None

    @field_validator("max_exposure")
    @classmethod
    def _positive_cap(cls, value: int | None) -> int | None:
        if value is not None and value < 1:
            raise PydanticCustomError(
                "max_exposure",
                "the most attempts each item of the pool may be shown in: a whole number, 1 or more "
                "(leave it out for no maximum)",
            )
        return value


def _entry_kind(entry: Any) -> str:
    return "pool" if isinstance(entry, Mapping | PoolSpec) else "item"


#: An entry is an item id or a pool; a mapping is read as a pool only, so a pool's problem is
#: reported once, as ``items[1].pool.max_exposure``, and not again as "not a string".
SectionEntry = Annotated[
    Annotated[str, Tag("item")] | Annotated[PoolSpec, Tag("pool")], Discriminator(_entry_kind)
]


class SectionSpec(Schema):
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    instructions: str = ""
    items: list[SectionEntry] = Field(min_length=1)


class FormSpec(Schema):
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    time_limit_minutes: int = Field(gt=0, le=480)
    shuffle_options: bool = True
    instructions: str = ""
    sections: list[SectionSpec] = Field(min_length=1)


@dataclass(frozen=True)
class Pool:
    draw: int
    item_ids: tuple[str, ...]
    #: Left out of ``repr``, which is the form's content version: a cap changes which items
    #: later draws may pick, never what an attempt already drawn shows, so it draws nothing again.
    max_exposure: int | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    instructions: str
    entries: tuple[str | Pool, ...]


@dataclass(frozen=True)
class AssessmentForm:
    """A validated test form: what an attempt is assembled from."""

    id: str
    title: str
    time_limit_minutes: int
    shuffle_options: bool
    instructions: str
    sections: tuple[Section, ...]
    budget_minutes: Decimal

    def item_ids(self) -> list[str]:
        """Every item the form can show, fixed or in a pool."""
        ids: list[str] = []
        for section in self.sections:
            for entry in section.entries:
                ids.extend(entry.item_ids if isinstance(entry, Pool) else (entry,))
        return ids


@dataclass(frozen=True)
class Slot:
    """One item as frozen into an attempt: its place, its version and its variant."""

    position: int
    section_id: str
    item: ItemVersion
    variant: Variant


def build_form(
    spec: FormSpec, items: Mapping[str, ItemVersion], broken: Set[str] = frozenset()
) -> tuple[AssessmentForm, list[tuple[tuple[str | int, ...], str]]]:
    """Resolve a form's item ids and check its time budget.

    Returns the form and its problems as (field path, message) pairs. Ids in
    ``broken`` name items already reported as invalid, so they are not reported again.
    """
    problems: list[tuple[tuple[str | int, ...], str]] = []
    budget = Decimal(0)
    used: set[str] = set()
    sections: list[Section] = []
    section_ids: set[str] = set()
    for s_index, section in enumerate(spec.sections):
        where: tuple[str | int, ...] = ("sections", s_index)
        if section.id in section_ids:
            problems.append(((*where, "id"), f"duplicate section id {section.id!r}"))
        section_ids.add(section.id)
        entries: list[str | Pool] = []
        for e_index, entry in enumerate(section.items):
            ids = entry.pool if isinstance(entry, PoolSpec) else [entry]
            field_path = (*where, "items", e_index) + (("from",) if isinstance(entry, PoolSpec) else ())
            missing = [i for i in ids if i not in items and i not in broken]
            for item_id in missing:
                problems.append((field_path, f"no item with id {item_id!r} in the banks loaded"))
            for item_id in ids:
                if item_id in used:
                    problems.append((field_path, f"item {item_id!r} appears more than once in the form"))
                used.add(item_id)
            if isinstance(entry, PoolSpec):
                if entry.draw > len(entry.pool):
                    message = f"draws {entry.draw} from a pool of {len(entry.pool)}"
                    problems.append(((*where, "items", e_index, "draw"), message))
                minutes = sorted((items[i].minutes for i in ids if i in items), reverse=True)
                budget += sum(minutes[: entry.draw], Decimal(0))
                entries.append(Pool(entry.draw, tuple(entry.pool), entry.max_exposure))
            else:
                budget += items[entry].minutes if entry in items else Decimal(0)
                entries.append(entry)
        sections.append(Section(section.id, section.title, section.instructions, tuple(entries)))
    if budget > spec.time_limit_minutes:
        message = f"items need {budget} minutes, more than the {spec.time_limit_minutes}-minute limit"
        problems.append((("time_limit_minutes",), message))
    form = AssessmentForm(
        id=spec.id,
        title=spec.title,
        time_limit_minutes=spec.time_limit_minutes,
        shuffle_options=spec.shuffle_options,
        instructions=spec.instructions,
        sections=tuple(sections),
        budget_minutes=budget,
    )
    return form, problems


#: Picks a pool's item ids for one attempt (exposure-aware draws live above ``items``).
PoolDraw = Callable[[Pool, random.Random], list[str]]


def sample_pool(pool: Pool, rng: random.Random) -> list[str]:
    """``pool.draw`` distinct items, each equally likely."""
    return rng.sample(list(pool.item_ids), pool.draw)


def draw_attempt(
    form: AssessmentForm,
    items: Mapping[str, ItemVersion],
    rng: random.Random,
    draw_pool: PoolDraw = sample_pool,
) -> list[Slot]:
    """The items, order and variants one attempt will show; ``rng`` makes it reproducible."""
    slots: list[Slot] = []
    for section in form.sections:
        for entry in section.entries:
            chosen = draw_pool(entry, rng) if isinstance(entry, Pool) else [entry]
            for item_id in chosen:
                item = items[item_id]
                variant = item.item_type.draw(item.body, rng, form.shuffle_options)
                slots.append(Slot(len(slots), section.id, item, variant))
    return slots
