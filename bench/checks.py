"""What every fault run reports and checks: what the clients were told against what the database holds."""

from __future__ import annotations

from typing import Any

from bench.client import Ledger, Stats
from bench.harness import Verdict
from bench.scenario import Outcome

#: (what must hold, whether it did, the figures behind it)
Check = tuple[str, bool, str]


def ledger_figures(outcome: Outcome, ledger: Ledger, stats: Stats, verdict: Verdict) -> dict[str, Any]:
    return {
        "retried_requests": dict(stats.errors),
        "finished": outcome.finished,
        "failed": outcome.failed[:10],
        "acknowledged_saves": ledger.acknowledgements,
        "answers_checked": verdict.checked,
        "missing": verdict.missing[:10],
        "changed": verdict.changed[:10],
        "unacknowledged_newer": verdict.unacknowledged_newer,
        "false_acknowledgements": verdict.false_acknowledgements[:10],
        "late_refused": ledger.late_refused,
        "late_accepted": len(ledger.late_accepted) + len(verdict.late_writes),
        "deadline_attempts": verdict.deadline_attempts,
        "slowest_finalize_seconds": max(verdict.finalize_delays, default=0.0),
    }


def invariant_checks(
    candidates: int, outcome: Outcome, ledger: Ledger, verdict: Verdict, finalized: bool
) -> list[Check]:
    """Invariant 4 and the deadline rule through whatever the run did to the servers."""
    late_accepted = len(ledger.late_accepted) + len(verdict.late_writes)
    return [
        ("every candidate finished", not outcome.failed, f"{outcome.finished} of {candidates}"),
        (
            "zero acknowledged answers missing",
            not verdict.missing,
            f"{len(verdict.missing)} of {verdict.checked} answers",
        ),
        ("zero acknowledged answers changed", not verdict.changed, f"{len(verdict.changed)}"),
        (
            "zero acknowledgements of an answer that is not the stored one",
            not verdict.false_acknowledgements,
            f"{len(verdict.false_acknowledgements)} of {ledger.acknowledgements}",
        ),
        (
            "no write accepted after deadline + grace",
            late_accepted == 0,
            f"{ledger.late_refused} refused, {late_accepted} accepted",
        ),
        (
            "every attempt past its deadline finalized by the server within a minute",
            finalized and not verdict.unfinalized and not verdict.finalized_late,
            f"{verdict.deadline_attempts} past deadline, {len(verdict.unfinalized)} open, "
            f"{len(verdict.finalized_late)} late, "
            f"slowest {max(verdict.finalize_delays, default=0.0):.1f} s",
        ),
    ]


def print_ledger(figures: dict[str, Any]) -> None:
    """The lines every fault run prints after its own: retries, the ledger, late writes, the checks."""
    print(
        f"  requests retried (refused connections, resets, 5xx): {sum(figures['retried_requests'].values())} "
        f"{figures['retried_requests'] or ''}"
    )
    print(
        f"  {figures['acknowledged_saves']} saves acknowledged; {figures['answers_checked']} answers checked "
        f"against the database; {figures['unacknowledged_newer']} stored newer than their last "
        "acknowledgement (committed, answer lost with the process)"
    )
    print(
        f"  late writes: {figures['late_refused']} refused, {figures['late_accepted']} accepted; "
        f"{figures['deadline_attempts']} attempts past their deadline, slowest finalized "
        f"{figures['slowest_finalize_seconds']:.1f} s after it"
    )
    for name, passed, detail in figures["checks"]:
        print(f"  [{'PASS' if passed else 'FAIL'}] {name}: {detail}")
    for example in figures["missing"] + figures["changed"] + figures["failed"]:
        print(f"    {example}")
