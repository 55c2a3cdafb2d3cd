"""The assessment-partner side of Greenhouse and Ashby, and the admins' "Connect your ATS" page.

``bp`` serves what the ATSs call (``/partners/greenhouse/...``, ``/partners/ashby/...``),
authenticated by a connection's key; ``pages`` is the staff page that makes and revokes
connections.
"""

import os

from flask import Blueprint, Flask

bp = Blueprint("partners", __name__, url_prefix="/partners")
pages = Blueprint("ats_connections", __name__, url_prefix="/staff/ats")

from assess.partners import ashby, connection_pages, greenhouse  # noqa: E402,F401  (they register routes)
from assess.partners.calls import PartnerError, refusal  # noqa: E402

bp.register_error_handler(PartnerError, refusal)


def init_partners(app: Flask) -> None:
    from flask_wtf.csrf import CSRFProtect

    from assess.auth import add_nav_link
    from assess.services.ats_ashby import DEFAULT_API_URL
    from assess.services.ats_greenhouse import DEFAULT_ALLOWED_HOSTS
    from assess.services.ats_notices import register_app

    # The app's config wins (tests point both at their fakes); else the environment; else the ATSs'.
    hosts = os.environ.get("ASSESS_GREENHOUSE_ALLOWED_HOSTS", "").split()
    app.config.setdefault("GREENHOUSE_ALLOWED_HOSTS", frozenset(hosts) or DEFAULT_ALLOWED_HOSTS)
    app.config.setdefault(
        "ASHBY_API_URL", os.environ.get("ASSESS_ASHBY_API_URL", "").strip() or DEFAULT_API_URL
    )
    state = app.extensions["assess"]
    register_app(state.engine.url.render_as_string(hide_password=False), state.settings.secret_key)
    app.register_blueprint(bp)
    app.register_blueprint(pages)
    # The ATS authenticates with a key in a header and sends no cookie: no site can forge its calls.
    csrf: CSRFProtect = app.extensions["csrf"]
    csrf.exempt(bp)
    add_nav_link(app, "ats_connections.connections", "Connect your ATS")
