"""HAProxy in front of several hosts: installed when missing, run in the foreground on a configuration
written here, and driven through its runtime API (a deploy drains a host, a health check says it is up).
"""

from __future__ import annotations

import csv
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from bench.harness import REPO, free_port

INSTALL_SCRIPT = REPO / "scripts" / "install-haproxy.sh"
BACKEND = "hosts"
#: The health check: a static file, so neither the rate limiter nor the database is involved.
HEALTH_PATH = "/static/assess.css"


@dataclass(frozen=True)
class Backend:
    """One host as the balancer knows it."""

    name: str
    address: str
    port: int


def haproxy_binary() -> str:
    """Debian's haproxy, installed by ``scripts/install-haproxy.sh`` when missing (root or sudo)."""
    path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    found = shutil.which("haproxy", path=path)
    if found is None:
        subprocess.run([str(INSTALL_SCRIPT)], check=True)
        found = shutil.which("haproxy", path=path)
    if found is None:
        raise RuntimeError(f"{INSTALL_SCRIPT.name} ran, yet no haproxy is on the path")
    return found


def haproxy_config(port: int, backends: Sequence[Backend], runtime_socket: Path, per_host: int) -> str:
    """The configuration the run uses (the README shows one): every knob is there for a reason below."""
    servers = "\n".join(f"    server {b.name} {b.address}:{b.port}" for b in backends)
    return f"""\
global
    # Each connection takes two descriptors (client and host side); well under the usual limit.
    maxconn 4096
    # The runtime API: the deploy drains a host and reads whether the health check sees it up.
    stats socket {runtime_socket} mode 600 level admin
    hard-stop-after 30s

defaults
    mode http
    timeout connect 2s
    timeout client 130s
    # Above gunicorn's 30 s worker timeout: a slow answer comes from the app, never from here.
    timeout server 60s
    timeout queue 60s
    timeout check 5s
    timeout http-request 10s
    # A host that refuses the connection (killed, restarting) is tried again on another. Only
    # connection failures: a request a host may have begun is never replayed by the balancer;
    # the page repeats it, which is safe for a save (its device and edit number) and a Start.
    retries 3
    retry-on conn-failure
    option redispatch 1
    # The client's address for the rate limiter: `assess serve --forwarded-hops 1` trusts it.
    option forwardfor

frontend candidates
    bind 127.0.0.1:{port}
    default_backend {BACKEND}

backend {BACKEND}
    # No sticky sessions: the app keeps no state in a process, any host serves any request.
    balance leastconn
    option httpchk GET {HEALTH_PATH}
    http-check expect status 200
    # Down at the first refused connection (observe layer4), or after two failed checks a
    # second apart; up again after two good checks. Without the first, leastconn keeps
    # choosing a dead host (it has the fewest connections) until the checks catch up.
    # At most `maxconn` requests wait at a host's sync workers; the rest queue here, where
    # a host that goes down cannot take them with it.
    default-server check inter 1s fastinter 500ms downinter 1s fall 2 rise 2 maxconn {per_host}
    default-server observe layer4 error-limit 1 on-error mark-down
{servers}
"""


@dataclass
class Balancer:
    """HAProxy in the foreground (never the system service), on a configuration file of the run."""

    backends: list[Backend]
    per_host: int
    folder: Path
    log_file: IO[str]
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def runtime_socket(self) -> Path:
        return self.folder / "haproxy.sock"

    @property
    def config_path(self) -> Path:
        return self.folder / "haproxy.cfg"

    def start(self, attempts: int = 3) -> None:
        """Write the configuration and run HAProxy; on a fresh port if another process took the last one."""
        binary = haproxy_binary()
        for attempt in range(attempts):
            self.port = free_port()
            text = haproxy_config(self.port, self.backends, self.runtime_socket, self.per_host)
            self.config_path.write_text(text, encoding="utf-8")
            self.process = subprocess.Popen(
                [binary, "-db", "-f", str(self.config_path)],
                stdout=self.log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                self._wait_ready(timeout=15)
                return
            except RuntimeError:
                self.stop()
                if attempt == attempts - 1:
                    raise

    def _wait_ready(self, timeout: float) -> None:
        stop = time.monotonic() + timeout
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"haproxy exited with {self.process.returncode}; see its log")
            with suppress(OSError):
                self.command("show info")
                return
            if time.monotonic() > stop:
                raise RuntimeError(f"haproxy did not answer within {timeout} s")
            time.sleep(0.1)

    def command(self, line: str) -> str:
        """One runtime API command and its whole answer."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as api:
            api.settimeout(5)
            api.connect(str(self.runtime_socket))
            api.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := api.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def servers(self) -> dict[str, dict[str, str]]:
        """Each host's row of ``show stat``: status (UP, DOWN, DRAIN, MAINT), scur, stot ..."""
        lines = self.command("show stat").lstrip("# ").splitlines()
        return {
            row["svname"]: row
            for row in csv.DictReader(lines)
            if row["pxname"] == BACKEND and row["svname"] not in ("FRONTEND", "BACKEND")
        }

    def set_state(self, name: str, state: str) -> None:
        """``ready``, ``drain`` (no new requests) or ``maint``."""
        answer = self.command(f"set server {BACKEND}/{name} state {state}").strip()
        if answer:
            raise RuntimeError(f"haproxy refused to set {name} {state}: {answer}")

    def wait_for(self, name: str, status: str, timeout: float) -> float:
        """Until the balancer's view of ``name`` starts with ``status`` (UP, DOWN ...); seconds waited."""
        began = time.monotonic()
        while not self.servers()[name]["status"].startswith(status):
            if time.monotonic() - began > timeout:
                raise RuntimeError(f"{name} not {status} in haproxy after {timeout} s")
            time.sleep(0.1)
        return time.monotonic() - began

    def wait_idle(self, name: str, timeout: float) -> float:
        """Until no request is in progress or queued at ``name`` (after a drain); seconds waited."""
        began = time.monotonic()
        while True:
            row = self.servers()[name]
            if row["scur"] == "0" and row["qcur"] in ("0", ""):
                return time.monotonic() - began
            if time.monotonic() - began > timeout:
                raise RuntimeError(f"{name} still had {row['scur']} requests after {timeout} s")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
