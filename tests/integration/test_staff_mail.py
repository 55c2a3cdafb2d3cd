"""Invitation emails through SMTP when it is configured: sent, recorded, link removed from the copy kept."""

from __future__ import annotations

import re
import socket
import socketserver
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from loopback import QUICK_SHUTDOWN
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import post, signed_in

from assess import create_app
from assess.config import Settings, SmtpSettings, smtp_from_env
from assess.models import OutboxMessage
from assess.services.campaigns import create_campaign
from assess.services.mail import LINK_REMOVED
from items.bank import Catalogue


class SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept a message: a real socket, a real smtplib client."""

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 test ESMTP")
        while raw := self.rfile.readline():
            command = raw.decode().strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.reply("250 test")
            elif command.startswith(("MAIL", "RCPT", "RSET", "NOOP")):
                self.reply("250 OK")
            elif command == "DATA":
                self.reply("354 go ahead")
                lines = []
                while (line := self.rfile.readline().decode()) not in (".\r\n", ""):
                    lines.append(line)
                self.server.received.append("".join(lines))  # type: ignore[attr-defined]
                self.reply("250 queued")
            elif command == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not here")


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, list[str]]]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SmtpHandler)
    server.daemon_threads = True
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs=QUICK_SHUTDOWN, daemon=True)
    thread.start()
    yield server.server_address[1], server.received  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def make_app(settings: Settings, clock: Callable[[], Any]) -> Iterator[Callable[[SmtpSettings], Flask]]:
    apps: list[Flask] = []

    def make(smtp: SmtpSettings) -> Flask:
        app = create_app(
            {"SETTINGS": replace(settings, smtp=smtp), "CLOCK": clock, "TESTING": True, "START_SWEEP": False}
        )
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["assess"].engine.dispose()


@pytest.fixture
def campaign_id(
    session_factory: sessionmaker[Session], catalogue: Catalogue, form_id: str, clock: Any
) -> int:
    with session_factory() as session:
        return create_campaign(session, "am", "AM", "Account Manager", form_id, catalogue, clock()).id


def invite(app: Flask, session_factory: sessionmaker[Session], campaign_id: int) -> str:
    client = signed_in(app, session_factory, "recruiter")
    response = post(
        client,
        f"/staff/campaigns/{campaign_id}/invite",
        {"email": "ana@example.com", "name": "", "extra_time": "1", "valid_days": "14"},
    )
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_smtp_sends_the_invitation_and_keeps_a_copy_without_the_link(
    make_app: Callable[[SmtpSettings], Flask],
    session_factory: sessionmaker[Session],
    campaign_id: int,
    smtp_server: tuple[int, list[str]],
) -> None:
    port, received = smtp_server
    app = make_app(SmtpSettings(host="127.0.0.1", port=port, security="none", sender="jobs@example.com"))
    page = invite(app, session_factory, campaign_id)
    assert "1 email(s) sent." in page
    assert len(received) == 1
    assert "To: ana@example.com" in received[0] and "From: jobs@example.com" in received[0]
    token = re.search(r"/t/([A-Za-z0-9_-]{16,})", received[0])
    assert token is not None
    assert app.test_client().get(f"/t/{token.group(1)}").status_code == 200
    with session_factory() as session:
        message = session.scalars(select(OutboxMessage)).one()
        assert message.sent_at is not None and message.error == ""
        assert token.group(1) not in message.body
        assert LINK_REMOVED in message.body


def test_smtp_failure_is_recorded_and_the_invitation_kept(
    make_app: Callable[[SmtpSettings], Flask], session_factory: sessionmaker[Session], campaign_id: int
) -> None:
    app = make_app(SmtpSettings(host="127.0.0.1", port=free_port(), security="none", timeout_seconds=2))
    page = invite(app, session_factory, campaign_id)
    assert "0 of 1 email(s) sent" in page
    with session_factory() as session:
        message = session.scalars(select(OutboxMessage)).one()
        assert message.sent_at is None
        assert "ConnectionRefusedError" in message.error
        assert "/t/" in message.body  # still there for staff to pass on


def test_smtp_settings_from_the_environment() -> None:
    assert smtp_from_env({}) is None
    smtp = smtp_from_env(
        {
            "ASSESS_SMTP_HOST": "mail.example.com",
            "ASSESS_SMTP_PORT": "465",
            "ASSESS_SMTP_USER": "u",
            "ASSESS_SMTP_PASSWORD": "secret",
            "ASSESS_SMTP_FROM": "jobs@example.com",
        }
    )
    assert smtp == SmtpSettings("mail.example.com", 465, "u", "secret", "jobs@example.com", "ssl")
    assert "secret" not in repr(smtp)
    with pytest.raises(ValueError, match="ASSESS_SMTP_SECURITY"):
        smtp_from_env({"ASSESS_SMTP_HOST": "h", "ASSESS_SMTP_SECURITY": "maybe"})
