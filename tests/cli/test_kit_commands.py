"""`assess kit validate`, as an author runs it on interview kits and question banks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from assess.cli import main

ROOT = Path(__file__).resolve().parents[2]
KITS = ROOT / "kits"
SMB = KITS / "account_manager_smb.yaml"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), start=1) if needle in line)


def test_validate_passes_on_the_shipped_kits_and_summarises() -> None:
    code, out, err = _run("kit", "validate", str(KITS))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "OK: 4 kit(s), 1 question bank(s)"
    assert (
        "  kit account-manager-smb: 1 stage(s), 6 question(s), 9 competencies, 0 goal(s), "
        "must-haves: communication >= 2"
    ) in lines
    assert "  question bank enterprise-kam-questions: 8 question(s), interviewer only" in lines
    assert any(line.startswith("  kit partner-account-manager: 6 stage(s)") for line in lines)


def test_validate_prints_every_problem_and_exits_1(tmp_path: Path) -> None:
    broken = tmp_path / "smb.yaml"
    text = SMB.read_text().replace("    minimum: 2\n", "    minimum: 7\n", 1)
    broken.write_text(text.replace("[organisation, problem-solving]", "[tidiness]", 1))
    garbled = tmp_path / "garbled.yaml"
    garbled.write_text("kit: garbled\n  title: bad indent\n")
    code, out, err = _run("kit", "validate", str(tmp_path))
    assert code == 1
    assert out == ""
    lines = err.strip().splitlines()
    assert lines[-1] == "3 problem(s) found; nothing loaded."
    assert lines[0].startswith(f"{garbled}:2: invalid YAML: ")
    assert lines[1] == (
        f"{broken}:{_line_of(broken, 'minimum: 7')}: must_haves[0].minimum: "
        "Input should be less than or equal to 4, got 7"
    )
    assert lines[2].startswith(
        f"{broken}:{_line_of(broken, '[tidiness]')}: stages[0].questions[3].competencies[0]: "
        "no competency 'tidiness' in this file; known: collaboration, communication, "
    )


def test_console_script_never_tracebacks(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.yaml"
    garbage.write_bytes(b"\xff\xfe\x00kit: [")
    script = Path(sys.executable).with_name("assess")
    assert shutil.which(str(script)), "the `assess` console script is not installed"
    done = subprocess.run([str(script), "kit", "validate", str(garbage)], capture_output=True, text=True)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert f"{garbage}:0: cannot read file" in done.stderr


def test_validate_with_no_kit_files_says_so(tmp_path: Path) -> None:
    code, _, err = _run("kit", "validate", str(tmp_path))
    assert code == 1
    assert err.splitlines() == [f"{tmp_path}:0: no kit files found", "1 problem(s) found; nothing loaded."]
