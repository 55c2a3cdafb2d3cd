"""The outbox: every invitation email exactly as it was (or would be) sent."""

from __future__ import annotations

from flask import render_template

from assess.auth import roles_required
from assess.db import app_state, db_session
from assess.services.mail import outbox_page
from assess.staff import bp
from assess.web import page_number

PAGE_SIZE = 50


@bp.get("/outbox")
@roles_required("recruiter")
def outbox() -> str:
    number = page_number()
    messages, total = outbox_page(db_session(), number, PAGE_SIZE)
    return render_template(
        "staff/outbox.html",
        messages=messages,
        page=number,
        has_next=number * PAGE_SIZE < total,
        total=total,
        smtp_configured=app_state().settings.smtp is not None,
    )
