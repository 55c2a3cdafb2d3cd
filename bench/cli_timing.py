"""Command-line start-up benchmark: whole ``assess`` processes against ``python -c pass``.

    .venv/bin/python -m bench.cli_timing [--runs 7]

Times, as whole processes started the way a shell starts them, in the same run and
interleaved so the machine's load falls on each alike:

- baseline: ``python -c pass`` (the interpreter and site-packages, nothing of ours);
- ``assess --help``;
- ``assess bank validate items/`` (loads and checks every shipped bank);
- ``assess score items/banks RESPONSES`` (one response per shipped item, read as a page reads it).

Prints the median, fastest and slowest of ``--runs`` per command, the median's ratio to the
baseline, and the median against the 1 s target. Exits 1 if a median misses the target or a
command fails.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 1.0
#: A right-shaped response per shipped item type; unknown types score as unanswered.
RESPONSES = {
    "single_choice": {"choice": "a"},
    "sjt_most_least": {"most": "a", "least": "b"},
    "sjt_rate": {"ratings": {"a": 3}},
    "sjt_rank": {"ranks": {}},
    "numeric": {"value": "$6,000.00"},
    "proofreading": {"marks": [0]},
    "record_entry": {"fields": {}},
    "written": {"text": "Thank you for the call."},
}


def _assess() -> str:
    return str(Path(sys.executable).with_name("assess"))


def _responses_file(folder: Path) -> Path:
    listed = subprocess.run(
        [_assess(), "bank", "list", "items/banks", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = [
        json.dumps({"item": item["id"], "response": RESPONSES.get(item["type"])})
        for item in json.loads(listed.stdout)
    ]
    path = folder / "responses.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _seconds(command: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7, help="Runs per command (default 7).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        responses = _responses_file(Path(folder))
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "assess --help": [_assess(), "--help"],
            "assess bank validate items/": [_assess(), "bank", "validate", "items/"],
            "assess score items/banks RESPONSES": [_assess(), "score", "items/banks", str(responses)],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(_seconds(command))
    baseline = statistics.median(times["python -c pass"])
    columns = f"{'median':>8} {'fastest':>8} {'slowest':>8} {'x pass':>7}"
    print(f"{'command':<36} {columns}  target {TARGET_SECONDS:.0f} s")
    missed = False
    for name, measured in times.items():
        median = statistics.median(measured)
        verdict = ""
        if name != "python -c pass":
            miss = median > TARGET_SECONDS
            missed |= miss
            verdict = "MISSED" if miss else "met"
        print(
            f"{name:<36} {median:>7.3f}s {min(measured):>7.3f}s {max(measured):>7.3f}s "
            f"{median / baseline:>6.1f}x  {verdict}"
        )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
