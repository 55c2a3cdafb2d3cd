"""QTI text entry, extended text and hottext -> numeric / record_entry text, written, proofreading."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from lxml import etree

from interchange.markup import TextReader, classes, find_class, plain
from interchange.qti_item import Mapped, Q, QtiItem, blank_prompt, decimal, labelled
from interchange.safe_xml import local_name
from interchange.targets import Unmappable, holistic_rubric, partial_answer_notes, text_question

NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
OPEN, CLOSE = "\ue020", "\ue021"
DEFAULT_INSTRUCTIONS = "Mark every word or phrase in the passage that is wrong."
DEFAULT_DESCRIPTION = "Judged as a whole by the reviewer (the source gave no rubric)."
WrittenKeyReader = Callable[[etree._Element], dict[str, Any] | None]
ProofreadingKeyReader = Callable[[etree._Element], tuple[dict[str, Any], list[dict[str, Any]]] | None]


def text_entry(item: QtiItem, interaction: etree._Element) -> Mapped:
    """A numeric key -> numeric; a text key -> record_entry with one text field."""
    response = item.response(interaction)
    mapping = response.mapping
    if response.correct:
        correct = response.correct[0]
    elif mapping and max(mapping.values()) > 0:
        correct = max(mapping, key=lambda k: mapping[k])
    else:
        raise Unmappable("has no correct response: there is nothing to score it by")
    prompt = blank_prompt(item, interaction)
    if response.base_type in {"float", "integer"} or NUMBER.match(correct):
        return _numeric(item, interaction, prompt, correct)
    full = mapping.get(correct, item.points())
    accept = [k for k, v in mapping.items() if k != correct and v >= full]
    notes = partial_answer_notes({k: v for k, v in mapping.items() if 0 < v < full}, full, [correct, *accept])
    body, key = text_question(prompt, correct, accept, full)
    return Mapped("record_entry", body, key, notes)


def _numeric(item: QtiItem, interaction: etree._Element, prompt: str, correct: str) -> Mapped:
    value = decimal(correct)
    if value is None:
        raise Unmappable(f"its correct response {correct!r} is not a number")
    notes: list[str] = []
    key: dict[str, Any] = {"value": value}
    absolute, relative = _tolerances(item, interaction.get("response-identifier") or "", notes)
    if relative >= 1:
        raise Unmappable(
            f"accepts answers within {relative * 100}% of the key; assess accepts less than 100%"
        )
    if absolute:
        key["tolerance"] = absolute
    if relative:
        key["relative_tolerance"] = relative
    if item.points() != 1:
        key["points"] = item.points()
    body: dict[str, Any] = {"prompt": prompt}
    entry = interaction.getparent()
    if entry is not None and "assess-entry" in classes(entry):
        unit = next(
            (c.removeprefix("assess-unit-") for c in classes(entry) if c.startswith("assess-unit-")), ""
        )
        if unit in {"currency", "percent"}:
            body["unit"] = unit
        if unit == "currency":
            body["symbol"] = labelled(entry, "assess-symbol") or "$"
        if labelled(entry, "assess-label"):
            body["label"] = labelled(entry, "assess-label")
    alternatives = [k for k in item.response(interaction).mapping if k.strip() != correct.strip()]
    if alternatives:
        notes.append(f"other answers scored in the source ({', '.join(alternatives)}) are not kept")
    return Mapped("numeric", body, key, notes)


def _tolerances(item: QtiItem, response: str, notes: list[str]) -> tuple[Decimal, Decimal]:
    """(absolute, relative as a fraction) from the ``qti-equal`` tests on this response."""
    absolute = relative = Decimal(0)
    if item.processing is None:
        return absolute, relative
    for equal in item.processing.iter(f"{Q}qti-equal"):
        compared = {v.get("identifier") for v in equal if local_name(v) in {"qti-variable", "qti-correct"}}
        if response not in compared:
            continue
        bounds = [decimal(t) for t in (equal.get("tolerance") or "0").split()]
        known = [b for b in bounds if b is not None]
        if len(set(known)) > 1:
            notes.append("its tolerance differs below and above the key; the narrower one is kept")
        tolerance = min(known, default=Decimal(0))
        mode = equal.get("tolerance-mode") or "exact"
        if mode == "absolute":
            absolute = max(absolute, tolerance)
        elif mode == "relative":
            relative = max(relative, tolerance / 100)
    return absolute, relative


def extended_text(item: QtiItem, interaction: etree._Element, read_key: WrittenKeyReader) -> Mapped:
    """Extended text -> written; without assess's rubric, one holistic criterion worth MAXSCORE."""
    prompt = item.inner(interaction.find(f"{Q}qti-prompt"))
    material = item.outside([interaction])
    if not prompt:
        prompt, material = material, ""
    if not prompt:
        raise Unmappable("has no prompt: there is nothing telling the candidate what to write")
    body: dict[str, Any] = {"prompt": prompt}
    if material:
        body["material"] = material
    limits = find_class(item.body, "assess-word-limits") if item.body is not None else None
    for name in ("min_words", "max_words"):
        found = labelled(limits, "assess-" + name.replace("_", "-"))
        if found.isdigit():
            body[name] = int(found)
    markup = item.scorer_markup()
    key = read_key(markup) if markup is not None else None
    if key is None:
        key = holistic_rubric(item.points(), _scorer_text(item))
    return Mapped("written", body, key)


