"""Staff members in tests: an account of a given role, signed in through the real login form."""

from __future__ import annotations

import itertools
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.test import TestResponse

from assess.models import StaffUser
from assess.services.staff import create_user

PASSWORD = "correct horse battery staple"
CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_numbers = itertools.count(1)


def make_user(
    session_factory: sessionmaker[Session], role: str, email: str | None = None, name: str = ""
) -> StaffUser:
    """A new active account of ``role`` whose password is ``PASSWORD``."""
    email = email or f"{role}-{next(_numbers)}@example.com"
    with session_factory() as session:
        return create_user(session, email, role, PASSWORD, name=name or f"Test {role.title()}")


def csrf_token(client: FlaskClient, path: str = "/staff/login") -> str:
    """The CSRF token of this client's session, read from a page as a browser would."""
    page = client.get(path).get_data(as_text=True)
    found = CSRF_PATTERN.search(page)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> TestResponse:
    token = csrf_token(client, "/staff/login")
    return client.post("/staff/login", data={"csrf_token": token, "email": email, "password": password})


def login(
    client: FlaskClient, session_factory: sessionmaker[Session], role: str, name: str = ""
) -> StaffUser:
    """Create a user of ``role`` and sign ``client`` in as them."""
    user = make_user(session_factory, role, name=name)
    response = sign_in(client, user.email)
    assert response.status_code == 302, response.get_data(as_text=True)
    return user


class StaffClient(FlaskClient):
    """A test client signed in, through the login form, as ``user``."""

    user: StaffUser


def signed_in(app: Flask, session_factory: sessionmaker[Session], role: str, name: str = "") -> StaffClient:
    """A new client with its own cookies, signed in as a new user of ``role``."""
    client = StaffClient(app, app.response_class, use_cookies=True)
    client.user = login(client, session_factory, role, name)
    return client


def post(client: FlaskClient, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> TestResponse:
    """A form post with the CSRF token of the signed-in session (read from the staff home page)."""
    form = {"csrf_token": csrf_token(client, "/staff/"), **(data or {})}
    return client.post(path, data=form, **kwargs)
