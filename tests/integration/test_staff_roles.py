"""Every staff route checks the role: walked from the url_map, with every role and with no login.

Each view under /staff carries ``allowed_roles`` (and ``is_public``) from
``roles_required`` / ``public``; a route without them fails here, so a new page
cannot ship without a role check. Ids in the URLs do not exist: a role that may
use the page gets past the check (to a 404 or a form error), one that may not gets 403.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from staff_client import StaffClient, csrf_token
from werkzeug.routing import IntegerConverter, Rule

from assess.services.staff import ROLES

METHODS = ("GET", "POST")


def staff_rules(app: Flask) -> Iterator[tuple[Rule, str]]:
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/staff"):
            for method in METHODS:
                if method in (rule.methods or ()):
                    yield rule, method


def path_of(app: Flask, rule: Rule) -> str:
    values = {
        name: 987_654 if isinstance(converter, IntegerConverter) else "no-such-thing"
        for name, converter in rule._converters.items()
    }
    with app.test_request_context():
        return app.url_map.bind("localhost").build(rule.endpoint, values)


def request(client: FlaskClient, method: str, path: str, token: str) -> tuple[int, str]:
    response = client.get(path) if method == "GET" else client.post(path, data={"csrf_token": token})
    return response.status_code, response.headers.get("Location", "")


def test_every_staff_view_declares_its_roles(app: Flask) -> None:
    missing = [
        rule.rule
        for rule, _ in staff_rules(app)
        if not hasattr(app.view_functions[rule.endpoint], "allowed_roles")
    ]
    assert missing == [], "staff routes without roles_required or public"
    assert sum(1 for _ in staff_rules(app)) >= 10


def test_every_staff_route_with_every_role_and_without_login(
    staff_client: Callable[..., StaffClient], app: Flask
) -> None:
    clients: dict[str, FlaskClient] = {}
    tokens: dict[str, str] = {}
    anonymous = app.test_client()
    tokens["anonymous"] = csrf_token(anonymous, "/staff/login")
    clients["anonymous"] = anonymous
    for role in ROLES:
        client = staff_client(role)
        clients[role] = client
        tokens[role] = csrf_token(client, "/staff/")

    wrong: list[str] = []
    for rule, method in staff_rules(app):
        view = app.view_functions[rule.endpoint]
        if rule.endpoint == "staff.logout":
            continue  # signing out would end the session the walk goes on with; tested in test_staff_login
        path = path_of(app, rule)
        allowed: frozenset[str] = view.allowed_roles
        for who, client in clients.items():
            status, location = request(client, method, path, tokens[who])
            if view.is_public:
                ok = status not in (401, 403)
            elif who == "anonymous":
                ok = (
                    status == 401
                    if view.responds_with_json
                    else (status == 302 and location.startswith("/staff/login"))
                )
            elif who in allowed:
                ok = status not in (401, 403) and not location.startswith("/staff/login")
            else:
                ok = status == 403
            if not ok:
                wrong.append(f"{method} {path} as {who}: {status} {location}".strip())
    assert wrong == []


def test_admin_may_do_everything(app: Flask) -> None:
    for rule, _ in staff_rules(app):
        assert "admin" in app.view_functions[rule.endpoint].allowed_roles, rule.rule


@pytest.mark.parametrize("role", ["interviewer", "author"])
def test_roles_without_invite_rights_cannot_invite(
    staff_client: Callable[..., StaffClient], role: str
) -> None:
    client = staff_client(role)
    response = client.post("/staff/campaigns/1/invite", data={"csrf_token": csrf_token(client, "/staff/")})
    assert response.status_code == 403
