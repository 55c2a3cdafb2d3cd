"""CPU time of the machine and of process groups, read from /proc, for a run's own accounting."""

from __future__ import annotations

import os
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def process_seconds(pids: Iterable[int]) -> float:
    """User + system CPU seconds the processes have used so far (gone ones count nothing)."""
    total = 0
    for pid in pids:
        with suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / TICKS


def postgres_backends(database: str) -> list[int]:
    """The PostgreSQL backends serving ``database`` (their title names it)."""
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with suppress(OSError):
            title = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if title.startswith("postgres: ") and f" {database} " in title:
                pids.append(int(cmdline.parent.name))
    return pids


def machine_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, every core summed."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields) - idle) / TICKS, sum(fields) / TICKS


@dataclass
class CpuWindow:
    """CPU used over a window by the server's workers, its database backends, and the machine."""

    workers: float
    postgres: float
    machine_busy: float
    machine_total: float

    @property
    def cores(self) -> int:
        return os.cpu_count() or 1


def snapshot(workers: list[int], backends: list[int]) -> tuple[float, float, float, float]:
    busy, total = machine_seconds()
    return process_seconds(workers), process_seconds(backends), busy, total


def window(start: tuple[float, float, float, float], end: tuple[float, float, float, float]) -> CpuWindow:
    return CpuWindow(*(b - a for a, b in zip(start, end, strict=True)))
