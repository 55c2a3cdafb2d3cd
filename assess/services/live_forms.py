"""A form as attempts can draw it from the live items: rebuilt from its spec, its problems described."""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from items.bank import ItemVersion
from items.forms import AssessmentForm, FormSpec, Pool, PoolSpec, Section, build_form
from items.located_yaml import dotted

#: A problem with a form, as (field path, message): ``sections[0].items[2]: ...``.
FormProblem = tuple[tuple[str | int, ...], str]


@dataclass(frozen=True)
class LiveForm:
    """A form with its spec, its bank, where it comes from and what is wrong with it now."""

    spec: FormSpec
    bank: str
    is_authored: bool
    #: Built against the drawable items: pools hold only items that are not retired.
    form: AssessmentForm
    #: Problems that stop an attempt from being drawn (a retired fixed item, a pool run short).
    blocking: list[FormProblem]
    #: Everything else the loader would refuse (time budget over the limit, repeated items).
    warnings: list[FormProblem]


def form_spec_of(form: AssessmentForm) -> FormSpec:
    """The spec a loaded form was built from, so it can be rebuilt against other items."""
    return FormSpec.model_validate(form_content(form))


def form_content(form: AssessmentForm) -> dict[str, Any]:
    """A form as the plain data of a bank file's ``forms`` entry."""
    return {
        "id": form.id,
        "title": form.title,
        "time_limit_minutes": form.time_limit_minutes,
        "shuffle_options": form.shuffle_options,
        "instructions": form.instructions,
        "sections": [
            {
                "id": section.id,
                "title": section.title,
                "instructions": section.instructions,
                "items": [
                    _pool_content(entry) if isinstance(entry, Pool) else entry for entry in section.entries
                ],
            }
            for section in form.sections
        ],
    }


def _pool_content(pool: Pool) -> dict[str, Any]:
    content: dict[str, Any] = {"draw": pool.draw, "from": list(pool.item_ids)}
    if pool.max_exposure is not None:
        content["max_exposure"] = pool.max_exposure
    return content


def spec_item_ids(spec: FormSpec) -> set[str]:
    """Every item a form spec names, fixed or in a pool."""
    return {
        item_id
        for section in spec.sections
        for entry in section.items
        for item_id in (entry.pool if isinstance(entry, PoolSpec) else [entry])
    }


def build_live_form(
    spec: FormSpec, drawable: Mapping[str, ItemVersion], retired: Set[str]
) -> tuple[AssessmentForm, list[FormProblem], list[FormProblem]]:
    """The form as attempts can draw it now, with its blocking problems and its warnings.

    Retired items leave their pools (pools draw from the rest); a retired or missing item
    the form always shows, or a pool left with fewer items than it draws, blocks the form.
    Whatever else the loader would refuse (a time budget over the limit) is a warning.
    """
    form, problems = build_form(spec, drawable, retired)
    blocking: list[FormProblem] = []
    sections: list[Section] = []
    for s_index, section in enumerate(form.sections):
        entries: list[str | Pool] = []
        for e_index, entry in enumerate(section.entries):
            where: tuple[str | int, ...] = ("sections", s_index, "items", e_index)
            if isinstance(entry, Pool):
                left = tuple(i for i in entry.item_ids if i in drawable)
                if len(left) < entry.draw:
                    gone = [i for i in entry.item_ids if i in retired]
                    why = f" once the retired {_names(gone)} are left out" if gone else ""
                    message = f"draws {entry.draw} from a pool with {len(left)} item(s){why}"
                    blocking.append(((*where, "draw"), message))
                entries.append(replace(entry, item_ids=left))
            else:
                if entry in retired:
                    message = f"item {entry!r} is retired; restore it or take it out of the form"
                    blocking.append((where, message))
                elif entry not in drawable:
                    blocking.append((where, f"no item with id {entry!r}"))
                entries.append(entry)
        sections.append(replace(section, entries=tuple(entries)))
    # build_form reports missing items and short pools too; they are blocking problems above.
    warnings = [p for p in problems if not p[1].startswith(("no item with id", "draws "))]
    return replace(form, sections=tuple(sections)), blocking, warnings


def _names(item_ids: list[str]) -> str:
    return ", ".join(repr(i) for i in item_ids)


def describe(problem: FormProblem) -> str:
    where, message = problem
    return f"{dotted(where)}: {message}" if where else message


def budget_text(form: AssessmentForm) -> str:
    """``"28 of 30 minutes"``: the items' time against the form's limit."""
    return f"{_minutes(form.budget_minutes)} of {form.time_limit_minutes} minutes"


def _minutes(value: Decimal) -> str:
    return f"{value.normalize():f}"
