"""An item's page and history, creating and editing items, comparing versions, retiring and restoring."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from assess.auth import current_staff, roles_required
from assess.authoring import bp, current_banks
from assess.authoring.forms import ActionForm, ItemForm
from assess.db import app_state, db_session
from assess.services.authored_items import (
    DRAFT_FIELDS,
    EditConflict,
    FieldProblem,
    ItemDraft,
    ItemInvalid,
    NoSuchItem,
    draft_of,
    save_item,
    set_retired,
)
from assess.services.authoring import LiveBanks, LiveItem
from assess.services.catalogue import PinnedVersionMissing
from assess.services.item_history import diff_versions, item_history, item_version
from assess.services.item_statistics import form_analyses, item_statistics
from assess.services.live_forms import describe, spec_item_ids
from assess.web import Page
from reports.item_analysis import FLAG_RULES

#: Items of each type offered to copy from on the new-item page.
EXAMPLES_PER_TYPE = 20
#: The draft's "id" is the page's item_id field.
FORM_FIELD = {name: name for name in DRAFT_FIELDS} | {"id": "item_id", "note": "note"}


def _live_item(live: LiveBanks, item_id: str) -> LiveItem:
    found = live.items.get(item_id)
    if found is None:
        abort(404)
    return found


def _back(default: str) -> str:
    """Where a button's ``next`` asks to go back to: only an authoring page of this site."""
    target = request.form.get("next", "")
    return target if target.startswith("/staff/authoring/") and "//" not in target else default


@bp.get("/items/<item_id>")
@roles_required("author")
def item(item_id: str) -> str:
    live = current_banks()
    current = _live_item(live, item_id)
    history = item_history(db_session(), item_id)
    forms = [f for f in live.forms.values() if item_id in spec_item_ids(f.spec)]
    return render_template(
        "authoring/item.html",
        live=current,
        item=current.item,
        history=history,
        forms=forms,
        statistics=item_statistics(form_analyses(db_session())).get(item_id, []),
        flag_rules=FLAG_RULES,
        action=ActionForm(),
    )


def _show_problems(form: ItemForm, problems: list[FieldProblem]) -> None:
    for problem in problems:
        field = form[FORM_FIELD.get(problem.field, "item_id")]
        field.errors = [*field.errors, str(problem)]


def _render_form(form: ItemForm, live_item: LiveItem | None, status: int = 200) -> tuple[str, int]:
    live = current_banks()
    examples = _examples(live)
    return (
        render_template(
            "authoring/item_form.html",
            form=form,
            live=live_item,
            examples=examples,
            banks=sorted(live.banks),
        ),
        status,
    )


def _examples(live: LiveBanks) -> list[LiveItem]:
    """A few items of each type to start a copy from: the list stays short in a catalogue of any size."""
    by_type: dict[str, list[LiveItem]] = {}
    for live_item in sorted(live.items.values(), key=lambda i: (i.item.type, i.item.item_id)):
        kept = by_type.setdefault(live_item.item.type, [])
        if len(kept) < EXAMPLES_PER_TYPE:
            kept.append(live_item)
    return [live_item for kept in by_type.values() for live_item in kept]


@bp.route("/items/new", methods=["GET", "POST"])
@roles_required("author")
def item_new() -> Page:
    form = ItemForm()
    if request.method == "GET":
        live = current_banks()
        start = live.items.get(request.args.get("copy", ""))
        if start is not None:
            # A copy of an existing item: every field but the id, which must be new.
            form.fill(draft_of(start.item))
            form.item_id.data = ""
        else:
            form.bank.data = request.args.get("bank", "")
        return _render_form(form, None)
    return _save(form, None)


@bp.route("/items/<item_id>/edit", methods=["GET", "POST"])
@roles_required("author")
def item_edit(item_id: str) -> Page:
    live_item = _live_item(current_banks(), item_id)
    form = ItemForm()
    if request.method == "GET":
        form.fill(draft_of(live_item.item))
        form.base_version.data = live_item.item.version
        return _render_form(form, live_item)
    return _save(form, live_item)


def _save(form: ItemForm, live_item: LiveItem | None) -> Page:
    editing = live_item.item.item_id if live_item is not None else None
    if not form.validate_on_submit():
        return _render_form(form, live_item, 422)
    draft: ItemDraft = form.draft()
    try:
        result = save_item(
            db_session(),
            app_state().catalogue,
            draft,
            editing,
            form.base_version.data or None,
            form.note.data or "",
            current_staff(),
            app_state().clock(),
        )
    except ItemInvalid as exc:
        _show_problems(form, exc.problems)
        return _render_form(form, live_item, 422)
    except EditConflict as exc:
        form.form_errors.append(f"{exc} Nothing was saved: open the item again to see that version.")
        return _render_form(form, live_item, 409)
    except NoSuchItem:
        abort(404)
    if result.is_new_version:
        flash(f"Saved {result.item.item_id} as version {result.item.version}.")
    else:
        flash("Nothing changed, so no new version was saved.")
    return redirect(url_for("authoring.item", item_id=result.item.item_id))


@bp.get("/items/<item_id>/diff")
@roles_required("author")
def diff(item_id: str) -> str:
    live = current_banks()
    _live_item(live, item_id)
    older_id, newer_id = request.args.get("from", ""), request.args.get("to", "")
    try:
        older = item_version(db_session(), live, item_id, older_id or None)
        newer = item_version(db_session(), live, item_id, newer_id or None)
    except PinnedVersionMissing:
        abort(404)
    history = item_history(db_session(), item_id)
    return render_template(
        "authoring/diff.html",
        item=live.items[item_id].item,
        older=older,
        newer=newer,
        lines=diff_versions(older, newer),
        history=history,
    )


@bp.post("/items/<item_id>/retire")
@roles_required("author")
def retire(item_id: str) -> Page:
    return _set_retired(item_id, True)


@bp.post("/items/<item_id>/restore")
@roles_required("author")
def restore(item_id: str) -> Page:
    return _set_retired(item_id, False)


def _set_retired(item_id: str, retire: bool) -> Page:
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        changed = set_retired(
            db_session(), app_state().catalogue, item_id, retire, current_staff(), app_state().clock()
        )
    except NoSuchItem:
        abort(404)
    if retire:
        flash(
            f"Retired {item_id}: it is not drawn for new attempts."
            if changed
            else f"{item_id} was already retired."
        )
    else:
        flash(
            f"Restored {item_id}: new attempts may draw it again."
            if changed
            else f"{item_id} is not retired."
        )
    for live_form in current_banks().forms.values():
        if live_form.blocking and item_id in spec_item_ids(live_form.spec):
            problems = "; ".join(describe(p) for p in live_form.blocking)
            flash(f"Form {live_form.spec.id} cannot start new attempts now: {problems}.")
    return redirect(_back(url_for("authoring.item", item_id=item_id)))
