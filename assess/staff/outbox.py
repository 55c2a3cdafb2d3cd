"""The outbox: every invitation email exactly as it was (or would be) sent."""

from __future__ import annotations

from flask import abort, render_template, request
from sqlalchemy import func, select

from assess.auth import roles_required
from assess.db import app_state, db_session
from assess.models import OutboxMessage
from assess.request_guard import is_ascii_number
from assess.staff import bp

PAGE_SIZE = 50


@bp.get("/outbox")
@roles_required("recruiter")
def outbox() -> str:
    page = request.args.get("page", "1")
    if not is_ascii_number(page) or int(page) < 1:
        abort(400)
    number = int(page)
    session = db_session()
    total = session.scalar(select(func.count()).select_from(OutboxMessage)) or 0
    messages = session.scalars(
        select(OutboxMessage)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(PAGE_SIZE)
        .offset((number - 1) * PAGE_SIZE)
    ).all()
    return render_template(
        "staff/outbox.html",
        messages=messages,
        page=number,
        has_next=number * PAGE_SIZE < total,
        total=total,
        smtp_configured=app_state().settings.smtp is not None,
    )
