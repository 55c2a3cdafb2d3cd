"""Admins list, create and revoke API keys; a new key's text is on the answer to its POST only."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from assess.api_keys import bp
from assess.api_keys.forms import ApiKeyForm
from assess.auth import current_staff, roles_required
from assess.db import app_state, db_session
from assess.errors import error_response
from assess.services.api_keys import ApiKeyInvalid, api_keys, create_api_key, revoke_api_key
from assess.web import Page


def _page(form: ApiKeyForm, created: str = "", status: int = 200) -> Page:
    page = render_template("staff/api_keys.html", form=form, keys=api_keys(db_session()), created=created)
    return page, status


@bp.get("")
@roles_required("admin")
def keys() -> Page:
    return _page(ApiKeyForm())


@bp.post("")
@roles_required("admin")
def create() -> Page:
    form = ApiKeyForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    try:
        _, text = create_api_key(
            db_session(), form.name.data or "", form.scopes.data or [], current_staff(), app_state().clock()
        )
    except ApiKeyInvalid as exc:
        form.name.errors = [str(exc)]
        return _page(form, status=422)
    # Rendered, never redirected: the key must not pass through the session cookie or a URL.
    return _page(ApiKeyForm(formdata=None), created=text)


@bp.post("/<int:key_id>/revoke")
@roles_required("admin")
def revoke(key_id: int) -> Page:
    try:
        key = revoke_api_key(db_session(), key_id, current_staff(), app_state().clock())
    except LookupError:
        return error_response(404, "There is no API key with this number.")
    flash(f"API key “{key.name}” revoked: it no longer works.")
    return redirect(url_for("api_keys.keys"))
