"""Admins connect an ATS (its key shown on the answer to the POST only), see its errors, revoke it."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from wtforms.fields.choices import SelectChoice

from assess.auth import current_staff, roles_required
from assess.db import app_state, db_session
from assess.errors import error_response
from assess.partners import pages
from assess.partners.forms import ConnectionForm
from assess.services.ats_connections import (
    PROVIDERS,
    ConnectionInvalid,
    ats_connections,
    create_connection,
    response_errors,
    revoke_connection,
)
from assess.services.campaigns import campaigns_with_counts
from assess.web import Page


def _form(formdata: bool = True) -> ConnectionForm:
    form = ConnectionForm() if formdata else ConnectionForm(formdata=None)
    form.campaigns.choices = [
        SelectChoice(campaign.id, f"{campaign.title} ({campaign.slug})")
        for campaign, _ in campaigns_with_counts(db_session())
    ]
    return form


def _page(form: ConnectionForm, created: str = "", provider: str = "", status: int = 200) -> Page:
    session = db_session()
    connections = ats_connections(session)
    page = render_template(
        "staff/ats_connections.html",
        form=form,
        connections=connections,
        campaign_names={campaign.id: campaign.title for campaign, _ in campaigns_with_counts(session)},
        names={connection.id: connection.name for connection in connections},
        errors=response_errors(session),
        providers=PROVIDERS,
        public_url=app_state().settings.public_url,
        created=created,
        created_provider=provider,
    )
    return page, status


@pages.get("")
@roles_required("admin")
def connections() -> Page:
    return _page(_form(formdata=False))


@pages.post("")
@roles_required("admin")
def create() -> Page:
    form = _form()
    if not form.validate_on_submit():
        return _page(form, status=422)
    state = app_state()
    try:
        _, text = create_connection(
            db_session(),
            form.provider.data or "",
            form.name.data or "",
            form.campaigns.data or [],
            form.ashby_api_key.data or "",
            state.settings.secret_key,
            current_staff(),
            state.clock(),
        )
    except ConnectionInvalid as exc:
        getattr(form, exc.field, form.name).errors = [str(exc)]
        return _page(form, status=422)
    # Rendered, never redirected: the key must not pass through the session cookie or a URL.
    return _page(_form(formdata=False), created=text, provider=form.provider.data or "")


@pages.post("/<int:connection_id>/revoke")
@roles_required("admin")
def revoke(connection_id: int) -> Page:
    try:
        connection = revoke_connection(db_session(), connection_id, current_staff(), app_state().clock())
    except LookupError:
        return error_response(404, "There is no ATS connection with this number.")
    flash(f"ATS connection “{connection.name}” revoked: its key no longer works.")
    return redirect(url_for("ats_connections.connections"))
