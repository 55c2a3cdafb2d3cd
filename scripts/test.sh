#!/usr/bin/env bash
# Install everything the test suite needs (Python packages, Debian's Chromium), then run all of it.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  # Playwright cannot download its own browser here; the browser tests drive Debian's Chromium.
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq chromium >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'

# The gates before the tests: lint, formatting, the layers' import contracts, and types
# (strict on the pure layers, as strict as the untyped Flask extensions allow on assess/).
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/lint-imports
.venv/bin/mypy
.venv/bin/bandit -q -r assess items scoring integrity reports interchange kits -ll

set +e
# One worker per core; tests that share one PostgreSQL advisory lock are grouped on one worker.
.venv/bin/pytest -n auto --dist loadgroup --durations=20 "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests; that is a failure, not a pass" >&2
  exit 1
fi
exit "$status"
