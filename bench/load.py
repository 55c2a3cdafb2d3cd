"""Load benchmark: a hiring day of N candidates against the served app on PostgreSQL.

    .venv/bin/python -m bench.load                  # 1,000 candidates (about 3 minutes)
    .venv/bin/python -m bench.load --candidates 50  # a quick look

Creates database ``assess_bench`` (dropped afterwards; or ``--database-url``), serves the
app under gunicorn on a loopback port, and measures, in this order:

1. baseline: ``--concurrency`` clients POST ``/bench/commit`` (one row, one commit) back to
   back for ``--phase-seconds``;
2. saves, saturated: as many clients save answers back to back for as long; then again
   with signals on: half the saves are followed by the integrity observation a page notes
   on leaving an item (the time it was visible), which rides on the next save as the page
   sends it (the rate counts saves, so what the observations cost shows as a lower rate);
3. the hiring day: every candidate opens their link within one second, then all press
   Start within one second; each answers the shipped form (fields read off the item
   pages), autosaving every edit with compressed think times, polls the status as the page
   does, goes offline now and then, and submits; ``--deadline-share`` of them sit the
   one-minute form of ``bench/banks`` instead and run out its clock.

Then it compares every acknowledged save with the database and prints the figures and
the checks; the exit status is 0 only if every check passes.
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from typing import Any

import aiohttp
import click

from assess import STATUS_POLL_SECONDS
from bench.answers import build_answer, csrf_from_form, parse_item
from bench.client import Behaviour, Candidate, Ledger, Stats, closed_loop
from bench.harness import (
    DEADLINE_CAMPAIGN,
    DEADLINE_FORM,
    MAIN_CAMPAIGN,
    MAIN_FORM,
    ServedApp,
    baseline_phase,
    bench_database,
    bench_server_command,
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
    verify,
    wait_for_deadlines,
)
from bench.scenario import connection_pool, hiring_day, start_figures

START_WINDOW_TARGET = 5.0
START_THROUGHPUT_TARGET = 0.5
SAVE_THROUGHPUT_TARGET = 0.6
SATURATED = "save (saturated)"
SATURATED_WITH_SIGNALS = "save (saturated, signals)"
#: A page notes one integrity observation per item it leaves (and per focus lapse): about one
#: for every two autosaves of a candidate who changes each answer once or twice.
OBSERVATIONS_PER_SAVE = 0.5


async def saturated_saves(
    base_url: str,
    connector: aiohttp.BaseConnector,
    tokens: list[str],
    ledger: Ledger,
    stats: Stats,
    behaviour: Behaviour,
    seconds: float,
    seed: int,
    observations_per_save: float = 0.0,
) -> float:
    """Candidates who started earlier save answers back to back: the save's capacity.

    With ``observations_per_save``, each save is followed that often by the integrity observation
    a page notes on leaving an item (the time it was visible), carried by the next save as the
    page does: the saves' capacity with signals on. Their page loads and Starts go to a separate
    ``Stats``, so that the hiring day's start figures are the hiring day's alone; their errors
    and saves count as any other.
    """
    kind = SATURATED_WITH_SIGNALS if observations_per_save else SATURATED
    own = Stats()
    people = [
        Candidate(token, connector, base_url, ledger, own, behaviour, random.Random(seed + i))
        for i, token in enumerate(tokens)
    ]

    async def prepare(person: Candidate) -> list[Any]:
        await person.open_link()
        await person.start()
        pages = [parse_item(await person.item_page(1))]
        pages += [parse_item(await person.item_page(n)) for n in range(2, person.count + 1)]
        person.save_kind = kind
        return pages

    pages = await asyncio.gather(*(prepare(p) for p in people))

    async def save(i: int) -> None:
        person = people[i]
        n = person.rng.randint(1, person.count)
        await person.save(n, build_answer(pages[i][n - 1], person.rng))
        if person.rng.random() < observations_per_save:
            person.note_viewed(n, person.rng.uniform(5, 90))

    done, elapsed = await closed_loop(save, len(people), seconds)

    async def submit(person: Candidate) -> None:
        review = await person.request("review", "GET", "/review", {200})
        form = {"csrf_token": csrf_from_form(review.text), "confirm": "yes"}
        await person.request("submit", "POST", "/submit", {302}, data=form)
        await person.aclose()

    await asyncio.gather(*(submit(p) for p in people))
    if kind in own.latencies:
        stats.latencies[kind] = own.latencies[kind]
    stats.errors.update(own.errors)
    return done / elapsed


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def report(figures: dict[str, Any]) -> None:
    """The figures as a table on stdout (and as JSON after it, for tools)."""
    s = figures["latency"]
    print()
    print(f"assess load benchmark: {figures['candidates']} candidates, {figures['server']}")
    print(f"  {'':28}{'p50':>11}{'p95':>11}{'p99':>11}{'n':>8}")
    for kind in (
        "baseline",
        SATURATED,
        SATURATED_WITH_SIGNALS,
        "signals",
        "open",
        "start",
        "item",
        "save",
        "status",
        "submit",
    ):
        if kind in s:
            row = s[kind]
            print(f"  {kind:<28}{_ms(row['p50'])}{_ms(row['p95'])}{_ms(row['p99'])}{row['n']:>8}")
    st = figures["starts"]
    print(
        f"  starts: {st['count']} in {st['window']:.2f} s from the first press to the last completion "
        f"({st['per_second']:.0f}/s); completions spread over {st['completion_spread']:.2f} s"
    )
    print(
        f"  baseline commits: {figures['baseline_per_second']:.0f}/s; "
        f"saturated saves: {figures['saves_per_second']:.0f}/s; with signals on "
        f"({OBSERVATIONS_PER_SAVE} observations per save, riding on the saves): "
        f"{figures['signal_saves_per_second']:.0f}/s"
    )
    r = figures["ratios"]
    print(
        f"  ratios to the baseline: save throughput {r['save_throughput']:.2f}, with signals on "
        f"{r['save_throughput_with_signals']:.2f}; "
        f"starts/s {r['starts_per_second']:.2f}; start p50 {r['start_p50']:.1f}x; "
        f"save p50 {r['save_p50']:.1f}x; save p99 {r['save_p99']:.1f}x (saturated: "
        f"p50 {r['saturated_save_p50']:.1f}x, p99 {r['saturated_save_p99']:.1f}x)"
    )
    print(f"  errors: {sum(figures['errors'].values())} {dict(figures['errors']) or ''}")
    v = figures["ledger"]
    print(
        f"  ledger: {v['acknowledged']} acknowledgements, {v['checked']} answers checked: "
        f"{v['missing']} missing, {v['changed']} changed; late writes refused {v['late_refused']}, "
        f"accepted {v['late_accepted']}; {v['deadline_attempts']} attempts past their deadline, "
        f"{v['unfinalized']} not finalized, slowest finalized {v['slowest_finalize']:.1f} s "
        "after the deadline"
    )
    print_checks(figures["checks"], figures)


@click.command()
@click.option("--candidates", default=1000, show_default=True, help="Candidates on the hiring day.")
@click.option("--deadline-share", default=0.1, show_default=True, help="Share on the one-minute form.")
@click.option(
    "--concurrency", default=64, show_default=True, help="Clients in the baseline and saturation phases."
)
@click.option("--phase-seconds", default=10.0, show_default=True)
@click.option("--think", default=1.0, show_default=True, help="Mean seconds between a candidate's edits.")
@click.option(
    "--offline", default=0.05, show_default=True, help="Chance per edit of going offline for 1-4 s."
)
@click.option(
    "--poll",
    default=float(STATUS_POLL_SECONDS),
    show_default=True,
    help="Status poll interval (seconds; 0 = none).",
)
@server_options
def main(
    candidates: int,
    deadline_share: float,
    workers: int,
    worker_class: str,
    threads: int,
    concurrency: int,
    phase_seconds: float,
    think: float,
    offline: float,
    poll: float,
    database_url: str | None,
    seed: int,
) -> None:
    """Run the load benchmark; exit 1 if a target or a check fails."""
    stop_on_sigterm()
    behaviour = Behaviour(think_seconds=think, offline_probability=offline, poll_seconds=poll)
    on_deadline = round(candidates * deadline_share)
    with (
        bench_database(database_url) as url,
        tempfile.NamedTemporaryFile("w", prefix="assess-bench-", suffix=".log", delete=False) as server_log,
    ):
        log(f"database {shown(url)}; server log {server_log.name}")
        app = ServedApp(
            bench_server_command(workers, worker_class, threads), server_env(url), free_port(), server_log
        )
        try:
            app.start(attempts=3)
            with sessions(url) as session_factory:
                now = datetime.now(UTC)
                main_tokens = invite(session_factory, MAIN_CAMPAIGN, MAIN_FORM, candidates - on_deadline, now)
                deadline_tokens = invite(session_factory, DEADLINE_CAMPAIGN, DEADLINE_FORM, on_deadline, now)
                spare = invite(session_factory, "bench-saturation", MAIN_FORM, 2 * concurrency, now)
                log(
                    f"{candidates} invitations (+{2 * concurrency} for the saturation phases); "
                    f"serving at {app.url}"
                )
                ledger, stats = Ledger(), Stats()
                figures = asyncio.run(
                    _run(
                        app.url,
                        main_tokens,
                        deadline_tokens,
                        spare,
                        behaviour,
                        ledger,
                        stats,
                        concurrency,
                        phase_seconds,
                        seed,
                    )
                )
                log("waiting for the sweep to finalize every attempt past its deadline")
                wait_for_deadlines(session_factory, timeout=70)
                verdict = verify(session_factory, ledger, datetime.now(UTC))
        finally:
            app.stop()
    figures.update(candidates=candidates, server=server_name(workers, worker_class, threads))
    _add_checks(figures, ledger, verdict, stats)
    report(figures)
    sys.exit(0 if all(passed for _, passed, _ in figures["checks"]) else 1)


async def _run(
    url: str,
    main_tokens: list[str],
    deadline_tokens: list[str],
    spare: list[str],
    behaviour: Behaviour,
    ledger: Ledger,
    stats: Stats,
    concurrency: int,
    phase_seconds: float,
    seed: int,
) -> dict[str, Any]:
    connector = connection_pool()
    try:
        log(f"baseline: {concurrency} clients committing one row each, {phase_seconds:.0f} s")
        baseline = await baseline_phase(url, connector, stats, concurrency, phase_seconds)
        log(f"saturated saves: {concurrency} candidates saving back to back, {phase_seconds:.0f} s")
        saves = await saturated_saves(
            url, connector, spare[:concurrency], ledger, stats, behaviour, phase_seconds, seed
        )
        log(f"saturated saves with signals on: {OBSERVATIONS_PER_SAVE} integrity observations per save")
        signal_saves = await saturated_saves(
            url,
            connector,
            spare[concurrency:],
            ledger,
            stats,
            behaviour,
            phase_seconds,
            seed + 1,
            OBSERVATIONS_PER_SAVE,
        )
        log(
            f"hiring day: {len(main_tokens)} on the shipped form, "
            f"{len(deadline_tokens)} on the one-minute form"
        )
        began = time.monotonic()
        outcome = await hiring_day(
            url, connector, main_tokens, deadline_tokens, behaviour, ledger, stats, seed
        )
        log(
            f"hiring day over in {time.monotonic() - began:.0f} s: {outcome.finished} finished, "
            f"{len(outcome.failed)} failed"
        )
    finally:
        await connector.close()
    return {
        "baseline_per_second": baseline,
        "saves_per_second": saves,
        "signal_saves_per_second": signal_saves,
        "failed": outcome.failed,
    }


def _add_checks(figures: dict[str, Any], ledger: Ledger, verdict: Any, stats: Stats) -> None:
    latency = {
        kind: {
            "p50": percentile(values, 50),
            "p95": percentile(values, 95),
            "p99": percentile(values, 99),
            "n": len(values),
        }
        for kind, values in stats.latencies.items()
    }
    starts = start_figures(stats)
    base = latency.get("baseline", {"p50": float("nan"), "p99": float("nan")})
    nan = {"p50": float("nan"), "p99": float("nan")}
    save, saturated, start = (
        latency.get("save", nan),
        latency.get(SATURATED, nan),
        latency.get("start", nan),
    )
    figures.update(
        latency=latency,
        starts=starts,
        errors=dict(stats.errors),
        ratios={
            "save_throughput": figures["saves_per_second"] / figures["baseline_per_second"],
            "save_throughput_with_signals": figures["signal_saves_per_second"]
            / figures["baseline_per_second"],
            "starts_per_second": starts["per_second"] / figures["baseline_per_second"],
            "start_p50": start["p50"] / base["p50"],
            "save_p50": save["p50"] / base["p50"],
            "save_p99": save["p99"] / base["p99"],
            "saturated_save_p50": saturated["p50"] / base["p50"],
            "saturated_save_p99": saturated["p99"] / base["p99"],
        },
        ledger={
            "acknowledged": ledger.acknowledgements,
            "checked": verdict.checked,
            "missing": len(verdict.missing),
            "changed": len(verdict.changed),
            "unacknowledged_newer": verdict.unacknowledged_newer,
            "false_acknowledgements": len(verdict.false_acknowledgements),
            "late_refused": ledger.late_refused,
            "late_accepted": len(ledger.late_accepted) + len(verdict.late_writes),
            "deadline_attempts": verdict.deadline_attempts,
            "unfinalized": len(verdict.unfinalized),
            "slowest_finalize": max(verdict.finalize_delays, default=0.0),
            "examples": (verdict.missing + verdict.changed + verdict.late_writes + verdict.unfinalized)[:10],
        },
    )
    expected_starts = figures["candidates"]
    errors = sum(stats.errors.values()) + len(figures["failed"])
    figures["checks"] = [
        ("all starts succeed", starts["count"] == expected_starts, f"{starts['count']} of {expected_starts}"),
        (
            f"last Start completes within {START_WINDOW_TARGET:.0f} s of the first press",
            starts["window"] <= START_WINDOW_TARGET,
            f"{starts['window']:.2f} s",
        ),
        (
            f"starts per second >= {START_THROUGHPUT_TARGET:.1f} x baseline",
            figures["ratios"]["starts_per_second"] >= START_THROUGHPUT_TARGET,
            f"{figures['ratios']['starts_per_second']:.2f}",
        ),
        (
            f"save throughput >= {SAVE_THROUGHPUT_TARGET:.1f} x baseline",
            figures["ratios"]["save_throughput"] >= SAVE_THROUGHPUT_TARGET,
            f"{figures['ratios']['save_throughput']:.2f}",
        ),
        (
            f"save throughput with signals on >= {SAVE_THROUGHPUT_TARGET:.1f} x baseline",
            figures["ratios"]["save_throughput_with_signals"] >= SAVE_THROUGHPUT_TARGET,
            f"{figures['ratios']['save_throughput_with_signals']:.2f}",
        ),
        ("zero errors", errors == 0, f"{errors} ({len(figures['failed'])} candidates failed)"),
        (
            "every acknowledged answer stored, unchanged",
            not verdict.missing and not verdict.changed and not verdict.false_acknowledgements,
            f"{len(verdict.missing)} missing, {len(verdict.changed)} changed of {verdict.checked}, "
            f"{len(verdict.false_acknowledgements)} acknowledged but not stored",
        ),
        (
            "no write accepted after deadline + grace",
            not ledger.late_accepted and not verdict.late_writes,
            f"{ledger.late_refused} refused, {len(ledger.late_accepted) + len(verdict.late_writes)} accepted",
        ),
        (
            "every attempt past its deadline finalized within a minute",
            not verdict.unfinalized and not verdict.finalized_late,
            f"{verdict.deadline_attempts} past deadline, {len(verdict.unfinalized)} open, "
            f"{len(verdict.finalized_late)} late",
        ),
    ]


if __name__ == "__main__":
    main()
