"""The staff home page: what needs doing, for the signed-in member's role."""

from __future__ import annotations

from flask import render_template

from assess.auth import ANY_ROLE, current_staff, roles_required
from assess.db import app_state, db_session
from assess.services.staff_home import staff_home
from assess.staff import bp


@bp.get("/")
@roles_required(*ANY_ROLE)
def home() -> str:
    user = current_staff()
    return render_template(
        "staff/home.html",
        user=user,
        work=staff_home(db_session(), user, app_state().clock()),
    )
