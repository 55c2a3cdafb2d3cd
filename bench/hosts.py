"""Several hosts, for real: the hiring day through HAProxy while one host is killed -9 and all are redeployed.

    .venv/bin/python -m bench.hosts                          # 3 hosts x 3 workers, 1,000 candidates
    .venv/bin/python -m bench.hosts --hosts 2 --candidates 40 --no-rolling-restart

Every host is `assess serve` on its own loopback address (bench/deployment.py), all on one
PostgreSQL database, the rate limits counted in the machine's Redis, HAProxy in front
(bench/balancer.py). In the middle of the load (measured in acknowledged saves): kill -9 one
whole host, master and workers at once. While it is down, a few candidates who pressed Start
almost a minute earlier run out their clock: their deadline passes, their late save is
refused, and the sweep of the surviving hosts must finalize them before the host is started
again. Later, a rolling deploy: each host in turn is drained in HAProxy, stopped, started and
put back once its health check passes. Then the fault run's checks (bench/checks.py): every
acknowledged save against the database, no late write, every expired attempt finalized within a
minute, no candidate failing beyond its retries. Exit status 0 only if all of that holds.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
import redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assess import STATUS_POLL_SECONDS
from assess.models import Attempt
from assess.services.attempt_start import create_attempt
from assess.services.invitations import open_link, token_hash
from bench.checks import Check, invariant_checks, ledger_figures, print_ledger
from bench.client import Behaviour, Candidate, Ledger, Stats
from bench.deployment import Deployment, HostRestart, deployment
from bench.faults import expected_saves, when_acknowledged
from bench.harness import (
    DEADLINE_CAMPAIGN,
    DEADLINE_FORM,
    GRACE_SECONDS,
    MAIN_CAMPAIGN,
    MAIN_FORM,
    Verdict,
    bench_database,
    catalogue,
    invite,
    log,
    percentile,
    server_env,
    sessions,
    shown,
    stop_on_sigterm,
    verify,
    wait_for_deadlines,
)
from bench.scenario import Outcome, connection_pool, hiring_day

#: The one-minute form's limit: an expiring candidate pressed Start this long before the deadline.
FORM_SECONDS = 60
EXPIRING_CAMPAIGN = "bench-expiring"
#: How long the surviving hosts have to finalize the expired attempts: the check's minute, and a margin.
FINALIZE_TIMEOUT = 75


@dataclass
class Disruptions:
    """What was done to the hosts, when (in acknowledged saves) and how long each step took."""

    killed: str = ""
    processes_killed: int = 0
    seconds_until_down: float = 0.0
    outage_seconds: float = 0.0
    back_seconds: float = 0.0
    expiring_finalized_while_down: int = 0
    retries_during_outage: int = 0
    outage_mid_load: bool = False
    #: Seconds the hiring day went on after the killed host was back (negative: it had ended before).
    load_after_return: float = 0.0
    #: time.monotonic() when the killed host was back in rotation.
    returned_at: float = 0.0
    #: Requests the killed host had been sent when it came back, and in all: what it served after.
    served_at_return: int = 0
    deploy: list[HostRestart] = field(default_factory=list)
    deploy_seconds: float = 0.0
    retries_during_deploy: int = 0
    deploy_mid_load: bool = False
    requests_served: dict[str, int] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)


@dataclass
class Expiring:
    """Candidates whose deadline passes while a host is down, and how they fared."""

    count: int
    lead_seconds: float
    outcome: Outcome = field(default_factory=Outcome)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


def start_long_ago(session_factory: sessionmaker[Session], count: int, lead: float) -> dict[str, int]:
    """``count`` candidates invited and started (through the services, as the demo's sittings are)
    a minute minus ``lead`` ago; token -> attempt id.

    A form lasts at least a minute: starting in the past puts the deadline ``lead`` seconds from
    now, inside the outage, without a minute's wait in the run.
    """
    started = datetime.now(UTC) - timedelta(seconds=FORM_SECONDS - lead)
    tokens = invite(session_factory, EXPIRING_CAMPAIGN, DEADLINE_FORM, count, started - timedelta(seconds=5))
    forms = catalogue()
    attempts = {}
    with session_factory() as session:
        for token in tokens:
            invitation, _ = open_link(session, token, started)
            attempts[token] = create_attempt(session, invitation, forms, started, random.Random(token)).id
    return attempts


def wait_finalized(session_factory: sessionmaker[Session], attempt_ids: list[int], timeout: float) -> int:
    """Until the sweep has finalized every one of ``attempt_ids``, or ``timeout``; how many it has."""
    stop = time.monotonic() + timeout
    while True:
        with session_factory() as session:
            done = session.scalar(
                select(func.count()).where(
                    Attempt.id.in_(attempt_ids),
                    Attempt.finalized_at.is_not(None),
                    Attempt.finalized_by == "deadline",
                )
            )
        if done == len(attempt_ids) or time.monotonic() > stop:
            return int(done or 0)
        time.sleep(0.5)


def _retries(stats: Stats) -> int:
    return sum(stats.errors.values())


async def disrupt(
    run: Deployment,
    session_factory: sessionmaker[Session],
    expiring: Expiring,
    behaviour: Behaviour,
    ledger: Ledger,
    stats: Stats,
    plan: dict[str, int | None],
    done: Disruptions,
    over: asyncio.Event,
    seed: int,
) -> None:
    """kill -9 of a host after ``plan["kill"]`` acks; a rolling deploy after ``plan["deploy"]``."""

    def note(message: str) -> None:
        done.log.append(f"{ledger.acknowledgements} acks: {message}")
        log(message)

    kill_at, deploy_at = plan["kill"], plan["deploy"]
    if kill_at is not None and await when_acknowledged(ledger, kill_at, over):
        name = next(iter(run.hosts))
        began, retried = time.monotonic(), _retries(stats)
        done.killed = name
        done.processes_killed, done.seconds_until_down = await asyncio.to_thread(run.kill, name)
        note(f"kill -9 of {name}, {done.processes_killed} processes; down in haproxy after "
             f"{done.seconds_until_down:.1f} s")  # fmt: skip
        attempts = await asyncio.to_thread(
            start_long_ago, session_factory, expiring.count, expiring.lead_seconds
        )
        connector = connection_pool()
        seeds = random.Random(seed)
        for token in attempts:
            rng = random.Random(seeds.random())
            person = Candidate(token, connector, run.balancer.url, ledger, stats, behaviour, rng)
            expiring.tasks.append(asyncio.create_task(_run_out_the_clock(person, expiring.outcome)))
        done.expiring_finalized_while_down = await asyncio.to_thread(
            wait_finalized, session_factory, list(attempts.values()), FINALIZE_TIMEOUT
        )
        note(f"{done.expiring_finalized_while_down} of {len(attempts)} expired attempts finalized "
             f"by the surviving hosts; starting {name} again")  # fmt: skip
        done.back_seconds = await asyncio.to_thread(run.bring_back, name)
        done.served_at_return = run.requests_served()[name]
        done.outage_seconds = time.monotonic() - began
        done.retries_during_outage = _retries(stats) - retried
        done.outage_mid_load = not over.is_set()
        done.returned_at = time.monotonic()
        note(f"{name} up in haproxy again, {done.outage_seconds:.1f} s after the kill")
        await asyncio.gather(*expiring.tasks)
        await connector.close()
    if deploy_at is not None and await when_acknowledged(ledger, deploy_at, over):
        began, retried = time.monotonic(), _retries(stats)
        note("rolling deploy: drain, stop, start, back in rotation, one host at a time")
        for name in run.hosts:
            step = await asyncio.to_thread(run.restart, name)
            done.deploy.append(step)
            note(f"{name} redeployed: drained {step.drained:.1f} s, stopped {step.stopped:.1f} s, "
                 f"started {step.started:.1f} s, up in haproxy {step.up:.1f} s")  # fmt: skip
        done.deploy_seconds = time.monotonic() - began
        done.retries_during_deploy = _retries(stats) - retried
        done.deploy_mid_load = not over.is_set()


async def _run_out_the_clock(person: Candidate, outcome: Outcome) -> None:
    try:
        await person.run_out_the_clock(GRACE_SECONDS)
        outcome.finished += 1
    except Exception as exc:  # every failure is reported; none stops the others
        outcome.failed.append(f"{person.token[:8]}… (expiring): {type(exc).__name__}: {exc}")
    finally:
        await person.aclose()


def links_counted_in_redis(redis_url: str, tokens: list[str]) -> int:
    """How many of ``tokens`` have a working-link count in Redis (keyed by its hash, never the token)."""
    wanted = {token_hash(token) for token in tokens}
    found: set[str] = set()
    with redis.Redis.from_url(redis_url) as client:
        for key in client.scan_iter(match="*candidate-link*", count=1000):
            found.update(part for part in key.decode().split("/") if part in wanted)
    return len(found)


async def _run(
    run: Deployment,
    session_factory: sessionmaker[Session],
    main_tokens: list[str],
    deadline_tokens: list[str],
    expiring: Expiring,
    behaviour: Behaviour,
    ledger: Ledger,
    stats: Stats,
    plan: dict[str, int | None],
    done: Disruptions,
    seed: int,
) -> Outcome:
    connector = connection_pool()
    over = asyncio.Event()
    chaos = asyncio.create_task(
        disrupt(run, session_factory, expiring, behaviour, ledger, stats, plan, done, over, seed)
    )
    try:
        outcome = await hiring_day(
            run.balancer.url, connector, main_tokens, deadline_tokens, behaviour, ledger, stats, seed
        )
    finally:
        over.set()
        ended = time.monotonic()
        await chaos
        if done.returned_at:
            done.load_after_return = ended - done.returned_at
        await connector.close()
    return outcome


@click.command()
@click.option("--hosts", "host_count", type=click.IntRange(2, 8), default=3, show_default=True)
@click.option("--workers", default=3, show_default=True, help="Sync workers per host.")
@click.option("--candidates", default=1000, show_default=True)
@click.option("--deadline-share", default=0.1, show_default=True, help="Share on the one-minute form.")
@click.option(
    "--expiring", default=20, show_default=True, help="Candidates whose deadline passes while a host is down."
)
@click.option(
    "--lead",
    default=20.0,
    show_default=True,
    help="Seconds from the kill to their deadline: more than an item page takes under the load.",
)
@click.option("--think", default=1.0, show_default=True, help="Mean seconds between a candidate's edits.")
@click.option("--offline", default=0.05, show_default=True)
@click.option("--poll", default=float(STATUS_POLL_SECONDS), show_default=True)
@click.option(
    "--items", default=0, show_default=True, help="Answer only the first N items (0 = all), then submit."
)
@click.option("--kill-at", default=0.2, show_default=True, help="Share of the expected saves; 0: no kill.")
@click.option(
    "--deploy-at", default=0.5, show_default=True, help="Share of the expected saves; 0: no deploy."
)
@click.option("--redis-url", default="redis://127.0.0.1:6379/0", show_default=True)
@click.option("--database-url", default=None, help="Use this (empty) database instead of assess_bench.")
@click.option(
    "--logs",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the hosts' logs and haproxy's configuration [default: a new temporary one].",
)
@click.option(
    "--summary", type=click.Path(dir_okay=False), default=None, help="Also write the figures as JSON here."
)
@click.option("--seed", default=1, show_default=True)
def main(
    host_count: int,
    workers: int,
    candidates: int,
    deadline_share: float,
    expiring: int,
    lead: float,
    think: float,
    offline: float,
    poll: float,
    items: int,
    kill_at: float,
    deploy_at: float,
    redis_url: str,
    database_url: str | None,
    logs: Path | None,
    summary: str | None,
    seed: int,
) -> None:
    """Run the several-hosts benchmark; exit 1 if any check fails (an answer lost or changed ...)."""
    stop_on_sigterm()
    began = time.monotonic()
    behaviour = Behaviour(think_seconds=think, offline_probability=offline, poll_seconds=poll, items=items)
    on_deadline = round(candidates * deadline_share)
    expected = expected_saves(behaviour, candidates - on_deadline, on_deadline)
    plan = {
        "kill": round(expected * kill_at) if kill_at else None,
        "deploy": round(expected * deploy_at) if deploy_at else None,
    }
    late = Expiring(expiring if kill_at else 0, lead)
    done = Disruptions()
    folder = logs or Path(tempfile.mkdtemp(prefix="assess-hosts-"))
    folder.mkdir(parents=True, exist_ok=True)
    with bench_database(database_url) as url:
        log(f"database {shown(url)}; logs and the haproxy configuration in {folder}")
        env = {**server_env(url), "ASSESS_RATELIMIT_STORAGE": redis_url}
        with deployment(host_count, workers, env, folder) as run:
            log(f"{host_count} hosts x {workers} workers behind haproxy at {run.balancer.url}")
            with sessions(url) as session_factory:
                now = datetime.now(UTC)
                main_tokens = invite(session_factory, MAIN_CAMPAIGN, MAIN_FORM, candidates - on_deadline, now)
                deadline_tokens = invite(session_factory, DEADLINE_CAMPAIGN, DEADLINE_FORM, on_deadline, now)
                ledger, stats = Ledger(), Stats()
                log(
                    f"hiring day: {len(main_tokens)} + {len(deadline_tokens)} candidates; {late.count} expire"
                )
                outcome = asyncio.run(
                    _run(run, session_factory, main_tokens, deadline_tokens, late, behaviour, ledger, stats,
                         plan, done, seed)
                )  # fmt: skip
                counted = links_counted_in_redis(redis_url, main_tokens + deadline_tokens)
                done.requests_served = run.requests_served()
                log(f"{outcome.finished} finished, {len(outcome.failed)} failed; waiting for the deadlines")
                finalized = wait_for_deadlines(session_factory, timeout=FINALIZE_TIMEOUT)
                verdict = verify(session_factory, ledger, datetime.now(UTC))
            log(f"{verdict.checked} answers checked; stopping the hosts and haproxy")
    everyone = Outcome(outcome.finished + late.outcome.finished, outcome.failed + late.outcome.failed)
    figures = _figures(
        host_count,
        workers,
        candidates,
        late,
        plan,
        done,
        everyone,
        ledger,
        stats,
        verdict,
        finalized,
        counted,
    )
    figures["seconds"] = time.monotonic() - began
    _print(figures)
    if summary:
        Path(summary).write_text(json.dumps(figures, default=str, indent=2), encoding="utf-8")
    sys.exit(0 if all(passed for _, passed, _ in figures["checks"]) else 1)


def _figures(
    host_count: int,
    workers: int,
    candidates: int,
    late: Expiring,
    plan: dict[str, int | None],
    done: Disruptions,
    outcome: Outcome,
    ledger: Ledger,
    stats: Stats,
    verdict: Verdict,
    finalized: bool,
    counted: int,
) -> dict[str, Any]:
    planned: list[Check] = []
    if plan["kill"] is not None:
        planned.append(
            (
                "a whole host killed -9 mid-load and back in rotation while candidates worked",
                done.outage_mid_load,
                f"{done.killed}: {done.processes_killed} processes, back after {done.outage_seconds:.1f} s",
            )
        )
        planned.append(
            (
                "the surviving hosts' sweep finalized every attempt that expired while the host was down",
                late.count > 0 and done.expiring_finalized_while_down == late.count,
                f"{done.expiring_finalized_while_down} of {late.count}",
            )
        )
    if plan["deploy"] is not None:
        planned.append(
            (
                "every host redeployed one after another while candidates worked",
                done.deploy_mid_load and len(done.deploy) == host_count,
                f"{len(done.deploy)} of {host_count} hosts in {done.deploy_seconds:.1f} s",
            )
        )
    shared = (
        "rate limits counted in the shared Redis",
        counted > 0,
        f"{counted} working links with a count there at the end of the day",
    )
    everyone = candidates + late.count
    return {
        "hosts": host_count,
        "workers": workers,
        "candidates": candidates,
        "expiring": late.count,
        "disruptions": asdict(done),
        **ledger_figures(outcome, ledger, stats, verdict),
        "save_p50": percentile(stats.latencies.get("save", []), 50),
        "save_p99": percentile(stats.latencies.get("save", []), 99),
        "checks": [*planned, shared, *invariant_checks(everyone, outcome, ledger, verdict, finalized)],
    }


def _print(figures: dict[str, Any]) -> None:
    d = figures["disruptions"]
    print()
    print(
        f"assess on {figures['hosts']} hosts x {figures['workers']} workers behind haproxy: "
        f"{figures['candidates']} candidates + {figures['expiring']} expiring, {figures['seconds']:.0f} s"
    )
    for line in d["log"]:
        print(f"  {line}")
    if d["killed"]:
        print(
            f"  outage of {d['killed']}: down in haproxy after {d['seconds_until_down']:.1f} s, back "
            f"{d['outage_seconds']:.1f} s after the kill (start to up {d['back_seconds']:.1f} s); "
            f"{d['retries_during_outage']} requests retried meanwhile; it served "
            f"{d['requests_served'][d['killed']] - d['served_at_return']} requests in the "
            f"{d['load_after_return']:.1f} s the hiring day went on after its return"
        )
    if d["deploy"]:
        print(f"  rolling deploy: {d['deploy_seconds']:.1f} s, {d['retries_during_deploy']} requests retried")
    served = ", ".join(f"{name} {count}" for name, count in d["requests_served"].items())
    print(f"  requests per host (haproxy): {served}")
    print(f"  saves p50 / p99: {figures['save_p50'] * 1000:.0f} / {figures['save_p99'] * 1000:.0f} ms")
    print_ledger(figures)


if __name__ == "__main__":
    main()
