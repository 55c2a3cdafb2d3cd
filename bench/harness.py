"""What the served benchmarks share: the database, the served app and its options, the baseline,
the invitations, the checks and how a report ends."""

from __future__ import annotations

import asyncio
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import aiohttp
import click
import psycopg
from sqlalchemy import and_, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from assess.answer_fields import answer_fields
from assess.db import make_engine, make_session_factory, sqlalchemy_url
from assess.models import Answer, Attempt, AttemptEvent, AttemptItem, Invitation
from assess.services.attempt_phase import STARTED
from assess.services.attempt_preparation import prepare_attempts
from assess.services.campaigns import create_campaign
from assess.services.catalogue import pinned_item
from assess.services.invitations import new_invitation, token_hash
from bench.client import CONNECTION_ERRORS, Ledger, Stats, closed_loop
from items import registry
from items.bank import Catalogue, ItemVersion, load_banks
from items.base import ResponseError
from scoring.items import parse_response

REPO = Path(__file__).resolve().parent.parent
BANK_PATHS = (str(REPO / "items" / "banks"), str(REPO / "bench" / "banks"))
MAIN_FORM = "account-manager-smb"
DEADLINE_FORM = "bench-deadline"
MAIN_CAMPAIGN = "bench-account-manager"
DEADLINE_CAMPAIGN = "bench-one-minute"
#: Short, so that a deadline passes, its grace ends and the sweep finalizes within one run.
GRACE_SECONDS = 5
SWEEP_SECONDS = 5
DEFAULT_SERVER_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BENCH_DATABASE = "assess_bench"
#: How long one readiness probe may wait for its answer.
PROBE_SECONDS = 15


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


@contextmanager
def bench_database(url: str | None) -> Iterator[str]:
    """The database URL given, or database ``assess_bench`` created now and dropped afterwards."""
    if url:
        yield url
        return
    server = sqlalchemy_url(os.environ.get("BENCH_SERVER_URL", DEFAULT_SERVER_URL))
    conninfo = server.set(drivername="postgresql").render_as_string(hide_password=False)
    # The database name is a constant of this module, never input: no injection to guard against.
    drop = f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)"
    with psycopg.connect(conninfo, autocommit=True) as admin:
        admin.execute(drop)
        admin.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    try:
        yield server.set(database=BENCH_DATABASE).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as admin:
            admin.execute(drop)


