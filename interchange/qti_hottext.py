"""QTI hottext -> proofreading: the interaction's text is the passage, the keyed hottexts its errors.

Proofreading scores each error found, less false alarms; a source that scores the hottexts
all-or-nothing is compared with it answer by answer and the difference reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from lxml import etree

from interchange.markup import find_class, plain
from interchange.qti_agreement import Probe, disagreements
from interchange.qti_item import Mapped, Q, QtiItem, labelled
from interchange.qti_processing import Processing
from interchange.qti_values import Container, Value
from interchange.safe_xml import local_name
from interchange.targets import Unmappable
from items import registry

OPEN, CLOSE = "\ue020", "\ue021"
DEFAULT_INSTRUCTIONS = "Mark every word or phrase in the passage that is wrong."
ProofreadingKeyReader = Callable[[etree._Element], tuple[dict[str, Any], list[dict[str, Any]]] | None]


def hottext(
    item: QtiItem, interaction: etree._Element, read_key: ProofreadingKeyReader, processing: Processing
) -> Mapped:
    """Hottext -> proofreading: the interaction's text is the passage, the keyed hottexts its errors."""
    mapped, located = _hottext(item, interaction, read_key)
    if processing.problem:
        mapped.notes.append(f"{processing.problem}; it is scored by its declared key here")
    else:
        mapped.notes.extend(disagreements(processing, mapped, _probes(item, interaction, mapped, located)))
    return mapped


def _probes(
    item: QtiItem, interaction: etree._Element, mapped: Mapped, located: dict[str, tuple[int, int]]
) -> list[Probe]:
    """Each hottext alone, the keyed ones together, every one and none, as marks on the passage's words."""
    item_type = registry.get("proofreading")
    shape = item_type.shape(
        item_type.body.model_validate(mapped.body), item_type.key.model_validate(mapped.key)
    )
    words: tuple[tuple[int, int], ...] = getattr(shape, "words", ())
    response = item.response(interaction)
    name = interaction.get("response-identifier") or ""
    ids = list(located)
    keyed = response.correct or [k for k, v in response.mapping.items() if v > 0]
    single = response.cardinality == "single"
    sets = [[i] for i in ids] + ([] if single else [[i for i in ids if i in keyed], ids]) + [[]]
    probes = []
    for chosen in sets:
        spans = [located[i] for i in chosen]
        marks = [n for n, (start, end) in enumerate(words) if any(s <= start and end <= e for s, e in spans)]
        given: Value = (chosen[0] if chosen else None) if single else Container(False, tuple(chosen))
        passage = str(mapped.body["passage"])
        shown = ", ".join(repr(" ".join(passage[s:e].split())) for s, e in spans) or "nothing"
        probes.append(Probe(f"marking {shown}", {name: given}, {"marks": marks}))
    return probes


def _hottext(
    item: QtiItem, interaction: etree._Element, read_key: ProofreadingKeyReader
) -> tuple[Mapped, dict[str, tuple[int, int]]]:
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
        return Mapped("proofreading", body, key), located
    body["ask_corrections"] = False
    ordered = [k for k in found if k in set(keyed)]
    key = {"errors": [_error(passage, located[k]) for k in ordered]}
    penalty = _penalty(response.mapping, set(keyed), found, response.default)
    if penalty is not None:
        key["false_alarm_penalty"] = penalty
    return Mapped("proofreading", body, key), located


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
