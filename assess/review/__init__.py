"""Staff review of attempts: items as the candidate saw them, the timeline, rubric marks, regrades."""

from flask import Blueprint, Flask

bp = Blueprint("review", __name__, url_prefix="/staff/review")

from assess.review import routes  # noqa: E402,F401  (registers the routes on bp)


def init_review(app: Flask) -> None:
    from assess.auth import add_nav_link

    app.register_blueprint(bp)
    add_nav_link(app, "review.attempts", "Attempts", "recruiter", "interviewer")
    add_nav_link(app, "review.written_queue", "Written answers", "recruiter", "interviewer")
    add_nav_link(app, "review.regrades", "Regrade", "recruiter")
