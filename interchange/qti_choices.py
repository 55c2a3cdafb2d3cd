"""QTI choice, Likert and order interactions -> single_choice, record_entry flags, sjt_rate, sjt_rank."""

from __future__ import annotations

import itertools
import re
from decimal import Decimal
from typing import Any

from lxml import etree

from interchange.markup import classes, find_class
from interchange.qti_agreement import Probe, disagreements
from interchange.qti_item import (
    Declared,
    Mapped,
    Q,
    QtiItem,
    blank_prompt,
    labelled,
    option_id,
    prompt_of,
)
from interchange.qti_processing import Processing
from interchange.qti_values import Container
from interchange.safe_xml import local_name
from interchange.targets import (
    FLAGS_FIELD,
    Unmappable,
    flags_question,
    per_row_weight,
    row_ids,
    single_choice_key,
)
from items.values import plain_decimal

CHOICES = frozenset({"qti-simple-choice", "qti-inline-choice"})
SCALE_POINT = re.compile(r"^([PM])(\d+)$")
INTEGER = re.compile(r"^[+-]?\d+$")


def _choices(interaction: etree._Element) -> list[etree._Element]:
    return [c for c in interaction if local_name(c) in CHOICES]


def _options(item: QtiItem, interaction: etree._Element) -> list[dict[str, str]]:
    options = []
    for element in _choices(interaction):
        identifier = option_id(element.get("identifier") or "")
        text = item.inner(element)
        if not identifier:
            raise Unmappable("one of its choices has no identifier")
        if not text:
            raise Unmappable(f"choice {identifier!r} has no text to show")
        options.append({"id": identifier, "text": text})
    if len(options) < 2:
        raise Unmappable(f"offers {len(options)} choice(s); a choice question needs at least 2")
    return options


def _is_likert(item: QtiItem, interaction: etree._Element) -> bool:
    marked = classes(interaction) | (classes(item.body) if item.body is not None else set())
    return "likert" in marked


def choice(item: QtiItem, interaction: etree._Element, processing: Processing) -> Mapped:
    """Single response -> single_choice; multiple response -> record_entry with one flags field.

    Keys come from the declarations, which is exactly what the standard templates score by;
    custom processing is then compared with the imported item's scoring answer by answer.
    """
    mapped = _choice(item, interaction)
    if processing.problem:
        mapped.notes.append(f"{processing.problem}; it is scored by its declared key here")
    elif processing.kind == "custom":
        mapped.notes.extend(disagreements(processing, mapped, _choice_probes(item, interaction, mapped)))
    return mapped


def _choice_probes(item: QtiItem, interaction: etree._Element, mapped: Mapped) -> list[Probe]:
    """Each option alone and no answer; for "select all that apply" also the key and every option."""
    response = interaction.get("response-identifier") or ""
    identifiers = [(c.get("identifier") or "").strip() for c in _choices(interaction)]
    if mapped.type_name == "single_choice":
        probes = [
            Probe(f"option {option_id(i)}", {response: i}, {"choice": option_id(i)}) for i in identifiers
        ]
        return [*probes, Probe("no answer", {}, {})]
    rows = row_ids([option_id(i) for i in identifiers])
    keyed = set(mapped.key["fields"][FLAGS_FIELD]["value"])
    sets = [[i] for i in identifiers]
    sets += [[i for i in identifiers if rows[option_id(i)] in keyed], identifiers, []]
    return [
        Probe(
            f"choosing {', '.join(option_id(i) for i in chosen) or 'nothing'}",
            {response: Container(False, tuple(chosen))},
            {"fields": {FLAGS_FIELD: [rows[option_id(i)] for i in chosen]}},
        )
        for chosen in sets
    ]


def _choice(item: QtiItem, interaction: etree._Element) -> Mapped:
    response = item.response(interaction)
    options = _options(item, interaction)
    inline = local_name(interaction) == "qti-inline-choice-interaction"
    prompt = blank_prompt(item, interaction) if inline else prompt_of(item, interaction)
    if not response.correct and not response.mapping:
        if _is_likert(item, interaction):
            raise Unmappable(
                "is a Likert (survey) question with no key; assess imports scored questions only "
                "(sjt_rate needs an expert rating for each statement)"
            )
        raise Unmappable("has no correct response and no mapping: there is nothing to score it by")
    if response.cardinality == "multiple" or (interaction.get("max-choices") or "1") != "1":
        return _flags(item, interaction, response, prompt, options)
    return _single(item, response, prompt, options)


