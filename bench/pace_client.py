"""Candidates at real pace, in a client process the pace run drives through a pipe.

A paced candidate spends on each item the minutes its bank gives it (read first, then
answer), makes the edits the item's inputs imply, and lets each edit autosave 400 ms
later as attempt.js does (``SAVE_DELAY_MS``). It polls the status every
``poll_seconds`` from a page, moves on with the page's own form post ("Save and go to
item n+1", then the next page), and at the end reviews and submits. A candidate who
submits is replaced by a new arrival from the reserve, so the crowd stays its size.

Commands on the pipe: ``("grow", tokens, spread, enter_midway)``, ``("shrink", n)``,
``("reserve", tokens)``, ``("reset", None)`` (start a measuring window),
``("collect", None)`` (end it: latencies, errors, CPU) and ``("stop", None)``.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import aiohttp

from assess import STATUS_POLL_SECONDS
from bench.answers import ItemPage, build_answer, csrf_from_form, parse_item, revise
from bench.client import Behaviour, Candidate, GaveUp, Ledger, Stats

#: attempt.js's debounce: a save leaves 400 ms after the last edit (SAVE_DELAY_MS).
SAVE_DELAY_SECONDS = 0.4


@dataclass(frozen=True)
class Pace:
    """How a candidate at real pace spends an item's minutes."""

    #: Seconds per item, in the form's order (the bank's ``minutes`` x 60).
    item_seconds: tuple[float, ...]
    #: Share of an item's time spent reading before the first edit.
    read_share: float = 0.35
    #: Seconds of writing between two pauses long enough to autosave (the debounce is 0.4 s).
    writing_burst_seconds: float = 12.0
    #: attempt.js's status poll (STATUS_POLL_SECONDS) and queue retry (SAVE_RETRY_SECONDS).
    poll_seconds: float = STATUS_POLL_SECONDS
    retry_seconds: float = 5.0


def planned_edits(page: ItemPage, answering_seconds: float, pace: Pace, rng: random.Random) -> int:
    """How many separate edits (so autosaves) answering this page takes: one per choice or field,
    one per mark, one per burst of writing, and now and then a change of mind."""
    edits = len(page.radios) + len(page.selects) + len(page.texts)
    edits += sum(rng.randint(1, min(4, len(values))) for values in page.checkboxes.values())
    writing = len(page.textareas) * answering_seconds / pace.writing_burst_seconds
    edits += round(writing)
    edits += rng.choice((0, 0, 1))
    return max(1, edits)


class PacedCandidate(Candidate):
    """One candidate's browser at the pace the form's minutes imply."""

    async def sit(self, pace: Pace, enter_midway: bool) -> None:
        """Open the link, start, answer item after item at real pace, review and submit.

        ``enter_midway``: this candidate stands for one who started earlier, so they begin
        at a point of the form drawn by its minutes (the crowd is then a steady state).
        """
        await self.open_link()
        await self.start()
        n, share_left = 1, 1.0
        if enter_midway:
            total = sum(pace.item_seconds)
            point = self.rng.uniform(0, total)
            for n, seconds in enumerate(pace.item_seconds, start=1):  # noqa: B007
                if point < seconds:
                    share_left = 1 - point / seconds
                    break
                point -= seconds
        html = await self.item_page(n)
        poller = asyncio.create_task(self.poll_status())
        try:
            while True:
                seconds = pace.item_seconds[min(n, len(pace.item_seconds)) - 1] * self.rng.uniform(0.7, 1.3)
                answer = await self._answer(n, parse_item(html), seconds, share_left, pace)
                share_left = 1.0
                go = "next" if n < self.count else "review"
                await self._leave_item(n, answer, go)
                if go == "review":
                    break
                n += 1
                html = await self.item_page(n)
            review = await self.request("review", "GET", "/review", {200})
            data = {"csrf_token": csrf_from_form(review.text), "confirm": "yes"}
            await self.request("submit", "POST", "/submit", {302}, data=data)
            self.closed = True
        finally:
            poller.cancel()

    async def _answer(
        self, n: int, page: ItemPage, seconds: float, share_left: float, pace: Pace
    ) -> dict[str, list[str]]:
        """Read, then edit at times spread over the rest of the item's time, each edit autosaved."""
        loop = asyncio.get_running_loop()
        began = loop.time() - seconds * (1 - share_left)
        answering = seconds * (1 - pace.read_share)
        edits = planned_edits(page, answering, pace, self.rng)
        times = sorted(self.rng.uniform(seconds * pace.read_share, seconds) for _ in range(edits))
        answer = build_answer(page, self.rng)
        for at in times:
            if began + at < loop.time():
                continue  # before this candidate's entry point: already done
            await asyncio.sleep(began + at + SAVE_DELAY_SECONDS - loop.time())
            await self.save(n, answer)
            answer = revise(page, answer, self.rng)
        await asyncio.sleep(max(0.0, began + seconds - loop.time()))
        return answer

    async def _leave_item(self, n: int, answer: dict[str, list[str]], go: str) -> None:
        """The page's own form post: the answer with this tab's device and edit number, then a redirect."""
        form: list[tuple[str, str]] = [
            ("csrf_token", self.csrf),
            ("revision", str(self.revisions.get(n, 0))),
            ("device", self.device),
            ("edit", str(self.next_edit())),
            ("go", go),
        ]
        form += [(name, value) for name, values in answer.items() for value in values]
        await self.request("item post", "POST", f"/items/{n}", {302}, data=form)


