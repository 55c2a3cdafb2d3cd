"""Simulated candidates on aiohttp, with a save queue like attempt.js's and the client-side ledger.

A candidate keeps the newest unsent edit per item in a queue and drops it only when the
server has answered it. Each save names the candidate's device, its edit number and the
revision it was made on, as attempt.js's do; the server answers ``{"saved": true,
"revision": R}`` only after the commit, and only when this answer is the stored one:
every such answer goes into the ``Ledger``, which the run later compares with the database.
While "offline" it queues without sending; after a refused connection or
a 5xx it waits and sends again, as the page does.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from multidict import CIMultiDictProxy

from assess import STATUS_POLL_SECONDS
from bench.answers import (
    build_answer,
    csrf_from_data,
    csrf_from_form,
    item_count,
    parse_item,
    revise,
    seconds_left,
)

Fields = dict[str, list[str]]


class GaveUp(Exception):
    """A request kept failing past the run's retry budget."""


@dataclass(frozen=True)
class Reply:
    """A response, read whole (the connection goes back to the pool at once)."""

    status: int
    headers: CIMultiDictProxy[str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


#: What a dropped, refused or reset connection raises.
CONNECTION_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, ConnectionError)


@dataclass
class Stats:
    """Latencies (seconds) per kind of request, and what failed."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    #: (sent, completed) loop times of every successful Start.
    starts: list[tuple[float, float]] = field(default_factory=list)

    def add(self, kind: str, seconds: float) -> None:
        self.latencies[kind].append(seconds)

    def error(self, kind: str, what: str) -> None:
        self.errors[f"{kind}: {what}"] += 1


@dataclass
class Ledger:
    """Every save sent, and every save the server acknowledged (the ones that must never be lost)."""

    #: (token, position, edit) -> fields, for every save put on the wire.
    sent: dict[tuple[str, int, int], Fields] = field(default_factory=dict)
    #: (token, position) -> (revision, fields) of the newest acknowledged save.
    acked: dict[tuple[str, int], tuple[int, Fields]] = field(default_factory=dict)
    #: Every acknowledgement: (token, position, the revision the server said it stored, fields).
    acknowledged: list[tuple[str, int, int, Fields]] = field(default_factory=list)
    acknowledgements: int = 0
    #: Saves deliberately sent after deadline + grace: how the server answered them.
    late_refused: int = 0
    late_accepted: list[tuple[str, int, int]] = field(default_factory=list)

    def record_ack(self, token: str, position: int, revision: int, fields: Fields) -> None:
        self.acknowledgements += 1
        self.acknowledged.append((token, position, revision, fields))
        newest = self.acked.get((token, position))
        # An acknowledgement of what was already stored names the same revision: keep the later one.
        if newest is None or newest[0] <= revision:
            self.acked[(token, position)] = (revision, fields)


@dataclass(frozen=True)
class Behaviour:
    """How candidates act, with time compressed: think seconds per edit, how often they go offline."""

    think_seconds: float = 1.0
    offline_probability: float = 0.05
    offline_seconds: tuple[float, float] = (1.0, 4.0)
    poll_seconds: float = STATUS_POLL_SECONDS
    retry_seconds: float = 0.5
    #: Give up on a request that has failed for this long (the run's budget, not the page's).
    give_up_seconds: float = 120.0
    #: Answer only the first this many items, then submit (a smaller run); 0 = every item.
    items: int = 0


class Candidate:
    """One candidate's browser: its own cookies (session, CSRF), sharing the run's connection pool."""

    def __init__(
        self,
        token: str,
        connector: aiohttp.BaseConnector,
        base_url: str,
        ledger: Ledger,
        stats: Stats,
        behaviour: Behaviour,
        rng: random.Random,
    ) -> None:
        self.token = token
        # Its own cookies (session, CSRF); the connections are the run's. unsafe=True: the
        # jar must keep cookies of an IP-address host (127.0.0.1), as a browser does.
        self.client = aiohttp.ClientSession(
            base_url,
            connector=connector,
            connector_owner=False,
            cookie_jar=aiohttp.CookieJar(unsafe=True),
            timeout=aiohttp.ClientTimeout(total=120),
        )
        self.ledger = ledger
        self.stats = stats
        self.behaviour = behaviour
        self.rng = rng
        self.csrf = ""
        #: n -> (edit, base revision, fields): the newest unanswered edit per item.
        self.queue: dict[int, tuple[int, int, Fields]] = {}
        self.device = f"bench-{rng.getrandbits(64):016x}"
        self.revisions: dict[int, int] = {}
        #: Integrity observations waiting to ride on the next save, as the page keeps them.
        self.observations: list[dict[str, Any]] = []
        self.offline_until = 0.0
        self.closed = False
        self.count = 0
        #: The name save latencies are filed under (the saturation phase uses its own).
        self.save_kind = "save"
        self._edits = 0

    @property
    def base(self) -> str:
        return f"/t/{self.token}"

    def next_edit(self) -> int:
        self._edits += 1
        return self._edits

    def is_offline(self) -> bool:
        return asyncio.get_running_loop().time() < self.offline_until

    async def request(self, kind: str, method: str, path: str, expect: set[int], **kwargs: Any) -> Reply:
        """Send until the server answers one of ``expect``; every other outcome is counted and retried."""
        loop = asyncio.get_running_loop()
        give_up = loop.time() + self.behaviour.give_up_seconds
        while True:
            sent = loop.time()
            try:
                async with self.client.request(
                    method, self.base + path, allow_redirects=False, **kwargs
                ) as response:
                    reply = Reply(response.status, response.headers, await response.text())
            except CONNECTION_ERRORS as exc:
                self.stats.error(kind, type(exc).__name__)
            else:
                if reply.status in expect:
                    self.stats.add(kind, loop.time() - sent)
                    return reply
                self.stats.error(kind, f"HTTP {reply.status}")
            if loop.time() > give_up:
                raise GaveUp(f"{method} {kind} kept failing for {self.behaviour.give_up_seconds} s")
            await asyncio.sleep(self.behaviour.retry_seconds * (0.5 + self.rng.random()))

    async def open_link(self) -> None:
        page = await self.request("open", "GET", "", {200})
        self.csrf = csrf_from_form(page.text)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        sent = loop.time()
        response = await self.request("start", "POST", "/start", {302}, data={"csrf_token": self.csrf})
        if not response.headers["location"].endswith(f"{self.base}/items/1"):
            self.stats.error("start", "redirected elsewhere")
        self.stats.starts.append((sent, loop.time()))

    async def item_page(self, n: int) -> str:
        html = (await self.request("item", "GET", f"/items/{n}", {200})).text
        self.csrf = csrf_from_data(html)
        self.count = item_count(html)
        return html

    async def save(self, n: int, fields: Fields) -> None:
        """Queue the edit (replacing an unsent older one), then send the queue unless offline."""
        self.queue[n] = (self.next_edit(), self.revisions.get(n, 0), fields)
        if not self.is_offline():
            await self.flush()

    async def flush(self) -> None:
        for n, (edit, base, fields) in sorted(self.queue.items(), key=lambda entry: entry[1][0]):
            if self.closed:
                return
            await self._send(n, edit, base, fields)

    async def _send(self, n: int, edit: int, base: int, fields: Fields) -> None:
        self.ledger.sent[(self.token, n - 1, edit)] = fields
        riding = self.observations[:]
        response = await self.request(
            self.save_kind,
            "POST",
            f"/answers/{n}",
            {200, 410},
            json={
                "base": base,
                "device": self.device,
                "edit": edit,
                "fields": fields,
                "observations": riding,
            },
            headers={"X-CSRFToken": self.csrf},
        )
        if response.status == 410:
            self.closed = True
            self.queue.clear()
            return
        body = response.json()
        if body.get("observations") != len(riding):
            self.stats.error("save", f"stored {body.get('observations')!r} of {len(riding)} observations")
        del self.observations[: len(riding)]
        if body.get("saved") is True:
            self.ledger.record_ack(self.token, n - 1, body["revision"], fields)
            self.revisions[n] = max(self.revisions.get(n, 0), body["revision"])
        elif not body.get("superseded"):
            # One device per candidate: nothing else can have stored a newer answer.
            self.stats.error("save", f"answered {body!r} to edit {edit}")
        if self.queue.get(n, (None,))[0] == edit:
            del self.queue[n]

    def note_viewed(self, n: int, seconds: float) -> None:
        """What the page notes on leaving an item for the integrity signals (how long it was
        visible); like the page, the next save carries it."""
        seen = {"kind": "viewed", "position": n - 1, "ms_ago": 0, "seconds": round(seconds, 1)}
        self.observations.append(seen)

    async def think(self, scale: float = 1.0) -> None:
        await asyncio.sleep(self.behaviour.think_seconds * scale * (0.5 + self.rng.random()))
        loop = asyncio.get_running_loop()
        if self.offline_until and loop.time() >= self.offline_until:
            self.offline_until = 0.0
            await self.flush()  # back online: send what queued up
        elif not self.offline_until and self.rng.random() < self.behaviour.offline_probability:
            self.offline_until = loop.time() + self.rng.uniform(*self.behaviour.offline_seconds)

    async def poll_status(self) -> None:
        """attempt.js's countdown sync, on wall-clock time like the page (not compressed)."""
        while not self.closed:
            await asyncio.sleep(self.behaviour.poll_seconds * (0.8 + 0.4 * self.rng.random()))
            if self.is_offline():
                continue
            response = await self.request("status", "GET", "/status", {200})
            if response.json().get("finished"):
                return

    async def take_test(self) -> None:
        """Answer every item of the form (some more than once), then review and submit."""
        html = await self.item_page(1)
        poller = asyncio.create_task(self.poll_status()) if self.behaviour.poll_seconds else None
        try:
            last = min(self.count, self.behaviour.items) if self.behaviour.items else self.count
            for n in range(1, last + 1):
                if n > 1:
                    html = await self.item_page(n)
                page = parse_item(html)
                answer = build_answer(page, self.rng)
                for _ in range(self.rng.choice([1, 1, 2, 2, 3])):
                    await self.think()
                    await self.save(n, answer)
                    answer = revise(page, answer, self.rng)
            self.offline_until = 0.0
            await self.flush()
            review = await self.request("review", "GET", "/review", {200})
            data = {"csrf_token": csrf_from_form(review.text), "confirm": "yes"}
            await self.request("submit", "POST", "/submit", {302}, data=data)
            self.closed = True
        finally:
            if poller is not None:
                poller.cancel()

    async def run_out_the_clock(self, grace_seconds: int) -> None:
        """Save until the deadline, close the tab, then try once more after deadline + grace."""
        loop = asyncio.get_running_loop()
        html = await self.item_page(1)
        deadline = loop.time() + seconds_left(html)  # never earlier than the server's deadline
        page = parse_item(html)
        answer = build_answer(page, self.rng)
        while loop.time() < deadline - 2:
            await self.think(scale=3.0)
            await self.save(1, answer)
            answer = revise(page, answer, self.rng)
        self.offline_until = 0.0
        await self.flush()
        await asyncio.sleep(max(0.0, deadline + grace_seconds + 2 - loop.time()))
        edit = self.next_edit()
        late = await self.request(
            "late save",
            "POST",
            "/answers/1",
            {200, 410},
            json={"base": self.revisions.get(1, 0), "device": self.device, "edit": edit, "fields": answer},
            headers={"X-CSRFToken": self.csrf},
        )
        if late.status == 410:
            self.ledger.late_refused += 1
        else:
            self.ledger.late_accepted.append((self.token, 0, edit))
        self.closed = True

    async def aclose(self) -> None:
        await self.client.close()


async def closed_loop(
    call: Callable[[int], Awaitable[None]], concurrency: int, seconds: float
) -> tuple[int, float]:
    """``concurrency`` loops calling ``call(i)`` back to back for ``seconds``; (calls, elapsed)."""
    loop = asyncio.get_running_loop()
    stop = loop.time() + seconds
    done = 0

    async def worker(i: int) -> None:
        nonlocal done
        while loop.time() < stop:
            await call(i)
            done += 1

    began = loop.time()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return done, loop.time() - began