def _single(item: QtiItem, response: Declared, prompt: str, options: list[dict[str, str]]) -> Mapped:
    ids = [o["id"] for o in options]
    mapping = {option_id(k): v for k, v in response.mapping.items()}
    correct = option_id(response.correct[0]) if response.correct else max(mapping, key=lambda k: mapping[k])
    notes: list[str] = []
    if not mapping:
        return Mapped(
            "single_choice", {"prompt": prompt, "options": options}, single_choice_key(correct, item.points())
        )
    points = mapping.get(correct, item.points())
    if points <= 0:
        raise Unmappable(f"its keyed answer {correct!r} earns {points} points")
    credit: dict[str, Decimal] = {}
    for option, value in mapping.items():
        if option == correct or option not in ids:
            continue
        if value >= points:
            notes.append(f"option {option} earns full marks in the source too; assess keys one best answer")
        elif value > 0:
            credit[option] = value
        elif _floored(value, response) < 0:
            notes.append(
                f"option {option} costs {-_floored(value, response)} point(s) in the source; "
                "assess never deducts for a choice"
            )
    unlisted = [i for i in ids if i not in mapping]
    # Only a real loss is reported: an option the mapping does not list, scored below the lower bound 0.
    if unlisted and _floored(response.default, response) < 0:
        notes.append(
            f"unlisted options ({', '.join(unlisted)}) cost {-_floored(response.default, response)} point(s) "
            "in the source; in assess they earn 0"
        )
    key = single_choice_key(correct, points, credit)
    return Mapped("single_choice", {"prompt": prompt, "options": options}, key, notes)


def _floored(value: Decimal, response: Declared) -> Decimal:
    """What a mapped value scores once the mapping's lower bound applies."""
    return value if response.lower is None else max(value, response.lower)


def _flags(
    item: QtiItem, interaction: etree._Element, response: Declared, prompt: str, options: list[dict[str, str]]
) -> Mapped:
    """ "Select all that apply" -> record_entry flags.

    Faithful when the source scores all-or-nothing (no mapping: ``exact``) or +w per right
    choice and -w per wrong one, never below 0 (``per_row``); any other weighting is reported.
    """
    mapping = {option_id(k): v for k, v in response.mapping.items()}
    ids = [o["id"] for o in options]
    right = [option_id(v) for v in response.correct] or [k for k, v in mapping.items() if v > 0]
    notes: list[str] = []
    if not mapping:
        rule, points = "exact", item.points()
    else:
        weight = per_row_weight(
            {i: mapping.get(i, response.default) for i in right},
            {i: mapping.get(i, response.default) for i in ids if i not in right},
        )
        if weight is None:
            shown = ", ".join(f"{k} {v}" for k, v in mapping.items())
            raise Unmappable(
                f"is a multiple-response question whose mapping ({shown}; others {response.default}) has no "
                "assess equivalent: assess scores 'select all that apply' all-or-nothing, or +w per right "
                "choice and -w per wrong one"
            )
        rule, points = "per_row", weight
        if response.lower is None or response.lower < 0:
            notes.append("the source lets the total go below 0; assess stops at 0")
    limit = interaction.get("max-choices") or "0"
    if limit.isdigit() and 0 < int(limit) < len(options):
        notes.append(f"the source allows at most {limit} choices; assess does not limit how many are flagged")
    body, key = flags_question(prompt, options, right, rule, points)
    return Mapped("record_entry", body, key, notes)


def rating(item: QtiItem) -> Mapped:
    """Several single-choice interactions over one scale (a Likert grid) -> sjt_rate."""
    interactions = item.interactions
    scales = [[c.get("identifier") for c in _choices(i)] for i in interactions]
    single = all(
        (i.get("max-choices") or "1") == "1" and item.response(i).cardinality == "single"
        for i in interactions
    )
    if any(s != scales[0] for s in scales) or not single:
        raise Unmappable(f"holds {len(interactions)} choice questions; an assess item asks one question")
    points, labels = _scale(item, interactions[0])
    span = max(points.values()) - min(points.values())
    options: list[dict[str, str]] = []
    ratings: dict[str, Decimal] = {}
    notes: list[str] = []
    for interaction in interactions:
        identifier = option_id(interaction.get("response-identifier") or "")
        text = item.inner(interaction.find(f"{Q}qti-prompt"))
        if not text:
            raise Unmappable(f"statement {identifier!r} has no prompt text to rate")
        expert = _expert(item.response(interaction), points, span, notes)
        if expert is None:
            raise Unmappable(
                "is a Likert (survey) grid with no key; sjt_rate needs an expert rating for each statement"
            )
        options.append({"id": identifier, "text": text})
        ratings[identifier] = expert
    scale: dict[str, Any] = {"min": min(points.values()), "max": max(points.values())}
    if labels:
        scale["labels"] = labels
    body = {"prompt": item.outside(interactions), "options": options, "scale": scale}
    return Mapped("sjt_rate", body, {"ratings": ratings}, notes)


