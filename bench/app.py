"""The app as the benchmark serves it: the production app plus a bare baseline endpoint.

``POST /bench/commit`` inserts one row and commits, through the same app, session
factory, headers and gunicorn workers as every candidate route, so the benchmark can
say how far a save or a Start is from the cheapest possible durable write. Only this
factory registers it: the production app (``assess serve``) never has it.
"""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify
from sqlalchemy import Column, DateTime, Integer, MetaData, Table, func, insert

from assess.commands.serve import serving_app
from assess.db import db_session

BASELINE_TABLE = Table(
    "bench_commits",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("committed_at", DateTime(timezone=True), server_default=func.now()),
)

baseline = Blueprint("bench", __name__, url_prefix="/bench")


@baseline.post("/commit")
def commit_one_row() -> tuple[object, int]:
    session = db_session()
    session.execute(insert(BASELINE_TABLE))
    session.commit()
    return jsonify(committed=True), 200


def create_bench_app() -> Flask:
    """``serving_app`` with the baseline endpoint."""
    app = serving_app()
    engine = app.extensions["assess"].engine
    BASELINE_TABLE.create(engine, checkfirst=True)
    engine.dispose()  # the master keeps no connection: each worker opens its own after the fork
    # A bare endpoint: no form, so no CSRF token to check (the baseline measures a commit).
    app.extensions["csrf"].exempt(baseline)
    app.register_blueprint(baseline)
    return app
