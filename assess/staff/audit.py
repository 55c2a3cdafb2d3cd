"""The audit log: who changed what for which candidate, newest first (admins)."""

from __future__ import annotations

from flask import abort, render_template, request

from assess.auth import roles_required
from assess.db import db_session
from assess.request_guard import is_ascii_number
from assess.services.staff import audit_entries, count_audit_entries
from assess.staff import bp

PAGE_SIZE = 100


@bp.get("/audit")
@roles_required("admin")
def audit_log() -> str:
    page = request.args.get("page", "1")
    if not is_ascii_number(page) or int(page) < 1:
        abort(400)
    number = int(page)
    session = db_session()
    entries = audit_entries(session, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    return render_template(
        "staff/audit.html",
        entries=entries,
        page=number,
        has_next=number * PAGE_SIZE < count_audit_entries(session),
    )
