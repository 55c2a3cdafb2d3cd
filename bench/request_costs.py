"""What one candidate request costs the server: CPU and wall time per request, by route.

    .venv/bin/python -m bench.request_costs [--candidates 1000] [--requests 3000]
        [--storage assess-memory:// | memory:// | redis://127.0.0.1:6379]

Runs the real app in-process (Flask's test client: every hook, the real rate-limit
storage and PostgreSQL, no HTTP server) on database ``assess_bench``. ``--candidates``
open their links, start and load their first item (so the rate limiter holds a count
per link, as on a hiring day); then ``--requests`` of each kind go round the candidates:
the status poll, the item page and the autosave. Prints, per kind, the median and p99 wall
time and the process's CPU time per request (the rate-limit storage's timer threads
included), next to a bare ``SELECT 1`` round trip on the same engine as the baseline.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime

import click
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from assess import create_app
from assess.config import Settings
from assess.ratelimit import IN_PROCESS
from bench.answers import build_answer, csrf_from_data, csrf_from_form, parse_item
from bench.harness import BANK_PATHS, MAIN_CAMPAIGN, MAIN_FORM, bench_database, invite, log, percentile, shown


def _seat(app: Flask, token: str) -> tuple[FlaskClient, str, str]:
    client = app.test_client()
    csrf = csrf_from_form(client.get(f"/t/{token}").get_data(as_text=True))
    assert client.post(f"/t/{token}/start", data={"csrf_token": csrf}).status_code == 302
    html = client.get(f"/t/{token}/items/1").get_data(as_text=True)
    return client, csrf_from_data(html), html


def _timed(call: Callable[[int], int], requests: int) -> dict[str, float]:
    walls: list[float] = []
    cpu_began = time.process_time()
    began = time.perf_counter()
    for i in range(requests):
        sent = time.perf_counter()
        status = call(i)
        walls.append(time.perf_counter() - sent)
        if status != 200:
            raise RuntimeError(f"request {i} answered {status}")
    wall = time.perf_counter() - began
    return {
        "p50_ms": percentile(walls, 50) * 1000,
        "p99_ms": percentile(walls, 99) * 1000,
        "cpu_ms": (time.process_time() - cpu_began) / requests * 1000,
        "per_second": requests / wall,
    }


def measure(url: str, candidates: int, requests: int, storage: str, seed: int) -> dict[str, dict[str, float]]:
    settings = Settings(database_url=url, secret_key="bench-request-costs", bank_paths=BANK_PATHS)
    app = create_app({"SETTINGS": settings, "START_SWEEP": False, "RATELIMIT_STORAGE_URI": storage})
    state = app.extensions["assess"]
    tokens = invite(state.session_factory, MAIN_CAMPAIGN, MAIN_FORM, candidates, datetime.now(UTC))
    log(f"{candidates} candidates start and load item 1")
    seated = [_seat(app, token) for token in tokens]
    rng = random.Random(seed)
    pages = [parse_item(html) for _, _, html in seated]

    def status(i: int) -> int:
        client, _, _ = seated[i % candidates]
        return client.get(f"/t/{tokens[i % candidates]}/status").status_code

    def item(i: int) -> int:
        client, _, _ = seated[i % candidates]
        return client.get(f"/t/{tokens[i % candidates]}/items/1").status_code

    def autosave(i: int) -> int:
        n = i % candidates
        client, csrf, _ = seated[n]
        body = {"base": 0, "device": f"bench-{n:08d}", "edit": i + 1, "fields": build_answer(pages[n], rng)}
        reply = client.post(f"/t/{tokens[n]}/answers/1", json=body, headers={"X-CSRFToken": csrf})
        return reply.status_code

    def select_one(i: int) -> int:
        with state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return 200

    figures = {}
    for name, call in (("SELECT 1", select_one), ("status", status), ("item", item), ("autosave", autosave)):
        log(f"{requests} x {name}")
        figures[name] = _timed(call, requests)
    state.engine.dispose()
    return figures


@click.command()
@click.option("--candidates", default=1000, show_default=True)
@click.option("--requests", default=3000, show_default=True, help="Requests of each kind.")
@click.option("--storage", default=IN_PROCESS, show_default=True, help="The rate limiter's storage.")
@click.option("--database-url", default=None)
@click.option("--seed", default=1, show_default=True)
def main(candidates: int, requests: int, storage: str, database_url: str | None, seed: int) -> None:
    """Print each candidate request's wall and CPU time against a bare SELECT 1."""
    with bench_database(database_url) as url:
        log(f"database {shown(url)}; rate limits in {storage}")
        figures = measure(url, candidates, requests, storage, seed)
    base = figures["SELECT 1"]
    print(f"\nper request, {candidates} candidates seated, rate limits in {storage}")
    print(f"  {'':10}{'p50 ms':>8}{'p99 ms':>8}{'CPU ms':>8}{'per s':>8}{'CPU x SELECT 1':>16}")
    for name, row in figures.items():
        print(
            f"  {name:10}{row['p50_ms']:>8.2f}{row['p99_ms']:>8.2f}{row['cpu_ms']:>8.2f}"
            f"{row['per_second']:>8.0f}{row['cpu_ms'] / base['cpu_ms']:>16.1f}"
        )
    print(json.dumps({"candidates": candidates, "storage": storage, "figures": figures}))


if __name__ == "__main__":
    main()
