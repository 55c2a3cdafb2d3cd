"""Invariant 4 through a crash: 50 candidates on `assess serve`, kill -9 of every worker mid-load.

The CI-sized run of ``bench/faults.py`` (README, "Load and faults"): the same
candidates, queue and ledger, on a fresh PostgreSQL schema, without the master kill
and the PostgreSQL restart (CI machines share the database server with other runs).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
#: Far above the ~15 s the run takes on a busy 2-core machine, far below a hung CI job.
RUN_TIMEOUT = 150

# Its servers sweep under the one advisory lock test_sweep_lock.py takes: the same worker runs both.
pytestmark = [pytest.mark.faults, pytest.mark.xdist_group("sweep_lock")]


# PostgreSQL only: workers of a served app share one database server (SQLite is one file per host).
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_killing_every_worker_mid_load_loses_and_changes_no_acknowledged_answer(
    served_schema: str, tmp_path: Path
) -> None:
    summary = tmp_path / "faults.json"
    command = [
        sys.executable, "-m", "bench.faults",
        "--candidates", "50", "--deadline-share", "0", "--workers", "3",
        "--items", "5", "--think", "0.2", "--poll", "0", "--offline", "0.1",
        "--no-kill-master", "--no-restart-postgres", "--serve-command", "assess",
        "--database-url", served_schema, "--summary", str(summary),
    ]  # fmt: skip
    run = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        output, _ = run.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        run.terminate()  # the run stops its server on SIGTERM; the fixture kills whatever is left
        output, _ = run.communicate(timeout=30)
        pytest.fail(f"the fault run took over {RUN_TIMEOUT} s:\n{output}")
    assert run.returncode == 0, output
    figures = json.loads(summary.read_text(encoding="utf-8"))
    assert figures["faults"]["workers_killed"] == 3, output
    assert figures["finished"] == 50, output
    assert figures["answers_checked"] >= 50 * 4, output
    assert figures["missing"] == [] and figures["changed"] == [], output
    assert figures["false_acknowledgements"] == [], output
