"""Item authors' pages: banks and forms, item editing with versions, preview, statistics, import/export.

Every route carries ``roles_required("author")`` (admin may too); keys and rationales are
shown here, to staff only, and never reach a candidate route (Invariant 2).
"""

from flask import Blueprint, Flask

from assess.db import app_state, db_session
from assess.services.authoring import LiveBanks, live_banks

bp = Blueprint("authoring", __name__, url_prefix="/staff/authoring")


def current_banks() -> LiveBanks:
    """The live banks of this request: the bank files overlaid with what authors saved."""
    return live_banks(db_session(), app_state().catalogue)


from assess.authoring import assessment_forms, banks, imports, items, key_comparison, preview  # noqa: E402,F401


def init_authoring(app: Flask) -> None:
    from assess.auth import add_nav_link

    app.register_blueprint(bp)
    add_nav_link(app, "authoring.index", "Item banks", "author")
