"""A served app as the browser tests see it, and waiting for what the server does on its own."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any, TypeVar

from flask import Flask
from loopback import QUICK_SHUTDOWN
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.serving import BaseWSGIServer, make_server

from assess.models import Answer, Attempt, Invitation
from assess.services.invitations import create_invitation, token_hash
from assess.services.staff import create_user

CAMPAIGN = "browser-campaign"
#: The password of the staff accounts the browser tests make.
PASSWORD = "browser tests password"
#: Short, so a test waits seconds, not the production half minute, for the grace to pass.
GRACE_SECONDS = 5

T = TypeVar("T")


class ServerThread:
    """One app served by werkzeug from a thread; ``stop`` is what killing the process would do to it.

    After ``stop`` the app answers nothing more: a page still open keeps its kept-alive
    connections, whose threads would otherwise go on serving its polls from the stopped app, with
    database connections nobody closes (a ResourceWarning that failed some later test).
    """

    def __init__(self, app: Flask, port: int) -> None:
        self.app = app
        self._requests = threading.Condition()
        self._in_flight = 0
        self.stopped = False
        self.server: BaseWSGIServer = make_server("127.0.0.1", port, self._serve, threaded=True)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs=QUICK_SHUTDOWN, name="live-server", daemon=True
        )
        self.thread.start()

    def _serve(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        with self._requests:
            if self.stopped:
                start_response("503 Service Unavailable", [("Connection", "close"), ("Content-Length", "0")])
                return []
            self._in_flight += 1
        try:
            body = self.app(environ, start_response)
            try:
                return [b"".join(body)]
            finally:
                close = getattr(body, "close", None)
                if close is not None:
                    close()
        finally:
            with self._requests:
                self._in_flight -= 1
                self._requests.notify_all()

    def stop(self) -> None:
        with self._requests:
            if self.stopped:
                return
            self.stopped = True
            # Requests under way finish (and give their database connections back) first.
            self._requests.wait_for(lambda: self._in_flight == 0, timeout=10)
        self.server.shutdown()
        self.thread.join(10)
        self.server.server_close()
        sweep = self.app.extensions.get("assess.sweep")
        if sweep is not None:
            sweep.stop()
        self.app.extensions["assess"].engine.dispose()


@dataclass
class LiveServer:
    """One served app, with what a test needs to set up invitations and read the database."""

    url: str
    app: Flask
    clock: Any
    session_factory: sessionmaker[Session]
    stop: Callable[[], None]

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def invite(
        self,
        email: str = "candidate@example.com",
        extra_time: Decimal = Decimal(1),
        valid_for: timedelta = timedelta(days=14),
    ) -> str:
        """A new invitation's link."""
        with self.session_factory() as session:
            _, token = create_invitation(session, CAMPAIGN, email, self.clock(), extra_time, valid_for)
        return f"{self.url}/t/{token}"

    def attempt(self, link: str) -> Attempt | None:
        with self.session_factory() as session:
            invitation = session.scalars(
                select(Invitation).where(Invitation.token_hash == token_hash(link.rsplit("/", 1)[-1]))
            ).one()
            return session.scalars(
                select(Attempt).where(Attempt.invitation_id == invitation.id)
            ).one_or_none()

    def answers(self, link: str) -> dict[int, Any]:
        """position -> stored response."""
        attempt = self.attempt(link)
        assert attempt is not None
        with self.session_factory() as session:
            rows = session.scalars(select(Answer).where(Answer.attempt_id == attempt.id)).all()
            return {row.position: row.response for row in rows}


def sign_in(page: Page, url: str, email: str, password: str = PASSWORD, name: str = "") -> None:
    """``page`` signed in through the staff login form; the welcome names ``name`` when given."""
    page.goto(f"{url}/staff/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Welcome, {name}" if name else "Welcome")


def sign_in_as_new(page: Page, server: LiveServer, role: str, email: str = "", name: str = "") -> None:
    """A new account of ``role`` signed in on ``page``: ``<role>@example.com``, "Pat <Role>" unless given."""
    email = email or f"{role}@example.com"
    name = name or f"Pat {role.title()}"
    with server.session_factory() as session:
        create_user(session, email, role, PASSWORD, name=name)
    sign_in(page, server.url, email, name=name)


def wait_for(check: Callable[[], T], timeout: float = 10, interval: float = 0.1) -> T:
    """``check()``'s first truthy value; fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still {value!r} after {timeout} s")
        time.sleep(interval)