def _scale(item: QtiItem, interaction: etree._Element) -> tuple[dict[str, int], dict[int, str]]:
    """Each choice identifier's point on the scale, and the labels that are not just the number."""
    choices = _choices(interaction)
    identifiers = [c.get("identifier") or "" for c in choices]
    texts = [item.inner(c) for c in choices]
    found = [SCALE_POINT.match(i) for i in identifiers]
    if all(found):
        values = [int(m.group(2)) * (-1 if m.group(1) == "M" else 1) for m in found if m]
    elif all(INTEGER.match(t) for t in texts):
        values = [int(t) for t in texts]
    else:
        values = list(range(1, len(choices) + 1))
    if sorted(values) != list(range(min(values), min(values) + len(values))):
        raise Unmappable("its scale points are not consecutive whole numbers")
    labels = {v: t for v, t in zip(values, texts, strict=True) if t != str(v)}
    return dict(zip(identifiers, values, strict=True)), labels


def _expert(response: Declared, points: dict[str, int], span: int, notes: list[str]) -> Decimal | None:
    """The expert rating: exact from a distance mapping (span - |point - rating|), else the correct point."""
    mapping = {points[k]: v for k, v in response.mapping.items() if k in points}
    if mapping:
        best = max(mapping, key=lambda p: mapping[p])
        distance = span - mapping[best]
        for candidate in (best - distance, best + distance):
            if all(mapping.get(p, response.default) == span - abs(p - candidate) for p in points.values()):
                return candidate
    if response.correct and response.correct[0] in points:
        if mapping:
            notes.append(
                "its mapping is not a distance to one rating; scored by distance to the correct point"
            )
        return Decimal(points[response.correct[0]])
    return None


def order(item: QtiItem, interaction: etree._Element, processing: Processing) -> Mapped:
    """An order interaction -> sjt_rank, with the rule the source scores by: all-or-nothing or distance."""
    response = item.response(interaction)
    options = _options(item, interaction)
    if not response.correct:
        raise Unmappable("has no correct order: there is nothing to score it by")
    if not 3 <= len(options) <= 8:
        raise Unmappable(f"orders {len(options)} choices; an assess ranking orders 3 to 8")
    labels = find_class(item.body, "assess-order-labels") if item.body is not None else None
    body = {
        "prompt": prompt_of(item, interaction),
        "options": options,
        "first_label": labelled(labels, "assess-first-label") or "first",
        "last_label": labelled(labels, "assess-last-label") or "last",
    }
    identifiers = {
        option_id(c.get("identifier") or ""): (c.get("identifier") or "").strip()
        for c in _choices(interaction)
    }
    ranking = [option_id(v) for v in response.correct]
    # assess's own export keeps match_correct for players and says in a scorer-only line that it scores
    # by distance.
    if find_class(item.root, "assess-rule-distance") is not None:
        return Mapped("sjt_rank", body, {"ranking": ranking})
    if processing.problem:
        key = {"ranking": ranking, "rule": "exact", "points": item.points()}
        return Mapped("sjt_rank", body, key, [f"{processing.problem}; it is scored all-or-nothing here"])
    probes = _order_probes(interaction.get("response-identifier") or "", identifiers, ranking)
    scores = [(probe, processing.score(probe.source)) for probe in probes]
    full = processing.score(probes[0].source)
    if full <= 0:
        raise Unmappable(f"its response processing gives the correct order {plain_decimal(full)} points")
    largest = Decimal(len(ranking) ** 2 // 2)
    by_distance = all(points == largest - _distance(probe, ranking) for probe, points in scores)
    key = {"ranking": ranking} if by_distance else {"ranking": ranking, "rule": "exact", "points": full}
    mapped = Mapped("sjt_rank", body, key)
    mapped.notes.extend(disagreements(processing, mapped, probes))
    return mapped


def _order_probes(response: str, identifiers: dict[str, str], ranking: list[str]) -> list[Probe]:
    """The correct order first, then every order (up to 6 options) or its swaps, shifts and reverse."""
    if len(ranking) <= 6:
        orders = [ranking, *(list(o) for o in itertools.permutations(ranking) if list(o) != ranking)]
    else:
        swaps = [
            ranking[:i] + [ranking[i + 1], ranking[i]] + ranking[i + 2 :] for i in range(len(ranking) - 1)
        ]
        shifts = [ranking[i:] + ranking[:i] for i in range(1, len(ranking))]
        orders = [ranking, *swaps, *shifts, ranking[::-1]]
    probes = [
        Probe(
            f"the order {', '.join(order)}",
            {response: Container(True, tuple(identifiers.get(o, o) for o in order))},
            {"ranks": {o: rank for rank, o in enumerate(order, start=1)}},
        )
        for order in orders
    ]
    part = ranking[:-1]
    probes.append(
        Probe(
            f"the incomplete order {', '.join(part)}",
            {response: Container(True, tuple(identifiers.get(o, o) for o in part))},
            {"ranks": {o: rank for rank, o in enumerate(part, start=1)}},
        )
    )
    return probes


def _distance(probe: Probe, ranking: list[str]) -> int:
    ranks: dict[str, int] = dict(probe.assess["ranks"])
    if len(ranks) < len(ranking):
        return len(ranking) ** 2 // 2
    return sum(abs(ranks[o] - (index + 1)) for index, o in enumerate(ranking))
