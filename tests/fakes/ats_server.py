"""What both fake ATSs share: a real HTTP server on 127.0.0.1 in a thread, and a JSON client of ours.

A fake plays the ATS side of the published contract: it calls assess's partner endpoints over
HTTP with its key (HTTP Basic, the key as the user name) and records every request assess sends
back to it.
"""

from __future__ import annotations

import base64
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from loopback import QUICK_SHUTDOWN

TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Received:
    """A request assess sent to the fake ATS."""

    method: str
    path: str
    #: Header names lower-cased.
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Answer:
    """What assess answered a call of the fake ATS."""

    status: int
    body: Any


def basic_header(key: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:".encode()).decode()


def call(method: str, url: str, key: str, body: Any = None) -> Answer:
    """One HTTP request to assess, as the ATS makes it; any status is returned, not raised."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", basic_header(key))
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return Answer(response.status, json.loads(response.read() or b"null"))
    except urllib.error.HTTPError as error:
        return Answer(error.code, json.loads(error.read() or b"null"))


class FakeAtsServer:
    """Serves ``handle(received) -> (status, JSON body)`` on 127.0.0.1; records every request."""

    def __init__(self, handle: Callable[[Received], tuple[int, Any]]) -> None:
        self.received: list[Received] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {name.lower(): value for name, value in self.headers.items()}
                received = Received(self.command, self.path, headers, body)
                with fake.lock:
                    fake.received.append(received)
                status, reply = handle(received)
                payload = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PATCH = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the test's output is for its failures

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs=QUICK_SHUTDOWN, name="fake-ats", daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def requests(self, method: str) -> list[Received]:
        with self.lock:
            return [received for received in self.received if received.method == method]

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(10)
        self.server.server_close()
