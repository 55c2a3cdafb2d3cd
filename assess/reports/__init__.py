"""Combined reports for the hiring team: campaign and candidate reports, exports, and fairness.

Recruiters (and admin) read the campaign and candidate reports and download them. The
fairness report, which counts candidates by their voluntary self-identification, is for
admin only: the fewer people who see group-level data, the smaller the risk that anyone
connects it to a candidate they are assessing. Item analysis lives with the item authors
(``authoring.statistics``); the campaign report links to it for admin.
"""

from flask import Blueprint, Flask

bp = Blueprint("reports", __name__, url_prefix="/staff/reports")

from assess.reports import campaign_pages, fairness_pages  # noqa: E402,F401  (registers the routes on bp)


def init_reports(app: Flask) -> None:
    from assess.auth import add_nav_link

    app.register_blueprint(bp)
    add_nav_link(app, "reports.index", "Reports", "recruiter")
