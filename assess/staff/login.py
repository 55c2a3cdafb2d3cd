"""Signing in and out."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from assess import db_session
from assess.services.staff import authenticate
from assess.staff import bp
from assess.staff.auth import ANY_ROLE, StaffLogin, public, roles_required
from assess.staff.forms import LoginForm

#: Shown for a wrong email and a wrong password alike: the page never says which addresses exist.
LOGIN_FAILED = "That email and password do not match an active staff account."


def _safe_next(target: str | None) -> str:
    # Only our own staff pages: a crafted ?next= must not send a fresh login to another site.
    if target and target.startswith("/staff/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("staff.home")


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> str | BaseResponse | tuple[str, int]:
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if not form.validate_on_submit():
        return render_template("staff/login.html", form=form), 422 if request.method == "POST" else 200
    user = authenticate(db_session(), form.email.data or "", form.password.data or "")
    if user is None:
        return render_template("staff/login.html", form=form, failed=LOGIN_FAILED), 401
    target = _safe_next(form.next.data)
    # A fresh session for the signed-in user: nothing from before the login carries over.
    session.clear()
    login_user(StaffLogin(user))
    return redirect(target)


@bp.post("/logout")
@roles_required(*ANY_ROLE)
def logout() -> BaseResponse:
    logout_user()
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("staff.login"))
