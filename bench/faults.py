"""Fault run: the hiring day of bench/load.py while the server and the database are killed under it.

    .venv/bin/python -m bench.faults                   # 1,000 candidates, every fault
    .venv/bin/python -m bench.faults --candidates 50 --no-kill-master --no-restart-postgres

In the middle of the load (measured in acknowledged saves, so each fault lands while
saves are in flight): kill -9 every gunicorn worker (the master forks new ones); later
kill -9 the master, end its orphaned workers as a supervisor would, and start the server
again; later restart PostgreSQL. Candidates retry what failed, as the page does. Then
every save a client saw acknowledged is compared with the database (zero missing, zero
changed), late writes are looked for, and every attempt past its deadline must have been
finalized by the server within a minute. Exit status 0 only if all of that holds.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from assess import STATUS_POLL_SECONDS
from bench.checks import Check, invariant_checks, ledger_figures, print_ledger
from bench.client import Behaviour, Ledger, Stats
from bench.harness import (
    DEADLINE_CAMPAIGN,
    DEADLINE_FORM,
    MAIN_CAMPAIGN,
    MAIN_FORM,
    ServedApp,
    Verdict,
    bench_database,
    bench_server_command,
    free_port,
    invite,
    log,
    pg_restart,
    server_env,
    sessions,
    shown,
    stop_on_sigterm,
    verify,
    wait_for_deadlines,
)
from bench.scenario import Outcome, connection_pool, hiring_day

#: Saves one candidate of each form makes, roughly: where in the load each fault lands.
SAVES_PER_MAIN_CANDIDATE = 28
SAVES_PER_DEADLINE_CANDIDATE = 15
#: Items on the shipped form.
ITEMS = 14


@dataclass
class Faults:
    """What was done to the server and the database, and how long each took to come back."""

    workers_killed: int = 0
    master_killed: bool = False
    orphans_ended: int = 0
    restart_seconds: float = 0.0
    postgres_restart_seconds: float = 0.0
    log: list[str] = field(default_factory=list)


def expected_saves(behaviour: Behaviour, main_candidates: int, deadline_candidates: int) -> int:
    """About how many saves the hiring day makes: where in the load a share of it falls."""
    per_main = SAVES_PER_MAIN_CANDIDATE * min(behaviour.items or ITEMS, ITEMS) // ITEMS
    return per_main * main_candidates + SAVES_PER_DEADLINE_CANDIDATE * deadline_candidates


async def when_acknowledged(ledger: Ledger, count: int, outcome_done: asyncio.Event) -> bool:
    while ledger.acknowledgements < count:
        if outcome_done.is_set():
            return False
        await asyncio.sleep(0.05)
    return True


async def disrupt(
    app: ServedApp,
    ledger: Ledger,
    expected_saves: int,
    plan: dict[str, bool],
    faults: Faults,
    over: asyncio.Event,
) -> None:
    """The faults, each once a share of the expected saves has been acknowledged."""

    def note(message: str) -> None:
        faults.log.append(f"{ledger.acknowledgements} acks: {message}")
        log(message)

    if plan["kill_workers"] and await when_acknowledged(ledger, expected_saves // 10, over):
        faults.workers_killed = await asyncio.to_thread(app.kill_workers)
        note(f"kill -9 of {faults.workers_killed} workers")
    if plan["kill_master"] and await when_acknowledged(ledger, expected_saves * 35 // 100, over):
        began = time.monotonic()
        faults.orphans_ended = await asyncio.to_thread(app.kill_master)
        faults.master_killed = True
        note(f"kill -9 of the master; {faults.orphans_ended} orphaned workers ended; restarting")
        await asyncio.to_thread(app.start)
        faults.restart_seconds = time.monotonic() - began
        note(f"server back after {faults.restart_seconds:.1f} s")
    if plan["restart_postgres"] and await when_acknowledged(ledger, expected_saves * 60 // 100, over):
        began = time.monotonic()
        note("restarting PostgreSQL")
        await asyncio.to_thread(pg_restart)
        faults.postgres_restart_seconds = time.monotonic() - began
        note(f"PostgreSQL back after {faults.postgres_restart_seconds:.1f} s")


async def _run(
    app: ServedApp,
    main_tokens: list[str],
    deadline_tokens: list[str],
    behaviour: Behaviour,
    ledger: Ledger,
    stats: Stats,
    plan: dict[str, bool],
    faults: Faults,
    seed: int,
) -> Outcome:
    connector = connection_pool()
    over = asyncio.Event()
    expected = expected_saves(behaviour, len(main_tokens), len(deadline_tokens))
    chaos = asyncio.create_task(disrupt(app, ledger, expected, plan, faults, over))
    try:
        outcome = await hiring_day(
            app.url, connector, main_tokens, deadline_tokens, behaviour, ledger, stats, seed
        )
    finally:
        over.set()
        await chaos
        await connector.close()
    return outcome


@click.command()
@click.option("--candidates", default=1000, show_default=True)
@click.option("--deadline-share", default=0.1, show_default=True, help="Share on the one-minute form.")
@click.option("--workers", default=5, show_default=True)
@click.option("--think", default=1.0, show_default=True, help="Mean seconds between a candidate's edits.")
@click.option("--offline", default=0.05, show_default=True)
@click.option("--poll", default=float(STATUS_POLL_SECONDS), show_default=True)
@click.option(
    "--items", default=0, show_default=True, help="Answer only the first N items (0 = all), then submit."
)
@click.option("--kill-workers/--no-kill-workers", default=True, show_default=True)
@click.option("--kill-master/--no-kill-master", default=True, show_default=True)
@click.option("--restart-postgres/--no-restart-postgres", default=True, show_default=True)
@click.option(
    "--serve-command",
    type=click.Choice(["bench", "assess"]),
    default="bench",
    show_default=True,
    help="bench: python -m bench.server; assess: the production `assess serve`.",
)
@click.option("--database-url", default=None, help="Use this (empty) database instead of assess_bench.")
@click.option(
    "--summary", type=click.Path(dir_okay=False), default=None, help="Also write the figures as JSON here."
)
@click.option("--seed", default=1, show_default=True)
def main(
    candidates: int,
    deadline_share: float,
    workers: int,
    think: float,
    offline: float,
    poll: float,
    items: int,
    kill_workers: bool,
    kill_master: bool,
    restart_postgres: bool,
    serve_command: str,
    database_url: str | None,
    summary: str | None,
    seed: int,
) -> None:
    """Run the fault benchmark; exit 1 if an acknowledged answer was lost or changed, or a check fails."""
    stop_on_sigterm()
    behaviour = Behaviour(think_seconds=think, offline_probability=offline, poll_seconds=poll, items=items)
    plan = {"kill_workers": kill_workers, "kill_master": kill_master, "restart_postgres": restart_postgres}
    on_deadline = round(candidates * deadline_share)
    if serve_command == "assess":
        command = [str(Path(sys.executable).with_name("assess")), "serve", "--workers", str(workers)]
    else:
        command = bench_server_command(workers, "sync", 1)
    faults = Faults()
    with (
        bench_database(database_url) as url,
        tempfile.NamedTemporaryFile("w", prefix="assess-faults-", suffix=".log", delete=False) as server_log,
    ):
        log(f"database {shown(url)}; server log {server_log.name}")
        app = ServedApp(command, server_env(url), free_port(), server_log)
        try:
            app.start(attempts=3)
            with sessions(url) as session_factory:
                now = datetime.now(UTC)
                main_tokens = invite(session_factory, MAIN_CAMPAIGN, MAIN_FORM, candidates - on_deadline, now)
                deadline_tokens = invite(session_factory, DEADLINE_CAMPAIGN, DEADLINE_FORM, on_deadline, now)
                ledger, stats = Ledger(), Stats()
                log(f"hiring day: {len(main_tokens)} + {len(deadline_tokens)} candidates; faults: {plan}")
                outcome = asyncio.run(
                    _run(app, main_tokens, deadline_tokens, behaviour, ledger, stats, plan, faults, seed)
                )
                log(f"{outcome.finished} finished, {len(outcome.failed)} failed; waiting for the deadlines")
                finalized = wait_for_deadlines(session_factory, timeout=70)
                verdict = verify(session_factory, ledger, datetime.now(UTC))
        finally:
            app.stop()
    figures = _figures(candidates, plan, faults, outcome, ledger, stats, verdict, finalized)
    _print(figures)
    if summary:
        Path(summary).write_text(json.dumps(figures, default=str, indent=2), encoding="utf-8")
    sys.exit(0 if all(passed for _, passed, _ in figures["checks"]) else 1)


def _figures(
    candidates: int,
    plan: dict[str, bool],
    faults: Faults,
    outcome: Outcome,
    ledger: Ledger,
    stats: Stats,
    verdict: Verdict,
    finalized: bool,
) -> dict[str, Any]:
    done = [name for name, wanted in plan.items() if wanted]
    happened = {
        "kill_workers": faults.workers_killed > 0,
        "kill_master": faults.master_killed,
        "restart_postgres": faults.postgres_restart_seconds > 0,
    }
    planned: Check = (
        "every planned fault happened mid-load",
        all(happened[name] for name in done),
        ", ".join(done) or "none",
    )
    return {
        "candidates": candidates,
        "faults": asdict(faults),
        **ledger_figures(outcome, ledger, stats, verdict),
        "checks": [planned, *invariant_checks(candidates, outcome, ledger, verdict, finalized)],
    }


def _print(figures: dict[str, Any]) -> None:
    print()
    print(f"assess fault run: {figures['candidates']} candidates")
    for line in figures["faults"]["log"]:
        print(f"  {line}")
    print_ledger(figures)


if __name__ == "__main__":
    main()