def stop_on_sigterm() -> None:
    """SIGTERM ends the run through its ``finally`` clauses, so the server it started is stopped too."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def free_port(host: str = "127.0.0.1") -> int:
    import socket

    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@dataclass
class ServedApp:
    """The app under gunicorn in its own process group, with the kills a fault run needs."""

    command: Sequence[str]
    env: dict[str, str]
    port: int
    log_file: IO[str]
    #: The address it listens on: hosts side by side each take their own loopback address.
    host: str = "127.0.0.1"
    process: subprocess.Popen[bytes] | None = None
    groups: set[int] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 60, attempts: int = 1) -> None:
        """Start the server; with ``attempts`` > 1, on a fresh port each time it fails to come up."""
        for attempt in range(attempts):
            try:
                self._start_once(timeout)
                return
            except RuntimeError:
                if attempt == attempts - 1:
                    raise
                # Most likely another process took the port between free_port() and the bind.
                self.port = free_port(self.host)

    def _start_once(self, timeout: float) -> None:
        self.process = subprocess.Popen(
            [*self.command, "--bind", f"{self.host}:{self.port}"],
            cwd=REPO,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.groups.add(self.process.pid)
        self.wait_ready(timeout)

    def wait_ready(self, timeout: float = 60) -> None:
        """Until the served app answers (a static file, so no rate limit or database is involved)."""
        deadline = time.monotonic() + timeout
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}; see its log")
            try:
                # An http URL of our own server on the loopback, never a file: or custom scheme.
                # A restart mid-run comes up under every client's retries: the probe queues
                # behind them, so a slow answer still means the server is up.
                url = f"{self.url}/static/assess.css"
                with urllib.request.urlopen(url, timeout=PROBE_SECONDS) as response:  # nosec B310
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer within {timeout} s")
            time.sleep(0.2)

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        master = self.process.pid
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with suppress(OSError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == master:
                    pids.append(int(stat.parent.name))
        return pids

    def kill_workers(self) -> int:
        """kill -9 every worker; the master forks new ones."""
        pids = self.worker_pids()
        for pid in pids:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return len(pids)

    def kill_master(self) -> int:
        """kill -9 the master; then, as a supervisor (systemd's control group) would, end its workers."""
        assert self.process is not None
        orphans = self.worker_pids()
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()
        _end_group(self.process.pid, grace=10)
        return len(orphans)

    def kill_host(self) -> int:
        """kill -9 the master and every worker at once, as losing the machine would; how many died."""
        assert self.process is not None
        victims = [self.process.pid, *self.worker_pids()]
        _end_group(self.process.pid, grace=0)
        self.process.wait()
        return len(victims)

    def stop(self) -> None:
        """Stop gracefully, then make sure nothing of any server this run started is left."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
        for group in self.groups:
            _end_group(group, grace=0)


def _end_group(group: int, grace: float) -> None:
    """SIGTERM the process group (requests in progress finish), SIGKILL what is left after ``grace``."""
    if grace:
        with suppress(ProcessLookupError):
            os.killpg(group, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            try:
                os.killpg(group, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
    with suppress(ProcessLookupError):
        os.killpg(group, signal.SIGKILL)


def server_env(database_url: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ASSESS_", "DATABASE_URL", "SECRET_KEY"))
    }
    env.update(
        DATABASE_URL=database_url,
        # Fixed for the run: a restarted server must accept the sessions and CSRF tokens it issued.
        SECRET_KEY=secrets.token_urlsafe(32),
        ASSESS_BANKS=os.pathsep.join(BANK_PATHS),
        ASSESS_GRACE_SECONDS=str(GRACE_SECONDS),
        # Every served app, bench.app or `assess serve`, sweeps this often.
        ASSESS_SWEEP_SECONDS=str(SWEEP_SECONDS),
        PYTHONUNBUFFERED="1",
    )
    return env


def bench_server_command(workers: int, worker_class: str, threads: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "bench.server",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--threads",
        str(threads),
    ]


def pg_restart() -> None:
    """Restart the local PostgreSQL cluster (root on Debian: pg_ctlcluster)."""
    versions = sorted(os.listdir("/etc/postgresql"))
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "restart"],
        check=True,
        capture_output=True,
    )


def catalogue() -> Catalogue:
    return load_banks(BANK_PATHS)


def invite(
    session_factory: sessionmaker[Session], campaign: str, form_id: str, count: int, now: datetime
) -> list[str]:
    """``count`` invitations to a new campaign on ``form_id``, made through the services; their tokens.

    Each attempt is prepared with its invitation, as the staff's bulk invitation does: the
    hiring day's Starts then stamp prepared attempts.
    """
    banks = catalogue()
    with session_factory() as session:
        created = create_campaign(
            session, campaign, f"Benchmark {campaign}", "Account Manager", form_id, banks, now
        )
        valid_for = timedelta(days=14)
        made = [
            new_invitation(session, created, f"candidate{i}@bench.example.com", "", 1, valid_for, now)
            for i in range(count)
        ]
        session.flush()
        prepare_attempts(session, banks, [invitation for invitation, _ in made], random.Random())
        session.commit()
        return [token for _, token in made]


@dataclass
class Verdict:
    """The database compared with what the clients were told."""

    checked: int = 0
    missing: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    #: Stored saves newer than the newest acknowledged one: sent, committed, answer lost in a crash.
    unacknowledged_newer: int = 0
    #: Acknowledgements ("saved") of an answer that was not the one stored at the revision they named.
    false_acknowledgements: list[str] = field(default_factory=list)
    late_writes: list[str] = field(default_factory=list)
    deadline_attempts: int = 0
    unfinalized: list[str] = field(default_factory=list)
    finalized_late: list[str] = field(default_factory=list)
    finalize_delays: list[float] = field(default_factory=list)


class _Expected:
    """What the server stores for posted fields: the same normalise and parse as a save."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._items: dict[tuple[str, str], ItemVersion] = {}

    def response(self, slot: AttemptItem, fields: dict[str, list[str]]) -> Any:
        key = (slot.item_id, slot.version)
        if key not in self._items:
            self._items[key] = pinned_item(self._session, slot.item_id, slot.version)
        item = self._items[key]
        body, _ = item.realize(slot.variant)
        try:
            normalised = registry.get(item.type).normalise(body, answer_fields(fields))
        except ResponseError as exc:
            return f"refused: {exc}"
        if normalised is None:
            return None
        parsed = parse_response(item, normalised.model_dump(mode="json"))
        return None if parsed is None else parsed.model_dump(mode="json")


def verify(
    session_factory: sessionmaker[Session],
    ledger: Ledger,
    now: datetime,
    finalize_within: timedelta = timedelta(minutes=1),
) -> Verdict:
    """Every acknowledged save against the database; late writes; attempts the deadline should have closed."""
    verdict = Verdict()
    with session_factory() as session:
        rows = session.execute(
            select(Invitation.token_hash, Attempt, AttemptItem, Answer)
            # A candidate who failed before their Start left a prepared attempt: nothing to check.
            .join(Attempt, and_(Attempt.invitation_id == Invitation.id, STARTED))
            .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
            .join(
                Answer,
                (Answer.attempt_id == AttemptItem.attempt_id) & (Answer.position == AttemptItem.position),
            )
        ).all()
        by_slot = {(digest, slot.position): (attempt, slot, answer) for digest, attempt, slot, answer in rows}
        expected = _Expected(session)
        for (token, position), (revision, fields) in ledger.acked.items():
            verdict.checked += 1
            where = f"{token[:8]}… item {position + 1}"
            found = by_slot.get((token_hash(token), position))
            if found is None:
                verdict.missing.append(f"{where}: no such slot in the database")
                continue
            _, slot, answer = found
            if answer.revision < revision:
                verdict.missing.append(f"{where}: acknowledged revision {revision}, stored {answer.revision}")
                continue
            if answer.revision > revision:
                # A later save of the same candidate, committed but never acknowledged (a crash).
                newer = ledger.sent.get((token, position, answer.seq))
                if newer is None:
                    verdict.changed.append(f"{where}: stored edit {answer.seq} was never sent")
                    continue
                verdict.unacknowledged_newer += 1
                fields = newer
            if answer.response != expected.response(slot, fields):
                verdict.changed.append(f"{where}: stored {answer.response!r} differs from the save")
        _check_acknowledgements(session, ledger, by_slot, expected, verdict)
        attempts = {attempt.id: attempt for attempt, _, _ in by_slot.values()}
        grace = timedelta(seconds=GRACE_SECONDS)
        for attempt, slot, answer in by_slot.values():
            if answer.saved_at is not None and answer.saved_at > attempt.deadline + grace:
                verdict.late_writes.append(
                    f"attempt {attempt.id} item {slot.position + 1} saved at {answer.saved_at:%H:%M:%S.%f}, "
                    f"deadline {attempt.deadline:%H:%M:%S.%f}"
                )
        for attempt in attempts.values():
            if attempt.deadline + grace >= now:
                continue
            verdict.deadline_attempts += 1
            if attempt.finalized_at is None:
                verdict.unfinalized.append(f"attempt {attempt.id}, deadline {attempt.deadline:%H:%M:%S}")
                continue
            if attempt.finalized_by == "deadline":
                delay = (attempt.finalized_at - attempt.deadline).total_seconds()
                verdict.finalize_delays.append(delay)
                if attempt.finalized_at - attempt.deadline > finalize_within:
                    verdict.finalized_late.append(f"attempt {attempt.id}: {delay:.1f} s after its deadline")
    return verdict


def _check_acknowledgements(
    session: Session,
    ledger: Ledger,
    by_slot: dict[tuple[str, int], tuple[Attempt, AttemptItem, Answer]],
    expected: _Expected,
    verdict: Verdict,
) -> None:
    """Each "saved" named a revision: the save stored at that revision must hold the same answer."""
    attempt_ids = {attempt.id for attempt, _, _ in by_slot.values()}
    stored_edits = (
        {
            (event.attempt_id, event.position, event.seq): event.detail.get("edit")
            for event in session.scalars(
                select(AttemptEvent).where(
                    AttemptEvent.kind == "saved", AttemptEvent.attempt_id.in_(attempt_ids)
                )
            )
        }
        if attempt_ids
        else {}
    )
    for token, position, revision, fields in ledger.acknowledged:
        found = by_slot.get((token_hash(token), position))
        if found is None:
            continue
        attempt, slot, _ = found
        said = expected.response(slot, fields)
        if revision == 0:
            held = None
        else:
            edit = stored_edits.get((attempt.id, position, revision))
            sent = ledger.sent.get((token, position, edit)) if edit is not None else None
            if sent is None:
                verdict.false_acknowledgements.append(
                    f"{token[:8]}… item {position + 1}: revision {revision} unknown"
                )
                continue
            held = expected.response(slot, sent)
        if held != said:
            verdict.false_acknowledgements.append(
                f"{token[:8]}… item {position + 1}: told saved at revision {revision}, "
                "which holds another answer"
            )


def wait_for_deadlines(session_factory: sessionmaker[Session], timeout: float) -> bool:
    """Until no attempt past deadline + grace is still open (the sweep's job), or ``timeout``."""
    stop = time.monotonic() + timeout
    while True:
        with session_factory() as session:
            passed = datetime.now(UTC) - timedelta(seconds=GRACE_SECONDS)
            still_open = session.scalars(
                select(Attempt.id).where(Attempt.finalized_at.is_(None), Attempt.deadline < passed)
            ).first()
        if still_open is None:
            return True
        if time.monotonic() > stop:
            return False
        time.sleep(1)


def percentile(values: Sequence[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


@contextmanager
def sessions(url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(url)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


def server_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options of every benchmark that serves the app: --workers, --worker-class, --threads,
    --database-url and --seed."""
    options = [
        click.option("--workers", default=5, show_default=True),
        click.option(
            "--worker-class", type=click.Choice(["sync", "gthread"]), default="sync", show_default=True
        ),
        click.option("--threads", default=4, show_default=True, help="Threads per gthread worker."),
        click.option(
            "--database-url", default=None, help="Use this (empty) database instead of assess_bench."
        ),
        click.option("--seed", default=1, show_default=True),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def server_name(workers: int, worker_class: str, threads: int) -> str:
    return f"{workers} {worker_class} workers" + (
        f" x {threads} threads" if worker_class == "gthread" else ""
    )


async def baseline_phase(
    base_url: str, connector: aiohttp.BaseConnector, stats: Stats, concurrency: int, seconds: float
) -> float:
    """The bare baseline: ``concurrency`` clients commit one row each, back to back; commits a second."""
    client = aiohttp.ClientSession(base_url, connector=connector, connector_owner=False)
    loop = asyncio.get_running_loop()

    async def commit(_: int) -> None:
        sent = loop.time()
        try:
            async with client.post("/bench/commit") as response:
                await response.read()
                status = response.status
        except CONNECTION_ERRORS as exc:
            stats.error("baseline", type(exc).__name__)
            return
        if status != 200:
            stats.error("baseline", f"HTTP {status}")
            return
        stats.add("baseline", loop.time() - sent)

    try:
        done, elapsed = await closed_loop(commit, concurrency, seconds)
    finally:
        await client.close()
    return done / elapsed


def print_checks(checks: list[tuple[str, bool, str]], figures: dict[str, Any]) -> None:
    """A report's last lines: each check passed or failed, then every figure as JSON for tools."""
    for name, passed, detail in checks:
        print(f"  [{'PASS' if passed else 'FAIL'}] {name}: {detail}")
    print()
    print(json.dumps(figures, default=str))
