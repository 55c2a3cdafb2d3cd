"""An item exactly as a candidate sees it (the candidate template and page), with the key on request.

Staff only: this is the one place outside review where a key is drawn next to an item,
and it is under /staff. Answers typed here are scored for the author and never stored.
"""

from __future__ import annotations

import random

from flask import abort, render_template, request
from flask_wtf import FlaskForm

from assess.answer_fields import FIELD_PREFIX, TamperedRequest, posted_fields
from assess.auth import roles_required
from assess.authoring import bp, current_banks
from assess.db import db_session
from assess.request_guard import is_ascii_number
from assess.services.authoring import LiveBanks
from assess.services.catalogue import PinnedVersionMissing
from assess.services.item_history import item_version
from items.base import ResponseError, Schema, Score
from scoring.items import score_item


def _section_title(live: LiveBanks, item_id: str, fallback: str) -> str:
    """The title of a form section that shows the item, as the candidate reads it."""
    for form in live.forms.values():
        for section in form.form.sections:
            for entry in section.entries:
                if item_id == entry or item_id in getattr(entry, "item_ids", ()):
                    return section.title
    return fallback


def _seed() -> int:
    raw = request.values.get("seed", "1")
    return int(raw) if is_ascii_number(raw) else 1


@bp.route("/items/<item_id>/preview", methods=["GET", "POST"])
@roles_required("author")
def preview(item_id: str) -> tuple[str, int]:
    live = current_banks()
    if item_id not in live.items:
        abort(404)
    version = request.values.get("version") or None
    try:
        item = item_version(db_session(), live, item_id, version)
    except PinnedVersionMissing:
        abort(404)
    seed = _seed()
    # Options in the authored order; numbers drawn as one attempt would draw them (seeded).
    variant = item.item_type.draw(item.body, random.Random(seed), False)
    body, key = item.realize(variant)
    other_draw = item.item_type.draw(item.body, random.Random(seed + 1), False) != variant
    show_key = request.values.get("key") == "1"
    response: Schema | None = None
    score: Score | None = None
    error: ResponseError | None = None
    status = 200
    if request.method == "POST":
        if not FlaskForm().validate_on_submit():
            abort(400)
        show_key = True
        try:
            response = item.item_type.normalise(body, posted_fields(request.form))
        except ResponseError as exc:
            error, status = exc, 422
        except TamperedRequest:
            abort(400)
        if error is None:
            score = score_item(item, response, variant)
    return (
        render_template(
            "authoring/preview.html",
            live=live.items[item_id],
            item=item,
            version=version,
            body=body,
            key=key,
            response=response,
            score=score,
            error=error,
            show_key=show_key,
            seed=seed,
            other_draw=other_draw,
            section_title=_section_title(live, item_id, item.section),
            prefix=FIELD_PREFIX,
        ),
        status,
    )
