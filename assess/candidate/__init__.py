"""The candidate's pages: a single-use link, instructions, the timed attempt, the end."""

from flask import Blueprint

bp = Blueprint("candidate", __name__, url_prefix="/t")

from assess.candidate import routes, self_identification  # noqa: E402,F401  (registers the routes on bp)