class Crowd:
    """The candidates of one client process, grown and shrunk on command."""

    def __init__(self, base_url: str, pace: Pace, seed: int) -> None:
        self.base_url = base_url
        self.pace = pace
        self.rng = random.Random(seed)
        self.behaviour = Behaviour(
            offline_probability=0.0, poll_seconds=pace.poll_seconds, retry_seconds=pace.retry_seconds
        )
        # One pool, unbounded: the client never queues a request behind another.
        self.connector = aiohttp.TCPConnector(limit=0)
        self.stats = Stats()
        # Real pace checks capacity, not durability: bench.load and bench.faults keep the ledger.
        self.ledger = Ledger()
        self.reserve: list[str] = []
        self.seated: list[asyncio.Task[None]] = []
        self.finished = 0
        self.failed: Counter[str] = Counter()
        self.window_cpu = time.process_time()
        self.window_began = time.monotonic()

    def grow(self, tokens: list[str], spread: float, enter_midway: bool) -> None:
        for token in tokens:
            self._seat(token, self.rng.uniform(0, spread), enter_midway)

    def _seat(self, token: str, delay: float, enter_midway: bool) -> None:
        task = asyncio.create_task(self._candidate(token, delay, enter_midway))
        self.seated.append(task)
        task.add_done_callback(self._left)

    def _left(self, task: asyncio.Task[None]) -> None:
        if task in self.seated:
            self.seated.remove(task)
        if task.cancelled():
            return
        # Submitted (or gave up): a new candidate arrives in their place, at item 1.
        if self.reserve:
            self._seat(self.reserve.pop(), 0.0, False)

    async def _candidate(self, token: str, delay: float, enter_midway: bool) -> None:
        await asyncio.sleep(delay)
        rng = random.Random(self.rng.random())
        person = PacedCandidate(
            token, self.connector, self.base_url, self.ledger, self.stats, self.behaviour, rng
        )
        try:
            await person.sit(self.pace, enter_midway)
            self.finished += 1
        except (GaveUp, ValueError, KeyError) as exc:
            self.failed[type(exc).__name__] += 1
        finally:
            await person.aclose()

    def shrink(self, count: int) -> None:
        """The newest ``count`` candidates close their tabs."""
        for task in self.seated[-count:] if count else []:
            task.cancel()
        del self.seated[len(self.seated) - count :]

    def reset(self) -> None:
        self.stats.latencies.clear()
        self.stats.errors.clear()
        self.stats.starts.clear()
        self.failed.clear()
        self.finished = 0
        self.window_cpu = time.process_time()
        self.window_began = time.monotonic()

    def collect(self) -> dict[str, Any]:
        return {
            "latencies": {kind: list(values) for kind, values in self.stats.latencies.items()},
            "errors": dict(self.stats.errors),
            "failed": dict(self.failed),
            "finished": self.finished,
            "seated": len(self.seated),
            "reserve": len(self.reserve),
            "cpu_seconds": time.process_time() - self.window_cpu,
            "wall_seconds": time.monotonic() - self.window_began,
        }

    async def close(self) -> None:
        self.shrink(len(self.seated))
        await asyncio.sleep(0.1)
        await self.connector.close()


def run_client(conn: Connection, base_url: str, pace: Pace, seed: int) -> None:
    """A client process's entry point: obey the pipe's commands until ``stop``."""
    asyncio.run(_obey(conn, base_url, pace, seed))


async def _obey(conn: Connection, base_url: str, pace: Pace, seed: int) -> None:
    loop = asyncio.get_running_loop()
    crowd = Crowd(base_url, pace, seed)
    inbox: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
    loop.add_reader(conn.fileno(), lambda: inbox.put_nowait(conn.recv()))
    while True:
        command, *args = await inbox.get()
        if command == "grow":
            crowd.grow(*args)
        elif command == "shrink":
            crowd.shrink(args[0])
        elif command == "reserve":
            crowd.reserve.extend(args[0])
        elif command == "reset":
            crowd.reset()
        elif command == "collect":
            conn.send(crowd.collect())
        elif command == "stop":
            await crowd.close()
            conn.send("stopped")
            return
