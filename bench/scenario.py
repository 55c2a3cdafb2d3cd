"""The hiring day both runs simulate: everyone opens their link, everyone presses Start, then the test."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field

import aiohttp

from bench.client import Behaviour, Candidate, Ledger, Stats
from bench.harness import GRACE_SECONDS


@dataclass
class Outcome:
    finished: int = 0
    failed: list[str] = field(default_factory=list)


def connection_pool() -> aiohttp.TCPConnector:
    """One pool for every simulated browser, unbounded: the client never queues a request."""
    return aiohttp.TCPConnector(limit=0)


async def hiring_day(
    base_url: str,
    connector: aiohttp.BaseConnector,
    main_tokens: list[str],
    deadline_tokens: list[str],
    behaviour: Behaviour,
    ledger: Ledger,
    stats: Stats,
    seed: int,
) -> Outcome:
    """All candidates open their links within one second, then all press Start within one second.

    The Start presses wait until every link is open (the proctor's "you may begin"), so
    the start storm is measured apart from the page loads before it.
    """
    loop = asyncio.get_running_loop()
    everyone_open = asyncio.Event()
    opened = 0
    total = len(main_tokens) + len(deadline_tokens)
    go: list[float] = []
    outcome = Outcome()

    def arrived() -> None:
        # The last candidate to open a link (or to fail before Start) gives the signal.
        nonlocal opened
        opened += 1
        if opened == total:
            go.append(loop.time() + 0.2)
            everyone_open.set()

    async def candidate(token: str, on_deadline_form: bool, rng: random.Random) -> None:
        person = Candidate(token, connector, base_url, ledger, stats, behaviour, rng)
        try:
            await asyncio.sleep(rng.random())
            try:
                await person.open_link()
            finally:
                arrived()
            await everyone_open.wait()
            await asyncio.sleep(max(0.0, go[0] + rng.random() - loop.time()))
            await person.start()
            if on_deadline_form:
                await person.run_out_the_clock(GRACE_SECONDS)
            else:
                await person.take_test()
            outcome.finished += 1
        except Exception as exc:  # every failure is reported; none stops the others
            outcome.failed.append(f"{token[:8]}…: {type(exc).__name__}: {exc}")
        finally:
            await person.aclose()

    seeds = random.Random(seed)
    await asyncio.gather(
        *(candidate(t, False, random.Random(seeds.random())) for t in main_tokens),
        *(candidate(t, True, random.Random(seeds.random())) for t in deadline_tokens),
    )
    return outcome


def start_figures(stats: Stats) -> dict[str, float]:
    """Starts per second and the spread from the first press to the last completed Start."""
    if not stats.starts:
        return {"count": 0, "window": float("nan"), "completion_spread": float("nan"), "per_second": 0.0}
    first_sent = min(sent for sent, _ in stats.starts)
    first_done = min(done for _, done in stats.starts)
    last_done = max(done for _, done in stats.starts)
    window = last_done - first_sent
    return {
        "count": len(stats.starts),
        "window": window,
        "completion_spread": last_done - first_done,
        "per_second": len(stats.starts) / window if window > 0 else float("inf"),
    }
