"""The long table of scored responses that item analysis reads, from a frame or a CSV file.

One row per candidate and item: ``candidate_id``, ``item_id``, ``score`` and optionally
``max_score`` and ``response`` (the option chosen, for distractor tables). An empty
score means "no score" (not taken, or waiting for a reviewer): the row counts as missing,
exactly like an absent row. Scores are 0 or more; a ``max_score``, where given, is more
than 0, the same on every row of its item, and no score exceeds it.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

REQUIRED_COLUMNS = ("candidate_id", "item_id", "score")
OPTIONAL_COLUMNS = ("max_score", "response")
NUMBER_COLUMNS = ("score", "max_score")
#: The CSV line each row came from, so that problems found in the frame name it.
LINE = "line"


@dataclass(frozen=True)
class RowProblem:
    """One thing wrong with the table; ``line`` is the CSV line, when it came from a file."""

    line: int | None
    column: str
    message: str

    def describe(self, source: str) -> str:
        where = f"{source}:{self.line}" if self.line is not None else source
        return f"{where}: {self.column}: {self.message}"


class ScoredResponsesInvalid(ValueError):
    """Every problem found in a table of scored responses; nothing was analysed."""

    def __init__(self, problems: list[RowProblem], source: str = "scored responses") -> None:
        self.problems = problems
        self.source = source
        super().__init__("\n".join(self.messages()))

    def messages(self) -> list[str]:
        return [problem.describe(self.source) for problem in self.problems]


def read_scored_responses(lines: Iterable[str], source: str) -> pd.DataFrame:
    """Parse CSV text (header first) into a checked frame with a ``line`` column.

    Raises ``ScoredResponsesInvalid`` naming ``source``, line and column of every problem.
    """
    reader = csv.reader(lines)
    try:
        header = [name.strip() for name in next(reader, [])]
        problems = _header_problems(header)
        if problems:
            raise ScoredResponsesInvalid(problems, source)
        records = []
        last_line = reader.line_num
        for fields in reader:
            # A quoted field may span lines: a record starts on the line after the previous one ended.
            line, last_line = last_line + 1, reader.line_num
            if not any(field.strip() for field in fields):
                continue
            if len(fields) == len(header):
                records.append(_record(header, fields, line, problems))
            else:
                problems.append(RowProblem(line, "row", f"expected {len(header)} fields, got {len(fields)}"))
    except csv.Error as exc:  # e.g. a NUL byte: not a text CSV at all
        raise ScoredResponsesInvalid([RowProblem(reader.line_num or 1, "row", str(exc))], source) from None
    frame = pd.DataFrame.from_records(records, columns=[*header, LINE])
    for name in NUMBER_COLUMNS:
        if name in frame.columns:
            frame[name] = pd.to_numeric(frame[name]).astype(float)
    problems.extend(find_problems(frame))
    if problems:
        raise ScoredResponsesInvalid(sorted(problems, key=lambda p: p.line or 0), source)
    return frame


def _record(header: list[str], fields: list[str], line: int, problems: list[RowProblem]) -> dict[str, object]:
    record: dict[str, object] = {LINE: line}
    for name, text in zip(header, fields, strict=True):
        record[name] = _parse_cell(name, text.strip(), line, problems)
    return record


def _header_problems(header: list[str]) -> list[RowProblem]:
    if not header:
        return [RowProblem(1, "header", f"the file is empty; expected columns {','.join(REQUIRED_COLUMNS)}")]
    known = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    problems = [
        RowProblem(1, name, f"missing column; the header has {', '.join(header)}")
        for name in REQUIRED_COLUMNS
        if name not in header
    ]
    problems += [
        RowProblem(1, name or "(blank)", f"unknown column; expected some of {', '.join(known)}")
        for name in header
        if name not in known
    ]
    problems += [
        RowProblem(1, name, "column appears twice") for name in sorted(set(header)) if header.count(name) > 1
    ]
    return problems


def _parse_cell(name: str, text: str, line: int, problems: list[RowProblem]) -> object:
    if name not in NUMBER_COLUMNS:
        return text
    if not text:
        return math.nan
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        problems.append(RowProblem(line, name, f"{text!r} is not a number"))
        return math.nan
    return value


def find_problems(frame: pd.DataFrame) -> list[RowProblem]:
    """Problems with a frame of scored responses: columns, ids, ranges, duplicates, maxima."""
    missing = [name for name in REQUIRED_COLUMNS if name not in frame.columns]
    if missing:
        return [RowProblem(None, name, "missing column") for name in missing]
    for name in NUMBER_COLUMNS:
        if name in frame.columns and not pd.api.types.is_numeric_dtype(frame[name]):
            return [RowProblem(None, name, f"expected numbers, got {frame[name].dtype}")]
    rows = frame.reset_index(drop=True)
    lines = [int(line) for line in rows[LINE]] if LINE in rows.columns else None
    problems: list[RowProblem] = []

    def where(position: int) -> str:
        return f"line {lines[position]}" if lines is not None else f"row {frame.index[position]}"

    def report(position: int, column: str, message: str) -> None:
        if lines is None:
            problems.append(RowProblem(None, column, f"{where(position)}: {message}"))
        else:
            problems.append(RowProblem(lines[position], column, message))

    for name in ("candidate_id", "item_id"):
        for position in rows.index[rows[name].isna() | (rows[name].astype(str).str.strip() == "")]:
            report(position, name, "empty")
    score = rows["score"]
    for position in rows.index[score < 0]:
        report(position, "score", f"{_number(score[position])} is below 0")
    if "max_score" in rows.columns:
        top = rows["max_score"]
        for position in rows.index[top <= 0]:
            report(position, "max_score", f"{_number(top[position])} must be more than 0")
        for position in rows.index[score > top]:
            report(
                position, "score", f"{_number(score[position])} is above max_score {_number(top[position])}"
            )
        given = rows[top.notna()]
        first = _first_positions(given, ["item_id"])
        for position in given.index[given["max_score"].to_numpy() != top[first].to_numpy()]:
            report(
                position,
                "max_score",
                f"{_number(top[position])} differs from {_number(top[first[position]])} given for "
                f"item {rows['item_id'][position]} on {where(int(first[position]))}",
            )
    first = _first_positions(rows, ["candidate_id", "item_id"])
    for position in rows.index[rows.index.to_numpy() != first.to_numpy()]:
        report(
            position,
            "item_id",
            f"duplicate row for candidate {rows['candidate_id'][position]} and item "
            f"{rows['item_id'][position]} (first on {where(int(first[position]))})",
        )
    return problems


def _first_positions(rows: pd.DataFrame, keys: list[str]) -> pd.Series:
    """For each row, the index label of the first row with the same values in ``keys``."""
    labels = pd.Series(rows.index, index=rows.index)
    return labels.groupby([rows[key] for key in keys], sort=False, dropna=False).transform("first")


def _number(value: float) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)
