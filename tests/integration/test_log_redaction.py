"""Candidate links never reach a log line: the app's, its modules', werkzeug's or gunicorn's."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from candidate_client import Candidate
from flask import Flask
from gunicorn.config import Config
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from assess import create_app
from assess.commands.serve import RedactingLogger, gunicorn_options
from assess.config import Settings
from assess.log_redaction import redact
from assess.services.campaigns import create_campaign
from assess.services.invitations import create_invitation
from items.bank import Catalogue

TOKEN = "Zq3xK9_vLm2-Rt8sYp4wNc7dHf1gJb6e"


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        (f"Exception on /t/{TOKEN}/answers/3 [POST]", "Exception on /t/<redacted>/answers/3 [POST]"),
        (
            f'203.0.113.9 - - "GET /t/{TOKEN}?x=1 HTTP/1.1" 404 -',
            '203.0.113.9 - - "GET /t/<redacted>?x=1 HTTP/1.1" 404 -',
        ),
        (f"https://assess.example.com/t/{TOKEN}", "https://assess.example.com/t/<redacted>"),
        (f"/staff/invitations?token={TOKEN}&page=2", "/staff/invitations?token=<redacted>&page=2"),
        ("/staff/campaigns/spring/pipeline", "/staff/campaigns/spring/pipeline"),
    ],
)
def test_tokens_in_paths_and_values_are_redacted(line: str, redacted: str) -> None:
    assert redact(line) == redacted


@pytest.fixture
def failing_app(settings: Settings, clock: Callable[[], Any]) -> Iterator[Flask]:
    """The real app as served: an unhandled error answers 500 and is logged, not raised to the test."""
    app = create_app(
        {
            "SETTINGS": settings,
            "CLOCK": clock,
            "TESTING": True,
            "START_SWEEP": False,
            "PROPAGATE_EXCEPTIONS": False,
        }
    )
    yield app
    app.extensions["assess"].engine.dispose()


def test_an_error_on_a_candidate_page_is_logged_without_the_link(
    failing_app: Flask,
    invite: Callable[..., str],
    session_factory: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
) -> None:
    person = Candidate(failing_app.test_client(), invite())
    person.start()
    # A real fault: the table the item page reads is gone.
    with session_factory() as session:
        session.execute(text("DROP TABLE answers"))
        session.commit()
    with caplog.at_level(logging.INFO):
        assert person.get("/items/1").status_code == 500
        logging.getLogger("werkzeug").info('127.0.0.1 - - "GET %s HTTP/1.1" 500 -', f"{person.base}/items/1")
    assert caplog.records
    assert any("/t/<redacted>/items/1" in record.getMessage() for record in caplog.records)
    assert person.token not in caplog.text
    assert all(person.token not in (record.exc_text or "") for record in caplog.records)


def test_gunicorn_writes_its_error_and_access_lines_without_the_link(tmp_path: Path) -> None:
    config = Config()
    for name, value in gunicorn_options("127.0.0.1:0", 1, "sync", 1, 30).items():
        config.set(name, value)
    config.set("errorlog", str(tmp_path / "error.log"))
    config.set("accesslog", str(tmp_path / "access.log"))
    gunicorn_log = config.logger_class(config)
    assert isinstance(gunicorn_log, RedactingLogger)
    path = f"/t/{TOKEN}/answers/2"
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": path,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": f"https://assess.example.com/t/{TOKEN}/items/2",
    }
    response = SimpleNamespace(status="200 OK", sent=42, headers=[])
    try:
        gunicorn_log.error("Error handling request %s", f"{path}?token={TOKEN}")
        gunicorn_log.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=12))
    finally:
        # gunicorn's loggers are the process's: leave them as they were.
        for logger in (gunicorn_log.error_log, gunicorn_log.access_log):
            for handler in list(logger.handlers):
                logger.removeHandler(handler)
                handler.close()
    error, access = (tmp_path / "error.log").read_text(), (tmp_path / "access.log").read_text()
    assert "Error handling request /t/<redacted>/answers/2?token=<redacted>" in error
    assert '"POST /t/<redacted>/answers/2 HTTP/1.1" 200 42' in access
    assert TOKEN not in error + access


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except urllib.error.URLError:
        # Not listening yet.
        return 0


def test_assess_serve_logs_an_error_on_a_candidate_page_without_the_link(
    tmp_path: Path, catalogue: Catalogue, catalogue_path: Path, form_id: str, clock: Callable[[], Any]
) -> None:
    """The whole chain as deployed: Flask's error line through gunicorn's error log, on stderr."""
    database = f"sqlite:///{tmp_path / 'served.sqlite3'}"
    settings = Settings(database_url=database, secret_key="served", bank_paths=(str(catalogue_path),))
    app = create_app({"SETTINGS": settings, "CLOCK": clock, "TESTING": True, "START_SWEEP": False})
    session_factory = app.extensions["assess"].session_factory
    with session_factory() as session:
        create_campaign(session, "served", "Served", "Account Manager", form_id, catalogue, clock())
        token = create_invitation(session, "served", "served@example.com", clock())[1]
    person = Candidate(app.test_client(), token)
    person.start()
    with session_factory() as session:
        session.execute(text("DROP TABLE answers"))
        session.commit()
    app.extensions["assess"].engine.dispose()

    port = _free_port()
    environ = {
        **os.environ,
        "DATABASE_URL": database,
        "SECRET_KEY": "served",
        "ASSESS_BANKS": str(catalogue_path),
        "ASSESS_HOME": str(tmp_path),
    }
    command = [
        str(Path(sys.executable).with_name("assess")),
        "serve",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
    ]
    server = subprocess.Popen(
        command, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 90
        while _status(f"http://127.0.0.1:{port}/static/assess.css") != 200:
            assert server.poll() is None and time.monotonic() < deadline, "assess serve did not start"
            time.sleep(0.2)
        assert _status(f"http://127.0.0.1:{port}/t/{token}/items/1") == 500
    finally:
        server.terminate()
        try:
            _, stderr = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            _, stderr = server.communicate()
    assert "/t/<redacted>/items/1" in stderr
    assert token not in stderr
