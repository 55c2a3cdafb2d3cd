"""The command line starts fast: commands are imported only when they run, and heavy libraries only by
the commands that need them (bench/cli_timing.py measures the time; these tests keep the imports)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from assess.cli import COMMANDS, main

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "matplotlib", "scipy", "flask", "sqlalchemy", "alembic", "gunicorn")
#: Runs ``assess ARGS...`` in a fresh interpreter and prints the heavy modules it imported.
PROBE = f"""
import json, sys
from assess.cli import main
try:
    main(sys.argv[1:], prog_name="assess")
except SystemExit:
    pass
print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & set({HEAVY!r}))), file=sys.stderr)
"""


def _heavy_imports(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    imported: list[str] = json.loads(done.stderr.strip().splitlines()[-1])
    return imported


@pytest.fixture
def responses(tmp_path: Path) -> str:
    """A response the shipped bank's numeric item keys as right, typed as a candidate would."""
    path = tmp_path / "responses.jsonl"
    path.write_text(
        '{"item": "process-roi-annual-cost", "response": {"value": "$6,000.00"}}\n', encoding="utf-8"
    )
    return str(path)


@pytest.mark.parametrize(
    "args",
    [(), ("--help",), ("bank", "validate", "items/")],
    ids=["import", "help", "bank-validate"],
)
def test_quick_commands_import_no_web_app_database_or_pandas(args: tuple[str, ...]) -> None:
    assert _heavy_imports(*args) == []


def test_score_imports_no_web_app_database_or_pandas(responses: str) -> None:
    assert _heavy_imports("score", "items/banks", responses) == []
    result = CliRunner().invoke(main, ["score", "items/banks", responses])
    assert result.exit_code == 0, result.output
    assert '"points": "1"' in result.output


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_listed_summary_is_the_first_sentence_of_the_commands_own_help(name: str) -> None:
    command = main.get_command(click.Context(main), name)
    assert command is not None
    assert COMMANDS[name][1] == command.get_short_help_str(limit=1000)


def _every_command(group: click.Group, path: tuple[str, ...]) -> list[tuple[str, ...]]:
    found = [path]
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, (*path, name)
        if isinstance(command, click.Group):
            found += _every_command(command, (*path, name))
        else:
            found.append((*path, name))
    return found


@pytest.mark.parametrize("path", _every_command(main, ()), ids=" ".join)
def test_every_command_loads_and_shows_its_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: main {' '.join(path)}".rstrip())
