"""The REST API, version 1: token-authenticated JSON at /api/v1, described at /api/v1/openapi.json."""

from flask import Blueprint, Flask

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from assess.api import campaign_report, campaigns, errors, invitations, results  # noqa: E402,F401  (they register on bp)


def init_api(app: Flask) -> None:
    from flask_wtf.csrf import CSRFProtect

    app.register_blueprint(bp)
    # A key in a header authenticates: no cookie is read, so no other site can forge a request.
    csrf: CSRFProtect = app.extensions["csrf"]
    csrf.exempt(bp)
