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

# The quick gates first: lint, formatting and the layers' import contracts.
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/lint-imports

# Types (strict on the pure layers, as strict as the untyped Flask extensions allow on assess/)
# and the security scan run beside the tests: the tests leave part of the machine idle while
# they wait on browsers and servers. Their output follows the tests'.
gates=$(mktemp -d)
trap 'rm -rf "$gates"' EXIT
(.venv/bin/mypy >"$gates/mypy" 2>&1; echo $? >"$gates/mypy.status") &
(.venv/bin/bandit -q -r assess items scoring integrity reports interchange kits -ll >"$gates/bandit" 2>&1
 echo $? >"$gates/bandit.status") &

# The suite starts dozens of Python processes (workers, served hosts, commands): with bytecode
# caching switched off in the environment, each compiled the whole project again.
export PYTHONDONTWRITEBYTECODE=

set +e
# One worker per core; tests that share one PostgreSQL advisory lock are grouped on one worker.
.venv/bin/pytest -n auto --dist loadgroup --durations=20 "$@"
status=$?
wait
set -e
for gate in mypy bandit; do
  echo "== $gate"
  cat "$gates/$gate"
  if [ "$(cat "$gates/$gate.status")" != 0 ]; then
    echo "$gate failed" >&2
    status=1
  fi
done
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests; that is a failure, not a pass" >&2
  exit 1
fi
exit "$status"
