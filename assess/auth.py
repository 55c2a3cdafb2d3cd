"""Staff login (Flask-Login) and the role check every staff route carries.

Every view of the staff blueprints is decorated with ``roles_required(...)`` or
``public``; the decorator leaves ``allowed_roles`` (and ``is_public``) on the view,
and tests/integration/test_staff_roles.py reads them for every rule under /staff,
so a route without a role check fails that test.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from flask import Flask, current_app, jsonify, redirect, request, url_for
from flask_login import LoginManager, UserMixin, current_user

from assess.db import app_state, db_session
from assess.errors import error_response
from assess.models import StaffUser
from assess.services.staff import ROLE_NAMES, ROLES, session_user

F = TypeVar("F", bound=Callable[..., Any])

login_manager = LoginManager()
login_manager.login_view = "staff.login"


class StaffLogin(UserMixin):
    """Flask-Login's view of a signed-in staff account.

    The session cookie holds ``secret``, the key of a row in staff_sessions; the
    account is signed in only while that row exists (``assess.services.staff``), so
    signing out, a password change or a deactivation ends the session on the server.
    """

    def __init__(self, user: StaffUser, secret: str) -> None:
        self.user = user
        self.secret = secret

    def get_id(self) -> str:
        return self.secret

    @property
    def is_active(self) -> bool:
        return self.user.active


@login_manager.user_loader
def load_login(secret: str) -> StaffLogin | None:
    user = session_user(db_session(), secret, app_state().clock())
    return None if user is None else StaffLogin(user, secret)


@dataclass(frozen=True)
class NavLink:
    endpoint: str
    label: str
    roles: frozenset[str]


NAV_KEY = "assess.staff_nav"


def add_nav_link(app: Flask, endpoint: str, label: str, *roles: str) -> None:
    """Offer a page in the staff navigation to these roles (and admin); any blueprint may add one."""
    app.extensions.setdefault(NAV_KEY, []).append(NavLink(endpoint, label, frozenset({"admin", *roles})))


def init_auth(app: Flask) -> None:
    """Login sessions for staff; the session cookie is HttpOnly, SameSite=Lax, Secure on https."""
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    # No "remember me": a staff session ends with the browser, and its cookie is the only one.
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config.get("SESSION_COOKIE_SECURE", False))
    login_manager.init_app(app)
    app.jinja_env.globals["ROLE_NAMES"] = ROLE_NAMES
    app.context_processor(_staff_context)
    add_nav_link(app, "staff.campaigns", "Campaigns", "recruiter")
    add_nav_link(app, "staff.outbox", "Outbox", "recruiter")
    add_nav_link(app, "staff.audit_log", "Audit log")


def _staff_context() -> dict[str, Any]:
    if not current_user.is_authenticated:
        return {"staff_user": None, "staff_nav": []}
    user: StaffUser = current_user.user
    links = [
        link
        for link in current_app.extensions.get(NAV_KEY, [])
        if user.role in link.roles and link.endpoint in current_app.view_functions
    ]
    return {"staff_user": user, "staff_nav": links}


def current_staff() -> StaffUser:
    """The signed-in staff member; only called from views behind ``roles_required``."""
    if not current_user.is_authenticated:
        raise RuntimeError("current_staff() outside a roles_required view")
    user: StaffUser = current_user.user
    return user


def has_role(user: StaffUser, *roles: str) -> bool:
    """Admin may do everything."""
    return user.role == "admin" or user.role in roles


def roles_required(*roles: str, json: bool = False) -> Callable[[F], F]:
    """Only these roles (and admin) may use the view.

    No login: a page redirects to the login page, a JSON view (``json=True``) answers 401.
    Wrong role: 403.
    """
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise ValueError(f"roles_required needs roles from {ROLES}, got {roles}")
    allowed = frozenset({"admin", *roles})

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                if json or request.is_json:
                    return jsonify(error="Sign in to the staff pages first."), 401
                # Back to the page after signing in; a form post cannot be replayed, so it goes home.
                target = request.full_path.rstrip("?") if request.method == "GET" else None
                return redirect(url_for("staff.login", next=target))
            if current_user.user.role not in allowed:
                role = ROLE_NAMES.get(current_user.user.role, current_user.user.role)
                return error_response(403, f"Your role ({role}) does not give access to this page.")
            return view(*args, **kwargs)

        guarded.allowed_roles = allowed  # type: ignore[attr-defined]
        guarded.is_public = False  # type: ignore[attr-defined]
        guarded.responds_with_json = json  # type: ignore[attr-defined]
        return cast(F, guarded)

    return decorate


def public(view: F) -> F:
    """A staff page anyone may open (the login page)."""
    view.allowed_roles = frozenset(ROLES)  # type: ignore[attr-defined]
    view.is_public = True  # type: ignore[attr-defined]
    view.responds_with_json = False  # type: ignore[attr-defined]
    return view


#: Every role may open these (the dashboard, logout).
ANY_ROLE = ROLES
