"""Signing in and out."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from assess.auth import ANY_ROLE, StaffLogin, public, roles_required
from assess.db import app_state, db_session
from assess.ratelimit import clear_account_failures, count_login_failure, login_lock
from assess.services.staff import authenticate, end_session, record_login_failure, start_session
from assess.staff import bp
from assess.staff.forms import LoginForm

#: Shown for a wrong email and a wrong password alike: the page never says which addresses exist.
LOGIN_FAILED = "That email and password do not match an active staff account."
#: Shown whether or not an account has the email: a lock-out says nothing about which exist.
LOCKED_OUT = {
    "account": "Too many failed sign-ins for this email address. Wait {minutes}, then try again.",
    "address": "Too many failed sign-ins from this network. Wait {minutes}, then try again.",
}


def _wait(seconds: str) -> str:
    minutes = -(-int(seconds) // 60)
    return "a minute" if minutes <= 1 else f"{minutes} minutes"


def _safe_next(target: str | None) -> str:
    # Only our own staff pages: a crafted ?next= must not send a fresh login to another site.
    if target and target.startswith("/staff/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("staff.home")


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> str | BaseResponse | tuple[str, int] | tuple[str, int, dict[str, str]]:
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if not form.validate_on_submit():
        return render_template("staff/login.html", form=form), 422 if request.method == "POST" else 200
    email = form.email.data or ""
    lock = login_lock(email)
    if lock is not None:
        # Refused before the password is checked: while locked, guessing learns nothing.
        failed = LOCKED_OUT[lock.whose].format(minutes=_wait(lock.retry_after))
        page = render_template("staff/login.html", form=form, failed=failed)
        return page, 429, {"Retry-After": lock.retry_after}
    now = app_state().clock()
    user = authenticate(db_session(), email, form.password.data or "")
    if user is None:
        locked = count_login_failure(email)
        record_login_failure(db_session(), email, get_remote_address(), now, locked)
        return render_template("staff/login.html", form=form, failed=LOGIN_FAILED), 401
    clear_account_failures(email)
    target = _safe_next(form.next.data)
    # A fresh session for the signed-in user: nothing from before the login carries over.
    session.clear()
    login_user(StaffLogin(user, start_session(db_session(), user, now)))
    return redirect(target)


@bp.post("/logout")
@roles_required(*ANY_ROLE)
def logout() -> BaseResponse:
    # Ended on the server: a copy of this browser's cookie opens nothing afterwards.
    end_session(db_session(), current_user.secret)
    logout_user()
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("staff.login"))
