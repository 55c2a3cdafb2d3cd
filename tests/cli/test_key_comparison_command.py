"""`assess analyze --key-comparison [--json]`: the key comparison page's numbers, on a terminal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sjt_answers import FORM, MOST_LEAST, RATE, finish_sjt_attempts
from sqlalchemy.orm import Session, sessionmaker

from assess.cli import main
from assess.services.item_statistics import key_comparisons


def run(database_url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["analyze", *args], env={"DATABASE_URL": database_url})


def test_json_gives_what_the_page_shows_and_the_table_reads_in_words(
    database_url: str, session_factory: sessionmaker[Session], clock: Any, tmp_path: Path
) -> None:
    finish_sjt_attempts(session_factory, clock, tmp_path / "banks")
    result = run(database_url, "--key-comparison", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    with session_factory() as session:
        assert data == json.loads(json.dumps([entry.as_json() for entry in key_comparisons(session)]))
    by_item = {entry["item_id"]: entry for entry in data}
    assert set(by_item) == {MOST_LEAST, RATE}
    most_least = by_item[MOST_LEAST]
    assert most_least["form_id"] == FORM and most_least["attempts"] == 8 and not most_least["agrees"]
    assert (most_least["keys"]["keyed"]["most"], most_least["keys"]["consensus"]["most"]) == ("c", "a")
    keyed, consensus = most_least["comparisons"]
    assert keyed["key"] == "keyed" and consensus["key"] == "consensus"
    assert consensus["rest_correlation"] > 0 > keyed["rest_correlation"]
    assert by_item[RATE]["agrees"]

    table = run(database_url, "--key-comparison")
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert f"Form {FORM}, item {MOST_LEAST} (sjt_most_least): 8 finished attempt(s)" in lines
    assert "  keyed key: most c, least d" in lines and "  consensus key: most a, least d" in lines
    block = lines[lines.index(f"Form {FORM}, item {MOST_LEAST} (sjt_most_least): 8 finished attempt(s)") :]
    row = next(line.split() for line in block if line.startswith("  consensus ") and "key:" not in line)
    assert row[:2] == ["consensus", "8"] and row[4] == f"{consensus['rest_correlation']:.2f}"
    assert any("review the key with the experts who wrote it" in line for line in lines)
    assert any("The candidates' consensus is the key" in line for line in lines)


def test_without_finished_sjt_attempts_it_says_so(
    database_url: str, session_factory: sessionmaker[Session]
) -> None:
    result = run(database_url, "--key-comparison")
    assert result.exit_code == 0, result.output
    assert "No finished attempt has an SJT item yet" in result.stdout
    assert json.loads(run(database_url, "--key-comparison", "--json").stdout) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--key-comparison", "scores.csv"], "--key-comparison reads the database, not FILE.csv"),
        ([], "Missing argument 'FILE.csv' (or give --key-comparison)."),
    ],
)
def test_a_file_and_the_key_comparison_are_one_or_the_other(
    database_url: str, session_factory: sessionmaker[Session], args: list[str], message: str
) -> None:
    result = run(database_url, *args)
    assert result.exit_code != 0
    assert message in result.stderr
