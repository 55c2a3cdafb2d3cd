"""Test forms: one form's sections, pools, time budget and problems; assembling and editing forms."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from assess.auth import current_staff, roles_required
from assess.authoring import bp, current_banks
from assess.authoring.forms import FormSpecForm
from assess.db import app_state, db_session
from assess.services.authored_forms import CheckedForm, FormInvalid, check_form, form_yaml, save_form
from assess.services.campaigns import campaigns_using_form
from assess.services.live_forms import LiveForm, budget_text, describe
from assess.web import Page
from items.forms import Pool

NEW_FORM_TEMPLATE = """\
id: new-form
title: New assessment
time_limit_minutes: 30
instructions: Answer every question you can.
sections:
  - id: first_section
    title: First section
    items:
      - an-item-id
      - draw: 1
        from: [another-item-id, a-third-item-id]
"""


def _live_form(form_id: str) -> LiveForm:
    found = current_banks().forms.get(form_id)
    if found is None:
        abort(404)
    return found


@bp.get("/forms/<form_id>")
@roles_required("author")
def form(form_id: str) -> str:
    live = current_banks()
    found = live.forms.get(form_id)
    if found is None:
        abort(404)
    campaigns = campaigns_using_form(db_session(), form_id)
    return render_template(
        "authoring/form.html",
        live_form=found,
        items=live.items,
        campaigns=campaigns,
        budget=budget_text(found.form),
        describe=describe,
        Pool=Pool,
    )


def _render(editor: FormSpecForm, editing: LiveForm | None, checked: CheckedForm | None, status: int) -> Page:
    return (
        render_template(
            "authoring/form_edit.html",
            editor=editor,
            editing=editing,
            checked=checked,
            budget=budget_text(checked.form) if checked and checked.form else "",
            banks=sorted(current_banks().banks),
        ),
        status,
    )


@bp.route("/forms/new", methods=["GET", "POST"])
@roles_required("author")
def form_new() -> Page:
    editor = FormSpecForm()
    if request.method == "GET":
        editor.content.data = NEW_FORM_TEMPLATE
        return _render(editor, None, None, 200)
    return _check_or_save(editor, None)


@bp.route("/forms/<form_id>/edit", methods=["GET", "POST"])
@roles_required("author")
def form_edit(form_id: str) -> Page:
    editing = _live_form(form_id)
    editor = FormSpecForm()
    if request.method == "GET":
        editor.bank.data = editing.bank
        editor.content.data = form_yaml(editing.spec)
        return _render(editor, editing, None, 200)
    return _check_or_save(editor, editing)


def _check_or_save(editor: FormSpecForm, editing: LiveForm | None) -> Page:
    if not editor.validate_on_submit():
        return _render(editor, editing, None, 422)
    text, bank = editor.content.data or "", editor.bank.data or ""
    editing_id = editing.spec.id if editing is not None else None
    if request.form.get("action") != "save":
        checked = check_form(text, bank if editing is None else editing.bank, current_banks(), editing_id)
        _put_problems(editor, checked)
        return _render(editor, editing, checked, 422 if checked.problems else 200)
    try:
        spec = save_form(
            db_session(), app_state().catalogue, text, bank, editing_id, current_staff(), app_state().clock()
        )
    except FormInvalid as exc:
        checked = CheckedForm(None, None, exc.problems)
        _put_problems(editor, checked)
        return _render(editor, editing, checked, 422)
    except LookupError:
        abort(404)
    flash(f"Saved form {spec.id}.")
    return redirect(url_for("authoring.form", form_id=spec.id))


def _put_problems(editor: FormSpecForm, checked: CheckedForm) -> None:
    for problem in checked.problems:
        field = editor.bank if problem.field == "bank" else editor.content
        field.errors = [*field.errors, str(problem)]
