"""Several app hosts behind HAProxy on one database: started together, killed whole, restarted one by one.

A host is `assess serve --forwarded-hops 1` (its own gunicorn master and workers, its own
process group) on its own loopback address: host1 on 127.0.0.2, host2 on 127.0.0.3 ...
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.balancer import Backend, Balancer
from bench.harness import ServedApp, free_port

#: How long a host may take to start, or the balancer to see it up or down, before the run fails.
HOST_TIMEOUT = 90


def host_address(index: int) -> str:
    """Loopback addresses from 127.0.0.2 (127.0.0.1 is the balancer's and everyone else's)."""
    return f"127.0.0.{index + 2}"


def serve_command(workers: int) -> list[str]:
    """The production command a host runs behind one balancer."""
    assess = str(Path(sys.executable).with_name("assess"))
    return [assess, "serve", "--workers", str(workers), "--forwarded-hops", "1"]


@dataclass(frozen=True)
class HostRestart:
    """One step of a rolling deploy, in seconds."""

    name: str
    drained: float
    stopped: float
    started: float
    up: float


@dataclass
class Deployment:
    hosts: dict[str, ServedApp]
    balancer: Balancer

    def kill(self, name: str) -> tuple[int, float]:
        """kill -9 a whole host; (processes killed, seconds until the balancer saw it down)."""
        killed = self.hosts[name].kill_host()
        return killed, self.balancer.wait_for(name, "DOWN", HOST_TIMEOUT)

    def bring_back(self, name: str) -> float:
        """Start a host again and wait until the balancer sends it requests; seconds taken."""
        began = time.monotonic()
        self.hosts[name].start(timeout=HOST_TIMEOUT)
        self.balancer.wait_for(name, "UP", HOST_TIMEOUT)
        return time.monotonic() - began

    def restart(self, name: str) -> HostRestart:
        """A deploy's step: drain, stop gracefully, start, wait until the balancer sends it requests again."""
        began = time.monotonic()
        self.balancer.set_state(name, "drain")
        self.balancer.wait_idle(name, HOST_TIMEOUT)
        drained = time.monotonic()
        self.hosts[name].stop()
        stopped = time.monotonic()
        self.hosts[name].start(timeout=HOST_TIMEOUT)
        started = time.monotonic()
        self.balancer.set_state(name, "ready")
        self.balancer.wait_for(name, "UP", HOST_TIMEOUT)
        return HostRestart(
            name,
            drained=drained - began,
            stopped=stopped - drained,
            started=started - stopped,
            up=time.monotonic() - started,
        )

    def requests_served(self) -> dict[str, int]:
        """Requests the balancer has sent each host (its ``stot``), restarts included."""
        return {name: int(row["stot"]) for name, row in self.balancer.servers().items()}


@contextmanager
def deployment(count: int, workers: int, env: dict[str, str], folder: Path) -> Iterator[Deployment]:
    """``count`` hosts started together (the first to come up migrates, under its lock), then HAProxy."""
    with ExitStack() as stack:
        hosts = {}
        for index in range(count):
            name = f"host{index + 1}"
            log_file = stack.enter_context(open(folder / f"{name}.log", "w", encoding="utf-8"))  # noqa: SIM115
            address = host_address(index)
            hosts[name] = ServedApp(serve_command(workers), env, free_port(address), log_file, host=address)
        stack.callback(_stop_all, list(hosts.values()))
        with ThreadPoolExecutor(count) as pool:
            for started in [pool.submit(host.start, HOST_TIMEOUT, 3) for host in hosts.values()]:
                started.result()
        backends = [Backend(name, host.host, host.port) for name, host in hosts.items()]
        balancer_log = stack.enter_context(open(folder / "haproxy.log", "w", encoding="utf-8"))  # noqa: SIM115
        # As many requests at once as a host has sync workers, and one waiting: the rest queue
        # in HAProxy, so no host's backlog holds requests another host could serve.
        balancer = Balancer(backends, per_host=workers + 1, folder=folder, log_file=balancer_log)
        stack.callback(balancer.stop)
        balancer.start()
        for name in hosts:
            balancer.wait_for(name, "UP", HOST_TIMEOUT)
        yield Deployment(hosts, balancer)


def _stop_all(hosts: list[ServedApp]) -> None:
    """Stop every host at once: each graceful stop waits for its workers, and they need not queue."""
    with ThreadPoolExecutor(len(hosts)) as pool:
        for stopped in [pool.submit(host.stop) for host in hosts]:
            stopped.result()
