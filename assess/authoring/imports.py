"""Questions from other platforms (QTI, Moodle XML, GIFT, Aiken) uploaded and saved as authored items."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from assess import app_state, db_session
from assess.authoring import bp, current_banks
from assess.authoring.forms import ImportForm
from assess.services.authored_items import EditConflict
from assess.services.bank_exchange import ImportCheck, check_import, read_upload, save_import
from assess.staff.auth import current_staff, roles_required
from items.interchange import InterchangeError

Page = str | BaseResponse | tuple[str | Response, int]


def _render(form: ImportForm, checked: ImportCheck | None, status: int = 200) -> Page:
    return render_template("authoring/import.html", form=form, checked=checked), status


@bp.route("/import", methods=["GET", "POST"])
@roles_required("author")
def import_items() -> Page:
    form = ImportForm()
    if request.method == "GET":
        form.bank.data = "imported"
        return _render(form, None)
    if not form.validate_on_submit():
        return _render(form, None, 422)
    upload = form.file.data
    filename = upload.filename or "upload"
    try:
        raw_items, reported = read_upload(form.format.data or "", filename, upload.read())
    except InterchangeError as exc:
        form.file.errors = [*form.file.errors, f"{filename}: {exc.message}; nothing imported."]
        return _render(form, None, 422)
    bank, prefix = form.bank.data or "", form.id_prefix.data or ""
    if request.form.get("action") != "save":
        checked = check_import(current_banks(), filename, raw_items, reported, bank, prefix)
        return _render(form, checked, 200 if checked.can_save else 422)
    try:
        checked = save_import(
            db_session(),
            app_state().catalogue,
            filename,
            raw_items,
            reported,
            bank,
            prefix,
            current_staff(),
            app_state().clock(),
        )
    except EditConflict as exc:
        form.form_errors.append(f"{exc}. Nothing was saved.")
        return _render(form, None, 409)
    if not checked.can_save:
        return _render(form, checked, 422)
    flash(f"Imported {len(checked.items)} item(s) from {filename} into bank {bank.strip()}.")
    return redirect(url_for("authoring.bank", bank=bank.strip()))
