"""Structured interviews: the kit's guide on screen, the question bank, and independent scorecards."""

from flask import Blueprint, Flask

bp = Blueprint("interviews", __name__, url_prefix="/staff/interviews")

from assess.interviews import debrief, routes  # noqa: E402,F401  (registers the routes on bp)


def init_interviews(app: Flask) -> None:
    from assess.auth import add_nav_link

    app.register_blueprint(bp)
    add_nav_link(app, "interviews.candidates", "Interviews", "recruiter", "interviewer")
    add_nav_link(app, "interviews.question_bank", "Question bank", "recruiter", "interviewer", "author")