def _scorer_text(item: QtiItem) -> str:
    texts = [
        TextReader().text(block)
        for block in item.root.iter(f"{Q}qti-rubric-block")
        if "scorer" in (block.get("view") or "").split()
    ]
    return "\n\n".join(t for t in texts if t) or DEFAULT_DESCRIPTION


def hottext(item: QtiItem, interaction: etree._Element, read_key: ProofreadingKeyReader) -> Mapped:
    """Hottext -> proofreading: the interaction's text is the passage, the keyed hottexts its errors."""
    response = item.response(interaction)
    prompt = interaction.find(f"{Q}qti-prompt")
    found: list[str] = []

    def mark(element: etree._Element) -> str | None:
        if local_name(element) != "qti-hottext":
            return None
        found.append((element.get("identifier") or "").strip())
        return OPEN + " ".join("".join(element.itertext()).split()) + CLOSE

    reader = item.reader([prompt] if prompt is not None else [], replace=mark)
    passage, spans = _unmark(reader.text(interaction))
    item.lost.extend(reader.lost)
    located = dict(zip(found, spans, strict=True))
    keyed = response.correct or [k for k, v in response.mapping.items() if v > 0]
    missing = [k for k in keyed if k not in located]
    if not keyed or missing:
        raise Unmappable(
            f"its key names hottexts that are not in the passage: {', '.join(missing)}"
            if missing
            else "has no correct response: there is nothing to score it by"
        )
    instructions = "\n\n".join(t for t in (item.outside([interaction]), item.inner(prompt)) if t)
    body: dict[str, Any] = {"instructions": instructions or DEFAULT_INSTRUCTIONS, "passage": passage}
    reference = find_class(item.body, "assess-reference") if item.body is not None else None
    if reference is not None:
        body["reference_title"] = labelled(reference, "assess-reference-title")
        body["reference"] = [plain(e) for e in reference.iter() if local_name(e) == "li"]
    markup = item.scorer_markup()
    own = read_key(markup) if markup is not None else None
    if own is not None:
        settings, errors = own
        body["ask_corrections"] = settings.pop("ask_corrections")
        key = {"errors": [{k: v for k, v in e.items() if k != "hottext"} for e in errors], **settings}
        return Mapped("proofreading", body, key)
    body["ask_corrections"] = False
    ordered = [k for k in found if k in set(keyed)]
    key = {"errors": [_error(passage, located[k]) for k in ordered]}
    penalty = _penalty(response.mapping, set(keyed), found, response.default)
    if penalty is not None:
        key["false_alarm_penalty"] = penalty
    return Mapped("proofreading", body, key)


def _unmark(text: str) -> tuple[str, list[tuple[int, int]]]:
    """The text without hottext markers, and each hottext's (start, end) in it, spaces trimmed."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    length, start = 0, 0
    for char in text:
        if char == OPEN:
            start = length
        elif char == CLOSE:
            inner = "".join(out)[start:length]
            spans.append(
                (start + len(inner) - len(inner.lstrip()), length - (len(inner) - len(inner.rstrip())))
            )
        else:
            out.append(char)
            length += 1
    return "".join(out), spans


def _error(passage: str, span: tuple[int, int]) -> dict[str, Any]:
    text = passage[span[0] : span[1]]
    words = r"\s+".join(re.escape(part) for part in text.split())
    starts = [m.start() for m in re.finditer(rf"(?<!\w){words}(?!\w)", passage)]
    error: dict[str, Any] = {"span": " ".join(text.split()), "kind": "error"}
    if len(starts) > 1 and span[0] in starts:
        error["occurrence"] = starts.index(span[0]) + 1
    return error


def _penalty(
    mapping: dict[str, Decimal], keyed: set[str], found: list[str], default: Decimal
) -> Decimal | None:
    """The false-alarm penalty when the mapping takes the same amount off every wrong hottext."""
    if not mapping:
        return None
    wrong = {mapping.get(k, default) for k in found if k not in keyed}
    if len(wrong) == 1 and next(iter(wrong)) <= 0:
        return -next(iter(wrong))
    return None
