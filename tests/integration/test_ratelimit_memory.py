"""The in-process rate-limit storage: the library's counts, without a thread per request."""

from __future__ import annotations

import os
import threading
import time

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from assess.ratelimit import IN_PROCESS
from assess.ratelimit_memory import EXPIRY_SECONDS, PacedMemoryStorage


def _expiry_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "rate-limit-expiry"]


def test_counting_a_thousand_links_starts_one_thread_not_one_per_request() -> None:
    storage = storage_from_string(IN_PROCESS)
    assert isinstance(storage, PacedMemoryStorage)
    limiter = MovingWindowRateLimiter(storage)
    item = parse("600 per minute")
    before = threading.active_count()
    for n in range(3000):
        assert limiter.hit(item, "candidate-link", f"link-{n % 1000}")
    assert threading.active_count() <= before + 1


def test_a_window_counts_and_frees_as_the_librarys_memory_storage_does() -> None:
    storage = storage_from_string(IN_PROCESS)
    assert isinstance(storage, PacedMemoryStorage)
    limiter = MovingWindowRateLimiter(storage)
    item = parse("3 per 1 second")
    assert [limiter.hit(item, "link") for _ in range(4)] == [True, True, True, False]
    assert limiter.test(item, "link") is False
    time.sleep(1.1)
    assert limiter.hit(item, "link") is True
    # Housekeeping: once their window has passed, a link's entries are dropped from memory.
    time.sleep(1.1 + EXPIRY_SECONDS)
    assert not any(storage.events.values())


def test_a_forked_worker_runs_its_own_expiry() -> None:
    # gunicorn builds the app, then forks its workers: a thread does not survive a fork.
    storage = storage_from_string(IN_PROCESS)
    limiter = MovingWindowRateLimiter(storage)
    limiter.hit(parse("5 per second"), "link")
    child = os.fork()
    if child == 0:
        limiter.hit(parse("5 per second"), "another-link")
        alive = [t for t in _expiry_threads() if t.is_alive()]
        os._exit(0 if alive else 1)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
