"""Questions from other platforms (QTI, Moodle XML, GIFT, Aiken) uploaded and saved as authored items."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import FileStorage

from assess.auth import current_staff, roles_required
from assess.authoring import bp, current_banks
from assess.authoring.forms import DETECT, FORMAT_NAMES, ImportForm
from assess.db import app_state, db_session
from assess.services.authored_items import EditConflict
from assess.services.bank_exchange import (
    ImportCheck,
    check_import,
    detect_format,
    pack_upload,
    read_upload,
    save_import,
    unpack_upload,
)
from assess.web import Page
from interchange import ImportSummary, InterchangeError, summarise_import


@dataclass(frozen=True)
class Upload:
    """The file being imported: chosen now, or kept from the last "Check"."""

    name: str
    data: bytes
    format: str
    detected: bool


#: Room left in a post for the other fields when the kept file rides along.
FORM_FIELDS_ROOM = 16 * 1024


def _render(
    form: ImportForm,
    checked: ImportCheck | None,
    upload: Upload | None,
    status: int = 200,
    summary: ImportSummary | None = None,
) -> Page:
    kept = False
    if upload is not None:
        # The page keeps the file it read, so "Import and save" needs no second choice of it,
        # unless (an already compressed package near the upload limit) it could not be posted back.
        packed = pack_upload(upload.data)
        limit = min(current_app.config["MAX_CONTENT_LENGTH"], request.max_form_memory_size or 0)
        kept = len(packed) <= limit - FORM_FIELDS_ROOM
        form.kept_file.data = packed if kept else ""
        form.kept_name.data = upload.name if kept else ""
    page = render_template(
        "authoring/import.html",
        form=form,
        checked=checked,
        summary=summary,
        upload=upload,
        kept=kept,
        format_names=FORMAT_NAMES,
    )
    return page, status


def _upload(form: ImportForm) -> Upload | None:
    """The chosen file, else the kept one, with its format; None after putting the reason on a field."""
    chosen = form.file.data
    if isinstance(chosen, FileStorage) and chosen.filename:
        name, data = chosen.filename, chosen.read()
    elif form.kept_file.data:
        name = form.kept_name.data or "upload"
        try:
            data = unpack_upload(form.kept_file.data, current_app.config["MAX_CONTENT_LENGTH"])
        except ValueError as exc:
            form.file.errors = [*form.file.errors, f"{name}: {exc}."]
            return None
    else:
        form.file.errors = [*form.file.errors, "Choose the file to import."]
        return None
    chosen_format = form.format.data or DETECT
    if chosen_format != DETECT:
        return Upload(name, data, chosen_format, detected=False)
    detected = detect_format(name, data)
    if detected is None:
        form.format.errors = [
            *form.format.errors,
            f"{name}: its format could not be told from its name or content; choose the format.",
        ]
        return None
    return Upload(name, data, detected, detected=True)


@bp.route("/import", methods=["GET", "POST"])
@roles_required("author")
def import_items() -> Page:
    form = ImportForm()
    if request.method == "GET":
        form.bank.data = "imported"
        return _render(form, None, None)
    if not form.validate_on_submit():
        return _render(form, None, None, 422)
    upload = _upload(form)
    if upload is None:
        return _render(form, None, None, 422)
    try:
        imported = read_upload(upload.format, upload.name, upload.data)
    except InterchangeError as exc:
        form.file.errors = [*form.file.errors, f"{upload.name}: {exc.message}; nothing imported."]
        return _render(form, None, None, 422)
    raw_items, reported = imported.items, imported.problems
    bank, prefix = form.bank.data or "", form.id_prefix.data or ""
    if request.form.get("action") != "save":
        checked = check_import(current_banks(), upload.name, raw_items, reported, bank, prefix)
        summary = summarise_import(raw_items, reported, imported.origins)
        return _render(form, checked, upload, 200 if checked.can_save else 422, summary)
    try:
        checked = save_import(
            db_session(),
            app_state().catalogue,
            upload.name,
            raw_items,
            reported,
            bank,
            prefix,
            current_staff(),
            app_state().clock(),
        )
    except EditConflict as exc:
        form.form_errors.append(f"{exc}. Nothing was saved.")
        return _render(form, None, upload, 409)
    if not checked.can_save:
        return _render(form, checked, upload, 422)
    flash(f"Imported {len(checked.items)} item(s) from {upload.name} into bank {bank.strip()}.")
    return redirect(url_for("authoring.bank", bank=bank.strip()))
