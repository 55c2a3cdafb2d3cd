"""Reading the long CSV of scored responses: every problem named by line and column."""

from __future__ import annotations

import io
import math

import pandas as pd
import pytest

from reports.scored_responses import ScoredResponsesInvalid, find_problems, read_scored_responses


def _read(text: str) -> pd.DataFrame:
    return read_scored_responses(io.StringIO(text), "scores.csv")


def _problems(text: str) -> list[str]:
    with pytest.raises(ScoredResponsesInvalid) as raised:
        _read(text)
    return raised.value.messages()


def test_reads_rows_with_numbers_and_lines() -> None:
    frame = _read("candidate_id,item_id,score,max_score,response\nc1,q1,1.5,2,b\nc1,q2,0,1,\n")
    assert list(frame["score"]) == [1.5, 0.0]
    assert list(frame["max_score"]) == [2.0, 1.0]
    assert list(frame["response"]) == ["b", ""]
    assert list(frame["line"]) == [2, 3]


def test_empty_score_is_missing_not_zero() -> None:
    frame = _read("candidate_id,item_id,score\nc1,q1,\nc1,q2,1\n")
    assert math.isnan(frame["score"][0])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["scores.csv:1: header: the file is empty; expected columns candidate_id,item_id,score"]),
        (
            "candidate_id,score\nc1,1\n",
            ["scores.csv:1: item_id: missing column; the header has candidate_id, score"],
        ),
        (
            "candidate_id,item_id,score,max_scores\n",
            [
                "scores.csv:1: max_scores: unknown column; expected some of candidate_id, item_id, score, "
                "max_score, response"
            ],
        ),
        ("candidate_id,item_id,score\nc1,q1,three\n", ["scores.csv:2: score: 'three' is not a number"]),
        ("candidate_id,item_id,score\nc1,q1,nan\n", ["scores.csv:2: score: 'nan' is not a number"]),
        ("candidate_id,item_id,score\nc1,q1,-1\n", ["scores.csv:2: score: -1 is below 0"]),
        (
            "candidate_id,item_id,score,max_score\nc1,q1,3,2\n",
            ["scores.csv:2: score: 3 is above max_score 2"],
        ),
        (
            "candidate_id,item_id,score,max_score\nc1,q1,0,0\n",
            ["scores.csv:2: max_score: 0 must be more than 0"],
        ),
        ("candidate_id,item_id,score\n,q1,1\n", ["scores.csv:2: candidate_id: empty"]),
        ("candidate_id,item_id,score\nc1,q1,1,extra\n", ["scores.csv:2: row: expected 3 fields, got 4"]),
        (
            "candidate_id,item_id,score\nc1,q1,1\nc2,q1,1\nc1,q1,0\n",
            ["scores.csv:4: item_id: duplicate row for candidate c1 and item q1 (first on line 2)"],
        ),
        (
            "candidate_id,item_id,score,max_score\nc1,q1,1,2\nc2,q1,1,\nc3,q1,1,3\n",
            ["scores.csv:4: max_score: 3 differs from 2 given for item q1 on line 2"],
        ),
    ],
)
def test_bad_csv_names_file_line_and_column(text: str, expected: list[str]) -> None:
    assert _problems(text) == expected


def test_every_problem_is_reported_in_line_order() -> None:
    text = "candidate_id,item_id,score,max_score\nc1,q1,x,1\nc1,q2,5,1\nc1,q1,1,1\n"
    assert _problems(text) == [
        "scores.csv:2: score: 'x' is not a number",
        "scores.csv:3: score: 5 is above max_score 1",
        "scores.csv:4: item_id: duplicate row for candidate c1 and item q1 (first on line 2)",
    ]


def test_a_quoted_field_spanning_lines_keeps_later_line_numbers_right() -> None:
    text = 'candidate_id,item_id,score,response\nc1,q1,1,"two\nlines"\nc1,q2,x,a\n'
    assert _problems(text) == ["scores.csv:4: score: 'x' is not a number"]


def test_blank_lines_are_skipped() -> None:
    assert len(_read("candidate_id,item_id,score\n\nc1,q1,1\n\n")) == 1


def test_frame_problems_name_the_row_when_there_are_no_lines() -> None:
    frame = pd.DataFrame({"candidate_id": ["a", "a"], "item_id": ["q", "q"], "score": [1.0, 2.0]})
    (problem,) = find_problems(frame)
    assert (
        problem.describe("web")
        == "web: item_id: row 1: duplicate row for candidate a and item q (first on row 0)"
    )


def test_frame_without_a_score_column_or_with_text_scores_is_refused() -> None:
    assert [p.column for p in find_problems(pd.DataFrame({"candidate_id": [], "item_id": []}))] == ["score"]
    frame = pd.DataFrame({"candidate_id": ["a"], "item_id": ["q"], "score": ["1"]})
    assert "expected numbers" in find_problems(frame)[0].message


def test_a_field_the_csv_reader_cannot_take_is_a_problem_not_a_crash() -> None:
    text = 'candidate_id,item_id,score,response\nc1,q1,1,"' + "x" * 200_000 + '"\n'
    (message,) = _problems(text)
    assert message.startswith("scores.csv:2: row: field larger than field limit")
