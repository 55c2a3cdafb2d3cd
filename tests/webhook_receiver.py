"""A real HTTP receiver on 127.0.0.1 for webhook tests, and the Standard Webhooks verifier.

The verifier is written from the specification (standardwebhooks.com), not from assess's code:
HMAC-SHA256 keyed with the base64 secret after ``whsec_`` over ``{id}.{timestamp}.{body}``,
compared in constant time with each space-separated ``v1,`` signature, the timestamp within
five minutes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from loopback import QUICK_SHUTDOWN

TOLERANCE_SECONDS = 5 * 60


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    #: Header names lower-cased.
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Records every request; answers each with the next queued reply, then with 200."""

    port: int = 0
    received: list[Received] = field(default_factory=list)
    replies: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/assess"

    def reply_with(self, status: int, headers: dict[str, str] | None = None, times: int = 1) -> None:
        self.replies.extend([(status, headers or {})] * times)

    def next_reply(self) -> tuple[int, dict[str, str]]:
        with self.lock:
            return self.replies.pop(0) if self.replies else (200, {})


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            headers = {name.lower(): value for name, value in self.headers.items()}
            with receiver.lock:
                receiver.received.append(Received(self.command, self.path, headers, body))
            status, extra = receiver.next_reply()
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        do_PATCH = do_POST

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep the test output for failures

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs=QUICK_SHUTDOWN, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


class InvalidSignature(Exception):
    """A delivery's signature does not match its id, timestamp and body."""


def verify(secret: str, headers: Mapping[str, str], body: bytes, now: int) -> Any:
    """The payload, if ``headers`` sign ``body`` with ``secret`` as Standard Webhooks says."""
    message_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        raise InvalidSignature("timestamp too old or too new")
    key = base64.b64decode(secret.split("_", 1)[1])
    signed = f"{message_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for candidate in headers["webhook-signature"].split(" "):
        version, _, signature = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(signature, expected):
            return json.loads(body)
    raise InvalidSignature("no signature matches")
