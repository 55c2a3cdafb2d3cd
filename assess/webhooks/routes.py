"""Admins register, rotate, disable, enable and delete webhook endpoints and send deliveries again."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for

from assess.auth import current_staff, roles_required
from assess.db import app_state, db_session
from assess.errors import error_response
from assess.models import WebhookEndpoint
from assess.services.outbox import DeliveryNotFound, recent_deliveries, send_again
from assess.services.webhooks import (
    EndpointInvalid,
    EndpointNotFound,
    create_endpoint,
    delete_endpoint,
    endpoints,
    rotate_secret,
    set_endpoint_active,
)
from assess.web import Page
from assess.webhooks import bp
from assess.webhooks.forms import EndpointForm

NOT_FOUND = "There is no webhook endpoint with this number."


def _secret_key() -> str:
    return app_state().settings.secret_key


def _page(
    form: EndpointForm,
    created: str = "",
    status: int = 200,
    rotated: WebhookEndpoint | None = None,
) -> Page:
    session = db_session()
    page = render_template(
        "staff/webhooks.html",
        form=form,
        endpoints=endpoints(session),
        deliveries=recent_deliveries(session),
        created=created,
        rotated=rotated,
        now=app_state().clock(),
    )
    return page, status


@bp.get("")
@roles_required("admin")
def webhooks() -> Page:
    return _page(EndpointForm())


@bp.post("")
@roles_required("admin")
def create() -> Page:
    form = EndpointForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    try:
        _, secret = create_endpoint(
            db_session(),
            form.url.data or "",
            form.events.data or [],
            current_staff(),
            app_state().clock(),
            allow_private=bool(current_app.config["ALLOW_PRIVATE_WEBHOOK_TARGETS"]),
            secret_key=_secret_key(),
        )
    except EndpointInvalid as exc:
        form[exc.field].errors = [str(exc)]
        return _page(form, status=422)
    # Rendered, never redirected: the secret must not pass through the session cookie or a URL.
    return _page(EndpointForm(formdata=None), created=secret)


def _set_active(endpoint_id: int, active: bool) -> Page:
    try:
        endpoint = set_endpoint_active(
            db_session(), endpoint_id, active, current_staff(), app_state().clock(), secret_key=_secret_key()
        )
    except EndpointNotFound:
        return error_response(404, NOT_FOUND)
    flash(f"{endpoint.url} {'enabled' if active else 'disabled'}.")
    return redirect(url_for("webhooks.webhooks"))


@bp.post("/<int:endpoint_id>/disable")
@roles_required("admin")
def disable(endpoint_id: int) -> Page:
    return _set_active(endpoint_id, False)


@bp.post("/<int:endpoint_id>/enable")
@roles_required("admin")
def enable(endpoint_id: int) -> Page:
    return _set_active(endpoint_id, True)


@bp.post("/<int:endpoint_id>/rotate")
@roles_required("admin")
def rotate(endpoint_id: int) -> Page:
    try:
        endpoint, secret = rotate_secret(
            db_session(), endpoint_id, current_staff(), app_state().clock(), secret_key=_secret_key()
        )
    except EndpointNotFound:
        return error_response(404, NOT_FOUND)
    # Rendered, as a new endpoint's secret is: shown once, never through a cookie or a URL.
    return _page(EndpointForm(formdata=None), created=secret, rotated=endpoint)


@bp.post("/<int:endpoint_id>/delete")
@roles_required("admin")
def delete(endpoint_id: int) -> Page:
    try:
        url = delete_endpoint(db_session(), endpoint_id, current_staff(), app_state().clock())
    except EndpointNotFound:
        return error_response(404, NOT_FOUND)
    flash(f"{url} deleted: it receives nothing more.")
    return redirect(url_for("webhooks.webhooks"))


@bp.post("/deliveries/<int:delivery_id>/send-again")
@roles_required("admin")
def resend(delivery_id: int) -> Page:
    try:
        delivery = send_again(db_session(), delivery_id, current_staff(), app_state().clock())
    except DeliveryNotFound:
        return error_response(404, "There is no delivery with this number.")
    except ValueError as exc:
        return error_response(409, f"This delivery cannot be sent again: {exc}.")
    flash(f"Delivery {delivery.id} ({delivery.event}) queued to be sent again.")
    return redirect(url_for("webhooks.webhooks") + "#deliveries")
