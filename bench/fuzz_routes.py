"""The route fuzzer's long run: many generated requests per route, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.fuzz_routes [--examples 200] [--backend sqlite|postgresql|both]
                                          [--seed N]

Runs ``tests/integration/test_route_fuzzer.py`` (every rule of the url_map as every role and
anonymously; no 5xx, no traceback, a 4xx changes nothing stored) with ``--examples`` requests
per rule and method instead of CI's few, and with a fresh random seed unless ``--seed`` is given
(CI's run is derandomized, so it tries the same requests every time). A failure prints the
request that caused it. Exits with pytest's status.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TEST = REPO / "tests" / "integration" / "test_route_fuzzer.py"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200, help="requests per rule and method")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seed", type=int, help="hypothesis seed, to repeat a run")
    args = parser.parse_args(argv)
    os.environ["ASSESS_FUZZ_EXAMPLES"] = str(args.examples)
    selected = "every_route" if args.backend == "both" else f"every_route and {args.backend}"
    options = [str(TEST), "-q", "-p", "no:cacheprovider", "-k", selected]
    if args.seed is not None:
        options.append(f"--hypothesis-seed={args.seed}")
    return int(pytest.main(options))


if __name__ == "__main__":
    sys.exit(main())
