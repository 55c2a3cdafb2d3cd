"""The admins' page for REST API keys: make one (shown once), see them all, revoke one."""

from flask import Blueprint, Flask

bp = Blueprint("api_keys", __name__, url_prefix="/staff/api-keys")

from assess.api_keys import routes  # noqa: E402,F401  (registers the routes on bp)


def init_api_keys(app: Flask) -> None:
    from assess.auth import add_nav_link

    app.register_blueprint(bp)
    add_nav_link(app, "api_keys.keys", "API keys")
