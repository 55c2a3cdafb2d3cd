"""``assess serve``: the app under gunicorn on the configured database.

What runs where (README, "Serving"):

- the gunicorn master, once, before any worker forks: the schema upgrade (``create_app`` runs
  Alembic under a PostgreSQL advisory lock, so hosts starting together upgrade once), the bank
  catalogue, the app itself (``preload_app``). It opens no database connection for the app and
  runs no thread, so a fork never copies a live connection or a held lock.
- every worker: requests, with its own connection pool (opened lazily after the fork), and a
  deadline-sweep thread. Each sweep round first tries a PostgreSQL advisory lock without
  waiting: of all the workers of all the hosts on one database, one sweeps at a time and the
  others skip the round. Finalization is a conditional UPDATE, so even two sweeps at once would
  finalize each attempt once; the lock only keeps them from grading the same batch in parallel.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

import click
from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger as GunicornLogger
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.middleware.proxy_fix import ProxyFix

from assess.clock import Clock
from assess.log_redaction import attach_redactor
from assess.sweep import DeadlineSweep

#: Any fixed number other than the migrations' lock: the one sweeper of the whole deployment holds it.
SWEEP_LOCK_KEY = 4_151_205

#: Chosen with bench/load.py on 2 cores (300 candidates, runs interleaved): 5 sync workers ended
#: the Start storm in 2.6-4.1 s, 2 gthread workers x 4 threads in 4.6-6.2 s; gthread saved about
#: 10 % more per second when saturated. The storm is the hiring day's bottleneck: sync, 2 per core + 1.
WORKER_CLASSES = ("sync", "gthread")

#: assess.db's pool per engine (pool_size 5 + max_overflow 10): the most connections one worker may hold.
POOL_CAPACITY = 15
#: The sweep holds two while it runs: its advisory-lock connection and its session's.
SWEEP_CONNECTIONS = 2


def default_workers() -> int:
    return 2 * (os.cpu_count() or 1) + 1


def connections_per_worker(worker_class: str, threads: int) -> int:
    """The PostgreSQL connections one worker opens at most: one per request in flight, plus the sweep's.

    The pool opens connections lazily, so this, not the pool's size, is what a worker holds;
    hosts x workers x this must stay below the server's max_connections (100 by default).
    """
    return (threads if worker_class == "gthread" else 1) + SWEEP_CONNECTIONS


class ExclusiveSweep(DeadlineSweep):
    """A deadline sweep that runs a round only while it holds the deployment-wide sweep lock."""

    def __init__(
        self,
        engine: Engine,
        session_factory: sessionmaker[Session],
        clock: Clock,
        grace_seconds: int,
        interval_seconds: float,
        *,
        allow_private_targets: bool = False,
    ) -> None:
        super().__init__(
            session_factory,
            clock,
            grace_seconds,
            interval_seconds,
            allow_private_targets=allow_private_targets,
        )
        self._engine = engine

    def sweep_once(self) -> int:
        # A session-level lock on its own connection: a worker killed mid-round loses its
        # connection, and PostgreSQL releases the lock with it.
        with self._engine.connect() as connection:
            if not connection.scalar(select(func.pg_try_advisory_lock(SWEEP_LOCK_KEY))):
                return 0
            try:
                return super().sweep_once()
            finally:
                connection.scalar(select(func.pg_advisory_unlock(SWEEP_LOCK_KEY)))


def make_sweep(app: Flask) -> DeadlineSweep:
    """The sweep a worker runs: exclusive on PostgreSQL; on SQLite the database serializes writers."""
    state = app.extensions["assess"]
    settings = state.settings
    allow_private = bool(app.config["ALLOW_PRIVATE_WEBHOOK_TARGETS"])
    if state.engine.dialect.name == "postgresql":
        return ExclusiveSweep(
            state.engine,
            state.session_factory,
            state.clock,
            settings.grace_seconds,
            settings.sweep_interval_seconds,
            allow_private_targets=allow_private,
        )
    return DeadlineSweep(
        state.session_factory,
        state.clock,
        settings.grace_seconds,
        settings.sweep_interval_seconds,
        allow_private_targets=allow_private,
    )


class RedactingLogger(GunicornLogger):
    """gunicorn's error and access logs, candidate tokens redacted from every line (assess.log_redaction)."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        # setup runs again on a configuration reload and replaces the handlers: attach again.
        attach_redactor([self.error_log, self.access_log])


