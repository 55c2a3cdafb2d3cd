"""The admins' page for webhooks: register an endpoint (secret shown once), rotate, manage, read the log."""

from flask import Blueprint, Flask

bp = Blueprint("webhooks", __name__, url_prefix="/staff/webhooks")

from assess.webhooks import routes  # noqa: E402,F401  (registers the routes on bp)


def init_webhooks(app: Flask) -> None:
    from assess.auth import add_nav_link
    from assess.services.app_keys import register_secret_key

    state = app.extensions["assess"]
    # The sweep signs deliveries with secrets sealed under this app's SECRET_KEY.
    register_secret_key(state.engine.url.render_as_string(hide_password=False), state.settings.secret_key)
    app.register_blueprint(bp)
    add_nav_link(app, "webhooks.webhooks", "Webhooks")
