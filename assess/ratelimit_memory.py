"""The rate limits' in-process storage (the single-host default), its housekeeping done once a second.

limits' ``MemoryStorage`` arms a one-shot 10 ms timer whenever a count changes and no timer is
running, and each timer walks every key. Under a hiring day's steady traffic nearly every
candidate request started a thread, and with 1,000 links each timer walked 1,000 windows: py-spy
on the workers (``bench.pace``, 1,000 candidates, GIL samples) put the count at 12 % of their
Python time, 10 % of it starting threads, and the timers' walks at 5 % more. Dropping expired
entries is only housekeeping (a moving window reads its entries by their time), so here one
long-lived thread per process does it every ``EXPIRY_SECONDS``; the counts are the library's.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

from limits.storage import MemoryStorage

#: The scheme ``storage_uri`` names for the default: counted in each process's memory.
SCHEME = "assess-memory"
EXPIRY_SECONDS = 1.0


class _ExpiryLoop:
    """Stands where ``MemoryStorage`` keeps its timer: it reads ``is_alive()`` before arming a new one.

    Started in the process that counts: gunicorn forks workers after the app is built, and a
    thread does not survive a fork, so each worker starts its own at its first count.
    """

    def __init__(self, expire: Callable[[], None]) -> None:
        self.expire = expire
        self.pid = 0
        self.thread: threading.Thread | None = None

    def is_alive(self) -> bool:
        if self.pid != os.getpid() or self.thread is None or not self.thread.is_alive():
            self.pid = os.getpid()
            self.thread = threading.Thread(target=self._run, name="rate-limit-expiry", daemon=True)
            self.thread.start()
        return True

    def cancel(self) -> None:
        """Nothing to stop: a daemon thread ends with its process."""

    def _run(self) -> None:
        while True:
            time.sleep(EXPIRY_SECONDS)
            self.expire()


class PacedMemoryStorage(MemoryStorage):
    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        # The library's first timer, disarmed; what it would have run is the expiry to pace.
        first = self.timer
        first.cancel()
        self.timer = _ExpiryLoop(first.function)  # type: ignore[assignment]
