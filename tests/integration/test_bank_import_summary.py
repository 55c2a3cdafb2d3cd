"""``assess bank import`` tells what became of every question, in a table with the counts."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from assess.cli import main

SOURCE = (
    Path(__file__).resolve().parents[1] / "fixtures" / "interchange_summary" / "three_questions.moodle.xml"
)
LOSS = (
    "imported as account-name, but 'Harbor' earns 50 of 100 in the source; assess text answers are right "
    "or wrong (ignoring case and spacing), so it earns nothing"
)

MATCHING = '"Match the stages" (matching) is a matching question (pairs), which has no assess type'


def _import(tmp_path: Path) -> Result:
    output = tmp_path / "bank.yaml"
    arguments = ["bank", "import", "--from", "moodle", str(SOURCE), "-o", str(output)]
    return CliRunner().invoke(main, arguments, catch_exceptions=False)


def _rows(result: Result) -> list[tuple[str, str, str]]:
    """(question, item, outcome) per row of the table, wrapped cells joined."""
    rows: list[list[str]] = []
    for line in result.stdout.splitlines():
        cells = [cell.strip() for cell in line.split("│")[1:-1]]
        if len(cells) != 3:
            continue
        if cells[1] or not rows:
            rows.append(cells)
        else:
            rows[-1] = [" ".join(filter(None, pair)) for pair in zip(rows[-1], cells, strict=True)]
    return [(question, item, outcome) for question, item, outcome in rows]


def test_bank_import_prints_each_questions_outcome_and_the_counts(tmp_path: Path) -> None:
    result = _import(tmp_path)
    assert result.exit_code == 2
    outcomes = {item: outcome for _, item, outcome in _rows(result)}
    assert outcomes["first-step"] == "imported as single_choice"
    assert outcomes["account-name"].startswith("imported as record_entry")
    assert any(
        o.startswith('reported: "Match the stages" (matching) is a matching question')
        for o in outcomes.values()
    )
    counts = "3 question(s): 1 imported as they are, 1 imported with something left behind, 1 not imported."
    assert counts in result.stdout
    assert "Wrote 2 item(s)" in result.stdout
    # The stderr lines stay as the README documents them: SRC:LINE: reason.
    assert result.stderr.splitlines() == [
        f"{SOURCE}:12: {LOSS}",
        f"{SOURCE}:19: {MATCHING}",
    ]


def test_a_question_imported_with_a_loss_is_one_row_with_its_line(tmp_path: Path) -> None:
    rows = _rows(_import(tmp_path))
    assert ("12", "account-name", f"imported as record_entry; reported: {LOSS}") in rows
    assert len(rows) == 3
