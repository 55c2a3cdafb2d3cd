"""Candidates per core at real pace: how many concurrent candidates the served app holds.

    .venv/bin/python -m bench.pace            # the full ramp (about 20 minutes)
    .venv/bin/python -m bench.pace --quick    # a small ramp for development (about 4 minutes)

Serves the app under gunicorn on PostgreSQL (database ``assess_bench``, created and
dropped, as ``bench.load`` does), measures the bare baseline (one row, one commit, 64
clients back to back), then ramps a crowd of candidates at real pace
(``bench/pace_client.py``: each item takes the minutes its bank gives it; every edit
autosaves 400 ms later; the status is polled as often as the page polls it
(``STATUS_POLL_SECONDS``); pages change by the page's own form post). The crowd lives
in ``--clients`` asyncio processes sharing the 2 cores with the server; their CPU is
measured and printed.

The ramp: the first level is ``--page-level`` (1,000: the item page's p99 is reported
there), then the level doubles until save p99 passes 250 ms or an error appears (or
``--max`` is held), then bisects between the last level held and the first missed. A
30-minute test cannot run whole at every level: new candidates arrive at ``--arrivals``
a second, enter the form at a point drawn by its minutes (so the crowd is a test in
steady state, not everyone on item 1), the run settles ``--settle`` seconds and then
measures for ``--hold`` seconds. A candidate who submits is replaced by a new arrival.

Exit status 0 only if the goal (``--goal`` candidates held) and the item page target are met.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from typing import Any

import click

from assess import STATUS_POLL_SECONDS
from bench import cpu
from bench.client import Stats
from bench.harness import (
    BENCH_DATABASE,
    MAIN_CAMPAIGN,
    MAIN_FORM,
    ServedApp,
    baseline_phase,
    bench_database,
    bench_server_command,
    catalogue,
    free_port,
    invite,
    log,
    percentile,
    print_checks,
    server_env,
    server_name,
    server_options,
    sessions,
    shown,
    stop_on_sigterm,
)
from bench.pace_client import Pace, run_client
from bench.scenario import connection_pool

SAVE_P99_LIMIT = 0.250
ITEM_P99_TARGET = 0.100
#: Moodle's published load test: about 125 users per vCPU.
MOODLE_PER_CORE = 125


@dataclass
class Step:
    """One level of the ramp, measured over its hold."""

    level: int
    held: int
    seconds: float
    latencies: dict[str, list[float]]
    errors: dict[str, int]
    client_cpu: list[float]
    server: cpu.CpuWindow

    def p(self, kind: str, q: float) -> float:
        return percentile(self.latencies.get(kind, []), q)

    def count(self, kind: str) -> int:
        return len(self.latencies.get(kind, []))

    @property
    def requests_per_second(self) -> float:
        return sum(len(v) for v in self.latencies.values()) / self.seconds

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def held_up(self) -> bool:
        return self.p("save", 99) <= SAVE_P99_LIMIT and self.error_count == 0

    def row(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "held": self.held,
            "requests_per_second": self.requests_per_second,
            "latency": {
                kind: {"p50": self.p(kind, 50), "p99": self.p(kind, 99), "n": self.count(kind)}
                for kind in self.latencies
            },
            "errors": self.errors,
            "client_cpu_cores": self.client_cpu,
            "server_cores": self.server.workers / self.seconds,
            "postgres_cores": self.server.postgres / self.seconds,
            "machine_busy_share": self.server.machine_busy / self.server.machine_total,
            "held_up": self.held_up,
        }


@dataclass
class Clients:
    """The client processes and the invitation tokens not yet handed out."""

    pipes: list[Connection]
    processes: list[multiprocessing.process.BaseProcess]
    tokens: list[str]
    level: int = 0
    seated: list[int] = field(default_factory=list)

    def send_all(self, *message: Any) -> None:
        for pipe in self.pipes:
            pipe.send(message)

    def grow_to(self, target: int, arrivals: float) -> float:
        """Seat new candidates up to ``target``; returns how long their arrivals take."""
        new = target - self.level
        spread = new / arrivals
        share = [new // len(self.pipes) + (i < new % len(self.pipes)) for i in range(len(self.pipes))]
        for pipe, count in zip(self.pipes, share, strict=True):
            tokens, self.tokens = self.tokens[:count], self.tokens[count:]
            pipe.send(("grow", tokens, spread, True))
        self.level = target
        return spread

    def shrink_to(self, target: int) -> None:
        gone = self.level - target
        share = [gone // len(self.pipes) + (i < gone % len(self.pipes)) for i in range(len(self.pipes))]
        for pipe, count in zip(self.pipes, share, strict=True):
            pipe.send(("shrink", count))
        self.level = target

    def collect(self) -> list[dict[str, Any]]:
        self.send_all("collect")
        reports = []
        for pipe, process in zip(self.pipes, self.processes, strict=True):
            if not pipe.poll(60):
                raise RuntimeError(
                    f"client process {process.pid} did not answer (exit code {process.exitcode})"
                )
            reports.append(pipe.recv())
        return reports

    def stop(self) -> None:
        for pipe in self.pipes:
            try:
                pipe.send(("stop",))
                if pipe.poll(30):
                    pipe.recv()
            except (OSError, EOFError):
                continue  # a client that already exited has nothing to stop; the join below reaps it
        for process in self.processes:
            process.join(10)
            if process.is_alive():
                process.kill()


def start_clients(count: int, url: str, pace: Pace, tokens: list[str], reserve: int, seed: int) -> Clients:
    context = multiprocessing.get_context("spawn")
    pipes, processes = [], []
    for i in range(count):
        ours, theirs = context.Pipe()
        process = context.Process(target=run_client, args=(theirs, url, pace, seed + 1000 * i), daemon=True)
        process.start()
        pipes.append(ours)
        processes.append(process)
    clients = Clients(pipes, processes, tokens)
    for pipe in pipes:
        spare, clients.tokens = clients.tokens[:reserve], clients.tokens[reserve:]
        pipe.send(("reserve", spare))
    return clients


def measure_level(
    app: ServedApp, clients: Clients, level: int, arrivals: float, settle: float, hold: float
) -> Step:
    if level > clients.level:
        spread = clients.grow_to(level, arrivals)
        log(f"level {level}: new candidates arriving over {spread:.0f} s, then {settle:.0f} s to settle")
        time.sleep(spread + settle)
    else:
        clients.shrink_to(level)
        log(f"level {level}: candidates leaving, {settle:.0f} s to settle")
        time.sleep(settle)
    workers = app.worker_pids()
    backends = cpu.postgres_backends(BENCH_DATABASE)
    clients.send_all("reset")
    before = cpu.snapshot(workers, backends)
    time.sleep(hold)
    reports = clients.collect()
    server = cpu.window(before, cpu.snapshot(workers, backends))
    latencies: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    for report in reports:
        for kind, values in report["latencies"].items():
            latencies.setdefault(kind, []).extend(values)
        for what, n in {**report["errors"], **report["failed"]}.items():
            errors[what] = errors.get(what, 0) + n
    seconds = max(r["wall_seconds"] for r in reports)
    step = Step(
        level=level,
        held=sum(r["seated"] for r in reports),
        seconds=seconds,
        latencies=latencies,
        errors=errors,
        client_cpu=[r["cpu_seconds"] / r["wall_seconds"] for r in reports],
        server=server,
    )
    log(
        f"level {level}: {step.held} seated, {step.requests_per_second:.0f} requests/s, "
        f"save p99 {step.p('save', 99) * 1000:.0f} ms, item p99 {step.p('item', 99) * 1000:.0f} ms, "
        f"status p99 {step.p('status', 99) * 1000:.0f} ms, {step.error_count} errors -> "
        f"{'held' if step.held_up else 'missed'}"
    )
    return step


def ramp(
    app: ServedApp,
    clients: Clients,
    first: int,
    most: int,
    bisections: int,
    arrivals: float,
    settle: float,
    hold: float,
) -> list[Step]:
    """Double from ``first`` until a level is missed (or ``most`` is held), then bisect."""
    steps: list[Step] = []
    level = first
    held, missed = 0, 0
    while True:
        step = measure_level(app, clients, level, arrivals, settle, hold)
        steps.append(step)
        if not step.held_up:
            missed = level
            break
        held = level
        if level >= most:
            return steps
        level = min(most, level * 2)
    for _ in range(bisections):
        if missed - held <= max(50, held // 10):
            break
        level = (held + missed) // 2 // 50 * 50 or (held + missed) // 2
        step = measure_level(app, clients, level, arrivals, settle, hold)
        steps.append(step)
        if step.held_up:
            held = level
        else:
            missed = level
    return steps


def largest_held(steps: list[Step]) -> Step | None:
    passed = [s for s in steps if s.held_up]
    return max(passed, key=lambda s: s.level) if passed else None


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.0f}"


def report(figures: dict[str, Any], steps: list[Step]) -> None:
    print()
    print(
        f"assess at real pace: {figures['server']}, {figures['clients']} client processes, "
        f"{figures['cores']} cores"
    )
    b = figures["baseline"]
    print(
        f"  baseline (one row, one commit, 64 clients): {b['per_second']:.0f}/s, "
        f"p50 {b['p50'] * 1000:.0f} ms, p99 {b['p99'] * 1000:.0f} ms"
    )
    print(
        f"  {'level':>6}{'held':>6}{'req/s':>7}{'save p50':>9}{'p99':>6}{'item p50':>9}{'p99':>6}"
        f"{'status p99':>11}{'post p99':>9}{'errors':>7}{'server':>7}{'pg':>5}{'client':>7}{'busy':>6}"
    )
    for s in steps:
        print(
            f"  {s.level:>6}{s.held:>6}{s.requests_per_second:>7.0f}"
            f"{_ms(s.p('save', 50)):>9}{_ms(s.p('save', 99)):>6}"
            f"{_ms(s.p('item', 50)):>9}{_ms(s.p('item', 99)):>6}{_ms(s.p('status', 99)):>11}"
            f"{_ms(s.p('item post', 99)):>9}{s.error_count:>7}{s.server.workers / s.seconds:>7.2f}"
            f"{s.server.postgres / s.seconds:>5.2f}{sum(s.client_cpu):>7.2f}"
            f"{s.server.machine_busy / s.server.machine_total:>6.0%}  {'held' if s.held_up else 'missed'}"
        )
    print(
        "  (latencies in ms; server, pg, client: cores used; busy: the whole machine, others' work included)"
    )
    print_checks(figures["checks"], {**figures, "steps": [s.row() for s in steps]})


def checks(
    figures: dict[str, Any], steps: list[Step], goal: int, page_level: int
) -> list[tuple[str, bool, str]]:
    best = largest_held(steps)
    cores = figures["cores"]
    held = best.level if best else 0
    baseline = figures["baseline"]
    found: list[tuple[str, bool, str]] = []
    detail = f"{held} held ({held / cores:.0f} per core, {held / cores / MOODLE_PER_CORE:.1f} x Moodle's 125)"
    if best is not None:
        detail += (
            f"; {best.requests_per_second:.0f} requests/s = "
            f"{best.requests_per_second / baseline['per_second']:.2f} x "
            f"baseline commits/s; save p99 {best.p('save', 99) * 1000:.0f} ms = "
            f"{best.p('save', 99) / baseline['p99']:.2f} x baseline p99; client used "
            f"{sum(best.client_cpu):.2f} of {cores} cores"
        )
    found.append(
        (f"{goal} concurrent candidates at real pace (save p99 <= 250 ms, no error)", held >= goal, detail)
    )
    at_page = next((s for s in steps if s.level == page_level), None)
    if at_page is not None:
        p99 = at_page.p("item", 99)
        found.append(
            (
                f"item page p99 <= {ITEM_P99_TARGET * 1000:.0f} ms with {page_level} candidates",
                p99 <= ITEM_P99_TARGET,
                f"{p99 * 1000:.0f} ms over {at_page.count('item')} pages "
                f"(p50 {at_page.p('item', 50) * 1000:.0f} ms) "
                f"= {p99 / baseline['p99']:.2f} x baseline p99",
            )
        )
    return found


def form_pace(poll_seconds: float) -> Pace:
    form = catalogue().form(MAIN_FORM)
    items = catalogue().items
    return Pace(
        item_seconds=tuple(float(items[i].minutes) * 60 for i in form.item_ids()), poll_seconds=poll_seconds
    )


@click.command()
@click.option("--quick", is_flag=True, help="A small ramp: 100 candidates first, 20 s holds, at most 800.")
@click.option(
    "--page-level", default=1000, show_default=True, help="First level; the item page's p99 is read here."
)
@click.option("--max", "most", default=8000, show_default=True, help="Stop doubling once this many are held.")
@click.option("--goal", default=5000, show_default=True)
@click.option("--bisections", default=3, show_default=True)
@click.option("--hold", default=60.0, show_default=True, help="Seconds measured at each level.")
@click.option(
    "--settle", default=15.0, show_default=True, help="Seconds after the arrivals before measuring."
)
@click.option("--arrivals", default=100.0, show_default=True, help="New candidates per second while growing.")
@click.option("--clients", default=2, show_default=True, help="Client processes.")
@click.option(
    "--poll", default=float(STATUS_POLL_SECONDS), show_default=True, help="Status poll interval (the page's)."
)
@server_options
def main(
    quick: bool,
    page_level: int,
    most: int,
    goal: int,
    bisections: int,
    hold: float,
    settle: float,
    arrivals: float,
    clients: int,
    workers: int,
    worker_class: str,
    threads: int,
    poll: float,
    database_url: str | None,
    seed: int,
) -> None:
    """Ramp candidates at real pace; print the most held per core against the baseline of the same run."""
    stop_on_sigterm()
    if quick:
        page_level, most, hold, settle, bisections = 100, min(most, 800), 20.0, 5.0, 1
    pace = form_pace(poll)
    reserve = max(20, most // 10) // clients
    with (
        bench_database(database_url) as url,
        tempfile.NamedTemporaryFile("w", prefix="assess-pace-", suffix=".log", delete=False) as server_log,
    ):
        log(f"database {shown(url)}; server log {server_log.name}")
        app = ServedApp(
            bench_server_command(workers, worker_class, threads), server_env(url), free_port(), server_log
        )
        crowd: Clients | None = None
        try:
            app.start(attempts=3)
            with sessions(url) as session_factory:
                needed = most + reserve * clients
                began = time.monotonic()
                tokens = invite(session_factory, MAIN_CAMPAIGN, MAIN_FORM, needed, datetime.now(UTC))
                log(f"{needed} invitations in {time.monotonic() - began:.0f} s; serving at {app.url}")
            stats = Stats()
            log("baseline: 64 clients committing one row each, 10 s")
            per_second = asyncio.run(_baseline(app.url, stats))
            baseline = {
                "per_second": per_second,
                "p50": percentile(stats.latencies["baseline"], 50),
                "p99": percentile(stats.latencies["baseline"], 99),
                "errors": sum(stats.errors.values()),
            }
            crowd = start_clients(clients, app.url, pace, tokens, reserve, seed)
            steps = ramp(app, crowd, page_level, most, bisections, arrivals, settle, hold)
        finally:
            if crowd is not None:
                crowd.stop()
            app.stop()
    figures: dict[str, Any] = {
        "server": server_name(workers, worker_class, threads),
        "clients": clients,
        "cores": os.cpu_count() or 1,
        "baseline": baseline,
        "form_minutes": sum(pace.item_seconds) / 60,
        "hold_seconds": hold,
        "poll_seconds": poll,
        "date": f"{datetime.now(UTC):%Y-%m-%d}",
    }
    figures["checks"] = checks(figures, steps, goal, page_level)
    report(figures, steps)
    sys.exit(0 if all(passed for _, passed, _ in figures["checks"]) else 1)


async def _baseline(url: str, stats: Stats) -> float:
    connector = connection_pool()
    try:
        return await baseline_phase(url, connector, stats, 64, 10.0)
    finally:
        await connector.close()


if __name__ == "__main__":
    main()
