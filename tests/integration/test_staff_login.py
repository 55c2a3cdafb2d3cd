"""Staff sign-in: hashed passwords, no hint about which emails exist, secure cookies, sign-out."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import PASSWORD, csrf_token, login, make_user, post, sign_in

from assess.config import Settings
from assess.models import StaffUser
from assess.services.staff import authenticate, create_user


def test_password_is_stored_hashed_and_checked(session_factory: sessionmaker[Session]) -> None:
    user = make_user(session_factory, "recruiter", email="Someone@Example.com")
    with session_factory() as session:
        stored = session.scalars(select(StaffUser)).one()
        assert stored.email == "someone@example.com"
        assert PASSWORD not in stored.password_hash
        assert stored.password_hash.startswith(("scrypt:", "pbkdf2:"))
        assert authenticate(session, "SOMEONE@example.com ", PASSWORD) is not None
        assert authenticate(session, user.email, PASSWORD + "x") is None
        assert authenticate(session, "nobody@example.com", PASSWORD) is None


@pytest.mark.parametrize(
    ("email", "role", "password", "message"),
    [
        ("not-an-email", "recruiter", PASSWORD, "is not an email address"),
        ("a@example.com", "boss", PASSWORD, "unknown role 'boss'"),
        ("a@example.com", "recruiter", "short pass", "at least 12 characters"),
    ],
)
def test_create_user_refuses_bad_input(
    session_factory: sessionmaker[Session], email: str, role: str, password: str, message: str
) -> None:
    with session_factory() as session:
        with pytest.raises(ValueError, match=message):
            create_user(session, email, role, password)
        assert session.scalars(select(StaffUser)).all() == []


def test_create_user_refuses_a_duplicate_email(session_factory: sessionmaker[Session]) -> None:
    make_user(session_factory, "admin", email="dup@example.com")
    with session_factory() as session, pytest.raises(ValueError, match="already exists"):
        create_user(session, "DUP@example.com", "recruiter", PASSWORD)


def test_login_failure_does_not_say_whether_the_email_exists(
    app: Flask, session_factory: sessionmaker[Session]
) -> None:
    user = make_user(session_factory, "recruiter")
    wrong_password = sign_in(app.test_client(), user.email, "wrong password here")
    unknown_email = sign_in(app.test_client(), "nobody@example.com", "wrong password here")
    assert wrong_password.status_code == unknown_email.status_code == 401

    def message(html: str) -> str:
        return html.split('role="alert">', 1)[1].split("<", 1)[0]

    assert message(wrong_password.get_data(as_text=True)) == message(unknown_email.get_data(as_text=True))


def test_login_then_logout(app: Flask, session_factory: sessionmaker[Session]) -> None:
    client = app.test_client()
    assert client.get("/staff/").status_code == 302
    user = login(client, session_factory, "recruiter")
    home = client.get("/staff/")
    assert home.status_code == 200
    assert user.name in home.get_data(as_text=True)
    assert post(client, "/staff/logout").status_code == 302
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login")


def test_login_without_csrf_token_is_refused(app: Flask, session_factory: sessionmaker[Session]) -> None:
    user = make_user(session_factory, "admin")
    client = app.test_client()
    response = client.post("/staff/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/staff/").status_code == 302


def test_session_cookie_is_httponly_and_lax(app: Flask, session_factory: sessionmaker[Session]) -> None:
    client = app.test_client()
    user = make_user(session_factory, "admin")
    response = sign_in(client, user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_session_cookie_is_secure_when_served_over_https(settings: Settings, clock: object) -> None:
    from dataclasses import replace

    from assess import create_app

    app = create_app(
        {
            "SETTINGS": replace(settings, public_url="https://assess.example.com"),
            "CLOCK": clock,
            "TESTING": True,
            "START_SWEEP": False,
        }
    )
    try:
        assert app.config["SESSION_COOKIE_SECURE"] is True
        assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    finally:
        app.extensions["assess"].engine.dispose()


def test_next_only_leads_to_staff_pages(app: Flask, session_factory: sessionmaker[Session]) -> None:
    user = make_user(session_factory, "admin")
    client = app.test_client()
    token = csrf_token(client)
    response = client.post(
        "/staff/login",
        data={"csrf_token": token, "email": user.email, "password": PASSWORD, "next": "//evil.example.com/"},
    )
    assert response.headers["Location"] == "/staff/"


def test_changed_password_ends_older_sessions(app: Flask, session_factory: sessionmaker[Session]) -> None:
    from assess.services.staff import set_password

    client = app.test_client()
    user = login(client, session_factory, "recruiter")
    with session_factory() as session:
        stored = session.get(StaffUser, user.id)
        assert stored is not None
        set_password(session, stored, "another long password", stored.created_at)
    assert client.get("/staff/").status_code == 302


def test_login_returns_to_the_page_asked_for(app: Flask, session_factory: sessionmaker[Session]) -> None:
    user = make_user(session_factory, "recruiter")
    client = app.test_client()
    asked = client.get("/staff/campaigns?x=1")
    assert asked.status_code == 302
    login_page = client.get(asked.headers["Location"]).get_data(as_text=True)
    assert 'name="next" type="hidden" value="/staff/campaigns?x=1"' in login_page
    response = client.post(
        "/staff/login",
        data={
            "csrf_token": csrf_token(client),
            "email": user.email,
            "password": PASSWORD,
            "next": "/staff/campaigns?x=1",
        },
    )
    assert response.headers["Location"] == "/staff/campaigns?x=1"


def test_wrong_role_gets_403_with_its_role_named(app: Flask, session_factory: sessionmaker[Session]) -> None:
    client = app.test_client()
    login(client, session_factory, "author")
    response = client.get("/staff/campaigns")
    assert response.status_code == 403
    assert "Your role (Item author) does not give access to this page." in response.get_data(as_text=True)


def test_inactive_account_cannot_sign_in(app: Flask, session_factory: sessionmaker[Session]) -> None:
    user = make_user(session_factory, "admin")
    with session_factory() as session:
        stored = session.get_one(StaffUser, user.id)
        stored.active = False
        session.commit()
    assert sign_in(app.test_client(), user.email).status_code == 401
