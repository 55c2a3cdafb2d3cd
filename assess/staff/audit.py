"""The audit log: who changed what for which candidate, newest first (admins)."""

from __future__ import annotations

from flask import render_template

from assess.auth import roles_required
from assess.db import db_session
from assess.services.staff import audit_entries, count_audit_entries
from assess.staff import bp
from assess.web import page_number

PAGE_SIZE = 100


@bp.get("/audit")
@roles_required("admin")
def audit_log() -> str:
    number = page_number()
    session = db_session()
    entries = audit_entries(session, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    return render_template(
        "staff/audit.html",
        entries=entries,
        page=number,
        has_next=number * PAGE_SIZE < count_audit_entries(session),
    )
