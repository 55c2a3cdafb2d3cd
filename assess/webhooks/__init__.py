"""The admins' page for webhooks: register an endpoint (secret shown once), manage it, read the log."""

from flask import Blueprint, Flask

bp = Blueprint("webhooks", __name__, url_prefix="/staff/webhooks")

from assess.webhooks import routes  # noqa: E402,F401  (registers the routes on bp)


def init_webhooks(app: Flask) -> None:
    from assess.auth import add_nav_link

    app.register_blueprint(bp)
    add_nav_link(app, "webhooks.webhooks", "Webhooks")
