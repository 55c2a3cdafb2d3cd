"""The hiring team's pages: login, campaigns, invitations, the outbox and the audit log."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

# Each module registers its routes on bp.
from assess.staff import audit, campaigns, home, invitations, login, outbox  # noqa: E402,F401