class GunicornServer(BaseApplication):
    """gunicorn serving one app, built once in the master by ``app_factory`` and forked."""

    def __init__(self, app_factory: Callable[[], Flask], options: Mapping[str, Any]) -> None:
        self._app_factory = app_factory
        self._options = dict(options)
        self._flask_app: Flask | None = None
        super().__init__()

    def load_config(self) -> None:
        for name, value in self._options.items():
            self.cfg.set(name, value)
        self.cfg.set("preload_app", True)
        if "control_socket_disable" in self.cfg.settings:
            # gunicorn 24+ opens one control socket per user by default; servers side by side
            # (several instances, the benchmark, the tests) would take each other's.
            self.cfg.set("control_socket_disable", True)
        self.cfg.set("post_fork", self._post_fork)
        self.cfg.set("post_worker_init", self._post_worker_init)
        self.cfg.set("worker_exit", self._worker_exit)

    def load(self) -> Flask:
        if self._flask_app is None:
            self._flask_app = self._app_factory()
        return self._flask_app

    def _post_fork(self, server: Any, worker: Any) -> None:
        # The master's pool holds nothing today; dispose(close=False) keeps it that way in the
        # child without touching any connection the parent might own (SQLAlchemy's fork recipe).
        self.load().extensions["assess"].engine.dispose(close=False)

    def _post_worker_init(self, worker: Any) -> None:
        sweep = make_sweep(self.load())
        sweep.start()
        worker.assess_sweep = sweep

    def _worker_exit(self, server: Any, worker: Any) -> None:
        sweep: DeadlineSweep | None = getattr(worker, "assess_sweep", None)
        if sweep is not None:
            sweep.stop(timeout=5)


def serving_app(forwarded_hops: int = 0, config: Mapping[str, Any] | None = None) -> Flask:
    """The production app: no sweep in the master (workers run it after the fork)."""
    from assess import create_app

    app = create_app({**(config or {}), "START_SWEEP": False})
    if forwarded_hops:
        # Behind a load balancer, the client's address (the rate limiter's key) and scheme
        # come from the X-Forwarded-* headers its last ``forwarded_hops`` proxies set.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=forwarded_hops, x_proto=forwarded_hops, x_host=forwarded_hops
        )
    return app


def gunicorn_options(
    bind: str, workers: int, worker_class: str, threads: int, timeout: int
) -> dict[str, Any]:
    options: dict[str, Any] = {
        "bind": bind,
        "workers": workers,
        "worker_class": worker_class,
        "timeout": timeout,
        "graceful_timeout": 10,
        # A hiring day opens a thousand links within a second: let the kernel queue them all.
        "backlog": 2048,
        "accesslog": None,
        "errorlog": "-",
        "proc_name": "assess",
        # Its request lines name candidate links (/t/<token>/...); the app's own loggers are
        # redacted by create_app.
        "logger_class": RedactingLogger,
    }
    if worker_class == "gthread":
        options["threads"] = threads
    return options


@click.command("serve")
@click.option("--bind", default="127.0.0.1:8000", show_default=True, help="HOST:PORT to listen on.")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes [default: 2 x cores + 1].",
)
@click.option(
    "--worker-class",
    type=click.Choice(WORKER_CLASSES),
    default="sync",
    show_default=True,
    help="sync: one request per process; gthread: --threads requests per process.",
)
@click.option("--threads", type=click.IntRange(1, 32), default=4, show_default=True, help="For gthread.")
@click.option(
    "--timeout", type=click.IntRange(5, 600), default=30, show_default=True, help="Worker timeout, seconds."
)
@click.option(
    "--forwarded-hops",
    type=click.IntRange(0, 5),
    default=0,
    show_default=True,
    help="Proxies in front (a load balancer = 1) whose X-Forwarded-For/-Proto to trust.",
)
def serve(
    bind: str, workers: int | None, worker_class: str, threads: int, timeout: int, forwarded_hops: int
) -> None:
    """Serve the app under gunicorn on DATABASE_URL (migrations applied first, once)."""
    workers = workers or default_workers()
    per_worker = connections_per_worker(worker_class, threads)
    if per_worker > POOL_CAPACITY:
        raise click.UsageError(
            f"{threads} threads need {per_worker} database connections per worker; "
            f"the pool holds {POOL_CAPACITY}: use fewer threads and more workers"
        )
    click.echo(
        f"assess: {workers} {worker_class} worker(s), at most {per_worker} database connection(s) each, "
        f"{workers * per_worker} for this host",
        err=True,
    )
    options = gunicorn_options(bind, workers, worker_class, threads, timeout)
    GunicornServer(lambda: serving_app(forwarded_hops), options).run()
