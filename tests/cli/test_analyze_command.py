"""`assess analyze FILE.csv [--json]`, as an item author runs it on exported scores."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from assess.cli import main
from reports.item_analysis import analyze_items

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "analysis" / "small.csv"
# small.csv as a matrix (q4 is out of 2); c7 took only q1 and q2.
SMALL_COMPLETE = {
    "c1": [1, 1, 1, 2],
    "c2": [1, 1, 0, 2],
    "c3": [1, 0, 1, 1],
    "c4": [0, 1, 0, 1],
    "c5": [0, 0, 0, 0],
    "c6": [1, 0, 0, 1],
}


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["analyze", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def _analyze_json(path: Path) -> dict[str, Any]:
    code, out, err = _run(str(path), "--json")
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def _variance(values: list[float]) -> float:
    mean = sum(values) / len(values)
    return sum((v - mean) ** 2 for v in values) / (len(values) - 1)


def _pearson(x: list[float], y: list[float]) -> float:
    mx, my = sum(x) / len(x), sum(y) / len(y)
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    return sxy / math.sqrt(sum((a - mx) ** 2 for a in x) * sum((b - my) ** 2 for b in y))


def test_small_file_gives_hand_computed_statistics() -> None:
    data = _analyze_json(SMALL)
    rows = [[float(v) for v in row] for row in SMALL_COMPLETE.values()]
    totals = [sum(row) for row in rows]
    item_variances = sum(_variance([row[i] for row in rows]) for i in range(4))
    alpha = 4 / 3 * (1 - item_variances / _variance(totals))
    test = data["test"]
    assert (test["n"], test["items"], test["dropped_candidates"]) == (6, 4, 1)
    assert test["alpha_kind"] == "cronbach"  # q4 is scored 0-2
    assert test["mean"] == pytest.approx(sum(totals) / 6)
    assert test["sd"] == pytest.approx(math.sqrt(_variance(totals)))
    assert test["alpha"] == pytest.approx(alpha)
    assert test["sem"] == pytest.approx(math.sqrt(_variance(totals)) * math.sqrt(1 - alpha))
    items = {item["item_id"]: item for item in data["items"]}
    assert items["q1"]["n"] == 7 and items["q1"]["facility"] == pytest.approx(5 / 7)  # c7 counts here
    assert items["q4"]["facility"] == pytest.approx(7 / 12)
    q2 = [row[1] for row in rows]
    assert items["q2"]["discrimination"] == pytest.approx(
        _pearson(q2, [t - s for t, s in zip(totals, q2, strict=True)])
    )
    assert items["q1"]["distractors"]["b"] == {
        "count": 5,
        "proportion": pytest.approx(5 / 7),
        "upper": 2,  # c1 (5) and c2 (4): g = floor(0.27 * 6 + 0.5) = 2
        "upper_proportion": 1.0,
        "lower": 1,  # c5 (0), c4 and c6 (tied at 2): c6 chose b
        "lower_proportion": pytest.approx(1 / 3),
    }
    assert "(omitted)" in items["q1"]["distractors"]
    assert "distractors" not in items["q2"]  # no responses given for it
    assert any("Small sample" in warning for warning in test["warnings"])
    assert all(item["flags"] == [] for item in data["items"])


def test_cli_and_library_give_the_same_numbers() -> None:
    frame = pd.read_csv(SMALL, dtype={"response": str}, keep_default_na=False, na_values={"score": [""]})
    assert _analyze_json(SMALL) == json.loads(json.dumps(analyze_items(frame).as_json()))


def test_readable_table_without_json() -> None:
    code, out, err = _run(str(SMALL))
    assert code == 0, err
    assert out.startswith("Test: 6 complete candidate(s) (1 dropped), 4 item(s)")
    assert "alpha 0.72" in out
    assert any(line.split()[:3] == ["q1", "7", "0.71"] for line in out.splitlines())
    assert "Distractors for q1:" in out


def _irt_rows(seed: int, candidates: int) -> list[tuple[str, str, int, str]]:
    """2PL data: eight sound items, a pure-guess item and one nearly everyone gets right."""
    rng = random.Random(seed)
    items = [(f"q{i}", 1.7, b) for i, b in enumerate([-1.0, -0.7, -0.4, -0.1, 0.1, 0.4, 0.7, 1.0], 1)]
    items += [("guess", 0.0, 0.0), ("giveaway", 1.7, -4.0)]
    rows = []
    for c in range(candidates):
        ability = rng.gauss(0.0, 1.0)
        for item_id, a, b in items:
            correct = rng.random() < 1 / (1 + math.exp(-a * (ability - b)))
            rows.append((f"cand{c:04d}", item_id, int(correct), "a" if correct else rng.choice("bcd")))
    return rows


def _write(path: Path, header: str, rows: list[tuple[object, ...]]) -> Path:
    path.write_text(header + "\n" + "".join(",".join(map(str, row)) + "\n" for row in rows), encoding="utf-8")
    return path


def test_generated_data_flags_the_planted_weak_items(tmp_path: Path) -> None:
    path = _write(tmp_path / "irt.csv", "candidate_id,item_id,score,response", _irt_rows(20240611, 400))
    data = _analyze_json(path)
    assert data["test"]["alpha_kind"] == "kr20"
    assert data["test"]["n"] == 400 and data["test"]["dropped_candidates"] == 0
    assert not any("Small sample" in warning for warning in data["test"]["warnings"])
    flags = {item["item_id"]: set(item["flags"]) for item in data["items"]}
    assert {"low_discrimination", "lowers_reliability"} <= flags["guess"]
    assert "too_easy" in flags["giveaway"]
    assert all(flags[f"q{i}"] == set() for i in range(1, 9)), flags
    guess = next(item for item in data["items"] if item["item_id"] == "guess")
    # The keyed option draws the upper group no more than the lower one: nothing to discriminate.
    keyed = guess["distractors"]["a"]
    assert abs(keyed["upper_proportion"] - keyed["lower_proportion"]) < 0.2


def test_generated_sample_below_the_minimum_gets_a_warning_not_flags(tmp_path: Path) -> None:
    path = _write(tmp_path / "few.csv", "candidate_id,item_id,score,response", _irt_rows(7, 20))
    data = _analyze_json(path)
    assert all(item["flags"] == [] for item in data["items"])
    assert any("Small sample: 20 complete candidate(s)" in warning for warning in data["test"]["warnings"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "candidate_id,item_id\nc1,q1\n",
            "{path}:1: score: missing column; the header has candidate_id, item_id",
        ),
        ("candidate_id,item_id,score\nc1,q1,1\nc1,q2,lots\n", "{path}:3: score: 'lots' is not a number"),
        ("candidate_id,item_id,score,max_score\nc1,q1,3,2\n", "{path}:2: score: 3 is above max_score 2"),
        (
            "candidate_id,item_id,score\nc1,q1,1\nc1,q1,0\n",
            "{path}:3: item_id: duplicate row for candidate c1 and item q1 (first on line 2)",
        ),
    ],
)
def test_bad_csv_is_reported_by_file_line_and_column(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "scores.csv"
    path.write_text(text, encoding="utf-8")
    code, out, err = _run(str(path), "--json")
    assert code == 1
    assert out == ""
    lines = err.splitlines()
    assert lines[0] == expected.format(path=path)
    assert lines[-1] == "1 problem(s) found; nothing analysed."
    assert "Traceback" not in err


def test_unreadable_files_exit_1_without_a_traceback(tmp_path: Path) -> None:
    code, _, err = _run(str(tmp_path / "absent.csv"))
    assert code == 1 and err.startswith(f"{tmp_path / 'absent.csv'}: cannot read:")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"candidate_id,item_id,score\n\xff\xfe,q1,1\n")
    code, _, err = _run(str(binary))
    assert code == 1 and "cannot read" in err and "Traceback" not in err


def test_a_spreadsheet_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("candidate_id,item_id,score\nc1,q1,1\nc2,q1,0\n".encode("utf-8-sig"))
    assert _analyze_json(path)["items"][0]["facility"] == 0.5
