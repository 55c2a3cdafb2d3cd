"""The assess web application, its models and its command line.

Every ``assess`` command imports this package first, so nothing heavy is imported at its
top: ``assess --help`` and ``assess bank validate`` must not wait for Flask and SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from items.values import TEMPLATE_FILTERS

if TYPE_CHECKING:
    from flask import Flask

    from assess.config import Settings

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
#: How often an open attempt page asks for its time left. Staff-granted time must reach an
#: open page within 15 s (issue 4); 10 s leaves room for a slow answer, and the poll is most of
#: a hiring day's requests, so each second more is capacity (docs/capacity.md).
STATUS_POLL_SECONDS = 10


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; ``config`` may carry SETTINGS, CLOCK, START_SWEEP and any Flask key."""
    # Imported here: importing the package stays cheap for the command line.
    from flask import Flask
    from flask_wtf.csrf import CSRFProtect

    from assess.api import init_api
    from assess.api_keys import init_api_keys
    from assess.auth import init_auth
    from assess.authoring import init_authoring
    from assess.candidate import bp as candidate_bp
    from assess.clock import system_clock
    from assess.config import settings_from_env
    from assess.db import AppState, close_session, make_engine, make_session_factory, upgrade_database
    from assess.errors import init_error_pages
    from assess.interviews import init_interviews
    from assess.log_redaction import redact_logs
    from assess.partners import init_partners
    from assess.ratelimit import init_ratelimit, storage_uri
    from assess.reports import init_reports
    from assess.request_guard import init_request_guard
    from assess.review import init_review
    from assess.security import init_security
    from assess.services.catalogue import load_catalogue
    from assess.services.status_board import STATUS_BOARD, status_board_for
    from assess.staff import bp as staff_bp
    from assess.sweep import DeadlineSweep
    from assess.webhooks import init_webhooks

    app = Flask(__name__, template_folder=str(TEMPLATES))
    overrides = dict(config or {})
    settings: Settings = overrides.get("SETTINGS") or settings_from_env()
    app.config.from_mapping(
        SECRET_KEY=settings.secret_key,
        SETTINGS=settings,
        CLOCK=system_clock,
        # The largest honest request is one written answer; anything far bigger is refused.
        MAX_CONTENT_LENGTH=512 * 1024,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_url.startswith("https://"),
        # A page stays open for the whole (possibly extended) attempt: its CSRF token must too.
        WTF_CSRF_TIME_LIMIT=None,
        # Referrer-Policy: no-referrer keeps tokens out of Referer headers, so Flask-WTF's
        # HTTPS referrer check would refuse every post; the token and SameSite cookie remain.
        WTF_CSRF_SSL_STRICT=False,
        STATUS_POLL_SECONDS=STATUS_POLL_SECONDS,
        SAVE_RETRY_SECONDS=5,
        SAVE_DELAY_MS=400,
        ALLOW_PRIVATE_WEBHOOK_TARGETS=settings.allow_private_webhook_targets,
    )
    app.config.update(overrides)
    app.config.setdefault("START_SWEEP", not app.config.get("TESTING", False))

    upgrade_database(settings.database_url)
    engine = make_engine(settings.database_url)
    board = status_board_for(storage_uri(app), app.config.get("RATELIMIT_KEY_PREFIX", ""))
    state = AppState(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine, {STATUS_BOARD: board} if board else None),
        # Loaded once at start: a broken bank stops the app here, not in a candidate's Start.
        catalogue=load_catalogue(settings.bank_paths),
        clock=app.config["CLOCK"],
    )
    app.extensions["assess"] = state

    init_request_guard(app)
    CSRFProtect(app)
    init_security(app)
    init_error_pages(app)
    app.teardown_appcontext(close_session)
    app.jinja_env.filters.update(TEMPLATE_FILTERS)
    app.register_blueprint(candidate_bp)
    init_ratelimit(app, candidate_bp)
    init_auth(app)
    app.register_blueprint(staff_bp)
    init_review(app)
    init_interviews(app)
    init_authoring(app)
    init_reports(app)
    init_api_keys(app)
    init_webhooks(app)
    init_api(app)
    init_partners(app)
    # Last, so that the loggers of every module the blueprints imported exist.
    redact_logs(app)

    if app.config["START_SWEEP"]:
        sweep = DeadlineSweep(
            state.session_factory,
            state.clock,
            settings.grace_seconds,
            settings.sweep_interval_seconds,
            allow_private_targets=app.config["ALLOW_PRIVATE_WEBHOOK_TARGETS"],
        )
        sweep.start()
        app.extensions["assess.sweep"] = sweep
    return app
