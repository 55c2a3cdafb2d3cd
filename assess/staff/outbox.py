"""The outbox: every invitation email exactly as it was (or would be) sent."""

from __future__ import annotations

from flask import abort, render_template, request

from assess.auth import roles_required
from assess.db import app_state, db_session
from assess.request_guard import is_ascii_number
from assess.services.mail import outbox_page
from assess.staff import bp

PAGE_SIZE = 50


@bp.get("/outbox")
@roles_required("recruiter")
def outbox() -> str:
    page = request.args.get("page", "1")
    if not is_ascii_number(page) or int(page) < 1:
        abort(400)
    number = int(page)
    messages, total = outbox_page(db_session(), number, PAGE_SIZE)
    return render_template(
        "staff/outbox.html",
        messages=messages,
        page=number,
        has_next=number * PAGE_SIZE < total,
        total=total,
        smtp_configured=app_state().settings.smtp is not None,
    )
