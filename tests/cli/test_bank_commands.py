"""`assess bank validate`, `assess bank list --json` and `assess score`, as an author runs them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from assess.cli import main

ROOT = Path(__file__).resolve().parents[2]
BANKS = ROOT / "items" / "banks"
PROCESS = BANKS / "account_manager_smb" / "process.yaml"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_validate_passes_on_the_shipped_bank_and_summarises() -> None:
    # The contract is `assess bank validate items/`: nothing else under items/ may look like a bank.
    code, out, err = _run("bank", "validate", str(ROOT / "items"))
    assert code == 0, err
    assert out.startswith("OK: ")
    assert "form account-manager-smb:" in out


def test_validate_prints_every_problem_and_exits_1(tmp_path: Path) -> None:
    broken = tmp_path / "process.yaml"
    text = PROCESS.read_text().replace("correct: b", "correct: z")
    broken.write_text(text.replace("minutes: 1\n", "minutes: soon\n", 1))
    code, out, err = _run("bank", "validate", str(broken))
    assert code == 1
    assert out == ""
    lines = err.strip().splitlines()
    assert lines[-1] == "2 problem(s) found; nothing loaded."
    assert any(f"{broken}:" in line and "items[0].minutes" in line and "'soon'" in line for line in lines)
    assert any("items[0].key.correct: names option 'z'" in line for line in lines)


def test_list_json_prints_id_version_type_section_title_prompt() -> None:
    code, out, _ = _run("bank", "list", str(PROCESS), "--json")
    assert code == 0
    rows = json.loads(out)
    assert [r["id"] for r in rows] == [
        "process-renewal-first-step",
        "process-best-upsell-target",
        "process-feature-request",
    ]
    assert set(rows[0]) == {"id", "version", "type", "section", "title", "prompt"}
    assert rows[0]["type"] == "single_choice" and len(rows[0]["version"]) == 16


def test_score_scores_good_lines_and_names_bad_ones(tmp_path: Path) -> None:
    responses = tmp_path / "responses.jsonl"
    responses.write_text(
        "\n".join(
            [
                json.dumps({"item": "process-renewal-first-step", "response": {"choice": "b"}}),
                "{not json",
                json.dumps({"item": "process-renewal-first-step", "response": {"choice": "a"}}),
                json.dumps({"item": "no-such-item", "response": {"choice": "a"}}),
                json.dumps({"item": "process-feature-request", "response": {"pick": "c"}}),
                json.dumps({"item": "process-feature-request", "response": {"choice": "q"}}),
            ]
        )
        + "\n"
    )
    code, out, err = _run("score", str(PROCESS), str(responses))
    assert code == 1
    scored = [json.loads(line) for line in out.splitlines()]
    assert [(s["points"], s["max_points"]) for s in scored] == [("1", "1"), ("0.25", "1")]
    assert "partial credit" in scored[1]["parts"][0]["explanation"]
    problems = err.strip().splitlines()
    assert [p.split(":")[1] for p in problems] == ["2", "4", "5", "6"]
    assert all(p.startswith(f"{responses}:") for p in problems)


def test_console_script_is_installed_and_never_tracebacks(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.yaml"
    garbage.write_bytes(b"\xff\xfe\x00bank: [")
    script = Path(sys.executable).with_name("assess")
    assert shutil.which(str(script)), "the `assess` console script is not installed"
    done = subprocess.run([str(script), "bank", "validate", str(garbage)], capture_output=True, text=True)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert f"{garbage}:0: cannot read file" in done.stderr


def test_score_names_lines_it_cannot_read_and_never_tracebacks(tmp_path: Path) -> None:
    responses = tmp_path / "responses.jsonl"
    roi = "process-roi-annual-cost"
    responses.write_text(
        "\n".join(
            [
                json.dumps({"item": roi, "response": {"value": "$6,000.00"}}),
                "[" * 100_000,
                json.dumps({"item": roi, "response": {"value": "6,000"}, "variant": "monthly=800"}),
                json.dumps({"item": roi, "response": {"value": "6,00"}}),
            ]
        )
        + "\n"
    )
    code, out, err = _run("score", str(BANKS), str(responses))
    assert code == 1
    assert [json.loads(line)["points"] for line in out.splitlines()] == ["1"]
    assert err.splitlines() == [
        f"{responses}:2: nested too deeply to read",
        f'{responses}:3: "variant" must be an object, as an attempt froze it',
        f"{responses}:4: value: has thousands separators in the wrong places: write 6,000 or 6000, "
        "with a point for decimals",
    ]
