"""`assess bank import` and `assess bank export`, as an author runs them."""

from __future__ import annotations

import zipfile
from pathlib import Path

from click.testing import CliRunner

from assess.cli import main
from items.bank import load_banks

ROOT = Path(__file__).resolve().parents[2]
EXTERNAL = ROOT / "tests" / "fixtures" / "external"
BANKS = ROOT / "items" / "banks"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_import_writes_a_valid_bank_and_prints_each_reported_question_with_exit_2(tmp_path: Path) -> None:
    source = EXTERNAL / "gift" / "questions.gift.txt"
    output = tmp_path / "gift-bank.yaml"
    code, out, err = _run("bank", "import", "--from", "gift", str(source), "-o", str(output))
    assert code == 2
    assert err.splitlines() == [
        f'{source}:5: "Moodle activities" is a matching question (pairs), which has no assess type',
        f'{source}:22: "colours" is a multiple-answer question that assess cannot score the same way: '
        "its weights are not +w per right answer and -w per wrong one",
        f"{source}:34: imported as shortanswer, but 'Cat' earns 50 of 100 in the source; assess text answers "
        "are right or wrong (ignoring case and spacing), so it earns nothing",
    ]
    *table, counts, wrote = out.strip().splitlines()
    assert wrote == (
        f"Wrote 7 item(s) to {output} (bank gift-bank); 2 question(s) not imported, "
        "1 imported with something left behind."
    )
    assert (
        counts
        == "9 question(s): 6 imported as they are, 1 imported with something left behind, 2 not imported."
    )
    # The summary table: one row a question, in the file's order.
    lines = [row.split("│")[1].strip() for row in table if row.startswith("│") and row.split("│")[1].strip()]
    assert lines == ["2", "5", "14", "22", "31", "34", "41", "46", "49"]
    code, out, err = _run("bank", "validate", str(output))
    assert (code, err) == (0, "")
    assert out.startswith("OK: 1 bank(s), 7 item(s)")


def test_import_exits_0_when_every_question_maps(tmp_path: Path) -> None:
    output = tmp_path / "aiken.yaml"
    code, out, err = _run(
        "bank", "import", "--from", "aiken", str(EXTERNAL / "aiken" / "questions.aiken.txt"),
        "-o", str(output), "--bank", "moodle-history", "--title", "Moodle history",
    )  # fmt: skip
    assert (code, err) == (0, "")
    catalogue = load_banks([output])
    assert catalogue.banks == {"moodle-history": str(output)}
    assert len(catalogue.items) == 2


def test_import_of_a_qti_folder_and_a_moodle_file(tmp_path: Path) -> None:
    code, _, err = _run(
        "bank", "import", "--from", "qti", str(EXTERNAL / "qti21"), "-o", str(tmp_path / "q.yaml")
    )
    assert code == 2
    assert f"{EXTERNAL / 'qti21' / 'likert.xml'}:questionnaire: is a Likert (survey) question" in err
    assert len(load_banks([tmp_path / "q.yaml"]).items) == 7
    moodle = EXTERNAL / "moodle_xml" / "nested_categories_with_questions.xml"
    code, _, err = _run("bank", "import", "--from", "moodle", str(moodle), "-o", str(tmp_path / "m.yaml"))
    assert (code, err) == (0, "")


def test_malicious_xml_fails_the_import_clearly_and_writes_nothing(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-77", encoding="utf-8")
    source = tmp_path / "evil.xml"
    source.write_text(
        f'<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY x SYSTEM "file://{secret}">]><quiz>&x;</quiz>',
        encoding="utf-8",
    )
    output = tmp_path / "out.yaml"
    code, out, err = _run("bank", "import", "--from", "moodle", str(source), "-o", str(output))
    assert code == 1
    assert err.startswith(f"{source}: declares XML entities in its DOCTYPE; refused")
    assert err.rstrip().endswith("nothing imported.")
    assert "TOP-SECRET-77" not in out + err
    assert not output.exists()


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    source = EXTERNAL / "gift" / "examples.txt"
    code, _, err = _run("bank", "import", "--from", "gift", str(source), "-o", str(tmp_path / "e.yaml"))
    assert code == 2
    assert "\r" not in err and "Importing" not in err
    assert all(line.startswith(f"{source}:") for line in err.splitlines())


def test_export_qti_writes_a_package_and_reports_items_it_cannot_carry(tmp_path: Path) -> None:
    output = tmp_path / "bank.zip"
    code, out, err = _run("bank", "export", "--to", "qti", str(BANKS), "-o", str(output))
    assert code == 2
    assert "detail-crm-entry: not exported: record_entry has no QTI form" in err
    assert out.strip() == f"Wrote 8 item(s) to {output}; 6 item(s) not exported."
    with zipfile.ZipFile(output) as archive:
        names = archive.namelist()
    assert names[:2] == ["imsmanifest.xml", "assessment.xml"]
    code, _, err = _run("bank", "import", "--from", "qti", str(output), "-o", str(tmp_path / "back.yaml"))
    assert (code, err) == (0, "")
    assert len(load_banks([tmp_path / "back.yaml"]).items) == 8


def test_export_moodle_then_import_gives_a_valid_bank(tmp_path: Path) -> None:
    output = tmp_path / "quiz.xml"
    code, out, err = _run(
        "bank", "export", "--to", "moodle", str(BANKS / "account_manager_smb"), "-o", str(output)
    )
    assert code == 2
    assert out.strip() == f"Wrote 4 item(s) to {output}; 10 item(s) not exported."
    code, _, err = _run("bank", "import", "--from", "moodle", str(output), "-o", str(tmp_path / "back.yaml"))
    assert (code, err) == (0, "")
    assert sorted(load_banks([tmp_path / "back.yaml"]).items) == [
        "comm-summary-email",
        "process-best-upsell-target",
        "process-feature-request",
        "process-renewal-first-step",
    ]


def test_export_of_an_invalid_bank_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("bank: x\ntitle: X\nitems:\n  - id: Bad Id\n", encoding="utf-8")
    output = tmp_path / "out.xml"
    code, _, err = _run("bank", "export", "--to", "moodle", str(broken), "-o", str(output))
    assert code == 1
    assert err.rstrip().endswith("nothing exported.")
    assert not output.exists()
