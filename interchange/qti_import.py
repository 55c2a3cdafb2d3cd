"""QTI 2.1 and 3.0 assessment items -> bank items, one interaction (one question) per item.

What maps where, and why the rest is reported, is in the README's "Import and export" section.
Keys come from each response's correct response and mapping; custom response processing is
not executed, so an item whose scoring lives only there is scored by those declarations.
"""

from __future__ import annotations

from pathlib import Path

from interchange import qti_choices, qti_gaps, qti_hottext, qti_texts
from interchange.bank_items import DEFAULT_MINUTES, DEFAULT_SECTION, Collector, new_item, stable_id
from interchange.key_markup import read_proofreading_key, read_written_key
from interchange.markup import TextReader
from interchange.qti_item import Mapped, Q, QtiItem
from interchange.qti_package import PackageInfo, package_info, parse_all, read_source
from interchange.qti_processing import Processing
from interchange.qti_values import Unreadable
from interchange.results import ImportResult, Progress
from interchange.safe_xml import local_name
from interchange.targets import Unmappable

UNSUPPORTED = {
    "qti-match-interaction": "a match interaction (pairs)",
    "qti-associate-interaction": "an associate interaction (pairs)",
    "qti-gap-match-interaction": "a gap match interaction (drag words into gaps)",
    "qti-graphic-gap-match-interaction": "a graphic gap match interaction",
    "qti-hotspot-interaction": "a hotspot interaction (click on an image)",
    "qti-graphic-order-interaction": "a graphic order interaction",
    "qti-graphic-associate-interaction": "a graphic associate interaction",
    "qti-select-point-interaction": "a select point interaction (click on an image)",
    "qti-position-object-interaction": "a position object interaction",
    "qti-slider-interaction": "a slider interaction",
    "qti-upload-interaction": "a file upload interaction",
    "qti-drawing-interaction": "a drawing interaction",
    "qti-media-interaction": "a media interaction",
    "qti-custom-interaction": "a custom interaction",
    "qti-portable-custom-interaction": "a portable custom interaction",
}
END_ATTEMPT = "qti-end-attempt-interaction"


def import_qti(path: Path, progress: Progress | None = None) -> ImportResult:
    """Every assessment item in a QTI file, folder or zipped package, or why it was not imported."""
    files = read_source(path)
    roots, failed = parse_all(files)
    if len(files) == 1 and failed:
        raise next(iter(failed.values()))
    info = package_info(files, roots)
    collector = Collector(str(path), progress)
    candidates = [f for f in files if f.path in failed or local_name(roots[f.path]) == "qti-assessment-item"]
    for file in files:
        if file.path in roots and local_name(roots[file.path]) not in {
            "qti-assessment-item", "qti-assessment-test", "manifest",
        }:  # fmt: skip
            collector.source = file.shown
            collector.skip(local_name(roots[file.path]) or "root", "not a QTI assessment item; skipped")
    for file in candidates:
        collector.source = file.shown
        if file.path in failed:
            collector.skip("file", failed[file.path].message)
        else:
            _import_item(QtiItem(roots[file.path]), file.path, info, collector)
        collector.tick(len(candidates))
    collector.source = str(path)
    return collector.result()


def _import_item(item: QtiItem, path: str, info: PackageInfo, collector: Collector) -> None:
    location = item.identifier or Path(path).stem
    try:
        mapped = map_item(item)
    except (Unmappable, Unreadable) as exc:
        collector.skip(location, str(exc))
        return
    notes = [*mapped.notes, *hint_notes(item), *(f"left out {lost}" for lost in dict.fromkeys(item.lost))]
    built = new_item(
        item_id=stable_id(item.identifier, item.title, Path(path).stem),
        type_name=mapped.type_name,
        title=item.title or item.identifier or Path(path).stem,
        body=mapped.body,
        key=mapped.key,
        section=info.sections.get(path, DEFAULT_SECTION),
        minutes=info.minutes.get(path, DEFAULT_MINUTES),
        tags=info.tags.get(path, []),
        rationale=item.rationale(),
    )
    collector.add(location, built, notes)


def hint_notes(item: QtiItem) -> list[str]:
    """What each end-attempt button (a hint, a model answer) would have shown; assess has no such button."""
    notes = []
    for button in (i for i in item.interactions if local_name(i) == END_ATTEMPT):
        response = button.get("response-identifier") or ""
        title = " ".join((button.get("title") or "").split()) or response
        outcomes: set[str] = set()
        if item.processing is not None:
            for branch in item.processing.iter(f"{Q}qti-response-if", f"{Q}qti-response-else-if"):
                test = next((e for e in branch if isinstance(e.tag, str)), None)
                if test is not None and any(
                    v.get("identifier") == response for v in test.iter(f"{Q}qti-variable")
                ):
                    outcomes |= {s.get("identifier") or "" for s in branch.iter(f"{Q}qti-set-outcome-value")}
        shown = [
            TextReader().text(feedback)
            for feedback in item.root.iter(
                f"{Q}qti-modal-feedback", f"{Q}qti-feedback-block", f"{Q}qti-feedback-inline"
            )
            if feedback.get("outcome-identifier") in outcomes - {"SCORE"}
        ]
        carried = "; ".join(repr(t) for t in shown if t) or "nothing assess could find"
        penalty = " and changed the score when used" if "SCORE" in outcomes else ""
        notes.append(f"left out the end-attempt button {title!r}, which showed {carried}{penalty}")
    return notes


def map_item(item: QtiItem) -> Mapped:
    """The assess type, body and key for one item; ``Unmappable`` says why there is none."""
    if item.root.find(f"{Q}qti-template-declaration") is not None:
        raise Unmappable("uses template variables (cloned values); assess cannot carry QTI templates")
    if item.body is None or not item.interactions:
        raise Unmappable("has no interaction: there is nothing for a candidate to answer")
    interactions = [i for i in item.interactions if local_name(i) != END_ATTEMPT]
    if not interactions:
        raise Unmappable("has only an end-attempt button: there is nothing for a candidate to answer")
    names = [local_name(i) for i in interactions]
    if len(names) > 1:
        if set(names) == {"qti-choice-interaction"}:
            return qti_choices.rating(item)
        if set(names) == {"qti-text-entry-interaction"}:
            return qti_gaps.text_entries(item, interactions, Processing(item))
        kinds = ", ".join(sorted(set(names)))
        raise Unmappable(f"holds {len(names)} interactions ({kinds}); an assess item asks one question")
    interaction, name = interactions[0], names[0]
    if name in {"qti-choice-interaction", "qti-inline-choice-interaction"}:
        return qti_choices.choice(item, interaction, Processing(item))
    if name == "qti-order-interaction":
        return qti_choices.order(item, interaction, Processing(item))
    if name == "qti-text-entry-interaction":
        return qti_texts.text_entry(item, interaction, Processing(item))
    if name == "qti-extended-text-interaction":
        return qti_texts.extended_text(item, interaction, read_written_key)
    if name == "qti-hottext-interaction":
        return qti_hottext.hottext(item, interaction, read_proofreading_key, Processing(item))
    raise Unmappable(f"is {UNSUPPORTED.get(name, 'a ' + name)}, which has no assess type")
