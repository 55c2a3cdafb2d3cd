"""The SJT key comparison page: each SJT item's key against the candidates' consensus."""

from __future__ import annotations

from flask import render_template

from assess.auth import roles_required
from assess.authoring import bp, current_banks
from assess.db import db_session
from assess.services.item_statistics import key_comparisons
from reports.item_analysis import MIN_CANDIDATES_FOR_FLAGS


@bp.get("/statistics/key-comparison")
@roles_required("author")
def key_comparison() -> str:
    return render_template(
        "authoring/key_comparison.html",
        compared=key_comparisons(db_session()),
        items=current_banks().items,
        min_candidates=MIN_CANDIDATES_FOR_FLAGS,
    )
