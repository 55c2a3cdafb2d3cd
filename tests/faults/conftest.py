"""What the fault tests share: a PostgreSQL schema whose servers are all gone afterwards, and HAProxy."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest

INSTALL_HAPROXY = Path(__file__).resolve().parents[2] / "scripts" / "install-haproxy.sh"


def processes_naming(marker: str) -> list[int]:
    """Every process whose environment or command line names ``marker``, this one excepted."""
    found = []
    for process in Path("/proc").glob("[0-9]*"):
        with suppress(OSError):
            if int(process.name) == os.getpid():
                continue
            if any(marker.encode() in (process / part).read_bytes() for part in ("environ", "cmdline")):
                found.append(int(process.name))
    return found


@pytest.fixture
def served_schema(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A fresh PostgreSQL schema (see ``database_url``); afterwards no process of the run is left.

    Servers carry the schema in their DATABASE_URL; anything else the run starts names
    ``tmp_path`` on its command line (the balancer's configuration lives there).
    """
    yield database_url
    schema = database_url.rsplit("application_name=", 1)[-1]
    for marker in (schema, str(tmp_path)):
        for pid in processes_naming(marker):
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def haproxy() -> None:
    """Debian's HAProxy, installed once per run when missing (root or sudo), before any run is timed."""
    subprocess.run([str(INSTALL_HAPROXY)], check=True)
