"""The campaign report as files: CSV, formatted XLSX, and an HTML page that prints to PDF.

Text a spreadsheet would run as a formula (a candidate named ``=HYPERLINK(...)``) stays text:
the XLSX stores it as a string cell, the CSV prefixes it with an apostrophe (OWASP's advice
against CSV injection). Lists of sentences (overrides, missing) are joined with "; ", and times
are written as "YYYY-MM-DD HH:MM" in UTC. Only the CSV carries an id column (candidate_id, for
joining with other systems); the XLSX and print show names and titles.
"""

from __future__ import annotations

import io
import math
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from reports.campaign_report import ID_COLUMNS, LABELS, CampaignReport, campaign_charts

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
PRINT_TEMPLATE = "reports/campaign_print.html"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SEPARATOR = "; "
ONE_DECIMAL = "0.0"
WHOLE = "0"
NUMBER_FORMATS = dict.fromkeys(("rank", "candidates", "items", "pending"), WHOLE) | dict.fromkeys(
    (
        "combined_score", "test_percent", "percentile", "interview_percent", "mean", "median", "min",
        "max", "percent", "of_invited", "of_previous",
    ),
    ONE_DECIMAL,
)  # fmt: skip
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
MAX_COLUMN_WIDTH = 60
SHEET_NAME_FORBIDDEN = str.maketrans({character: "_" for character in "[]:*?/\\"})

_environment = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined, trim_blocks=True,
    lstrip_blocks=True,
)  # fmt: skip


def _plain(value: Any) -> Any:
    """A cell value: sentences joined, missing values None, numpy scalars as Python ones."""
    if isinstance(value, tuple):
        return SEPARATOR.join(value) or None
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.item() if hasattr(value, "item") else value


def _defused(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def ranking_csv(report: CampaignReport) -> bytes:
    """The ranking as UTF-8 CSV with a byte-order mark, so that Excel reads names right."""
    table = pd.DataFrame(
        {
            column: pd.Series([_defused(_plain(value)) for value in values], dtype=object)
            for column, values in report.ranking.items()
        }
    )
    return table.to_csv(index=False).encode("utf-8-sig")


def _for_people(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=[column for column in ID_COLUMNS if column in frame.columns])


def _sheet_title(wanted: str, used: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique ignoring case."""
    base = wanted.translate(SHEET_NAME_FORBIDDEN)[:31]
    title, number = base, 1
    while title.lower() in used:
        number += 1
        title = f"{base[: 31 - len(str(number)) - 1]}~{number}"
    used.add(title.lower())
    return title


def _write_sheet(workbook: Workbook, title: str, frame: pd.DataFrame, used: set[str]) -> None:
    """One formatted sheet, streamed (the workbook is write-only: 10,000 candidates take seconds)."""
    sheet: Any = workbook.create_sheet(_sheet_title(title, used))
    labels = [LABELS.get(str(column), str(column)) for column in frame.columns]
    columns = [[_plain(value) for value in frame[column]] for column in frame.columns]
    # Sheet settings come before the rows in the file, so they are set before writing any.
    for number, (label, values) in enumerate(zip(labels, columns, strict=True), start=1):
        width = max([len(label), *(len(value) for value in values if isinstance(value, str))])
        sheet.column_dimensions[get_column_letter(number)].width = min(width + 2, MAX_COLUMN_WIDTH)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(labels))}{len(frame) + 1}"
    sheet.append([_header_cell(sheet, label) for label in labels])
    formats = [NUMBER_FORMATS.get(str(column)) for column in frame.columns]
    for row in zip(*columns, strict=True):
        sheet.append(
            [_cell(sheet, value, number_format) for value, number_format in zip(row, formats, strict=True)]
        )


def _header_cell(sheet: Any, label: str) -> Cell:
    cell = WriteOnlyCell(sheet, value=label)
    cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, Alignment(wrap_text=True, vertical="top")
    return cell


def _cell(sheet: Any, value: Any, number_format: str | None) -> Any:
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # openpyxl would otherwise store it as a live formula
        return cell
    if number_format is None or value is None or isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell


def campaign_xlsx(report: CampaignReport) -> bytes:
    """Sheets: Ranking, Sections (the profile), one per section (its candidates), Funnel."""
    workbook = Workbook(write_only=True)
    workbook.properties.title = report.title
    workbook.properties.creator = "assess"
    workbook.properties.created = report.generated_at
    used: set[str] = set()
    _write_sheet(workbook, "Ranking", _for_people(report.ranking), used)
    _write_sheet(workbook, "Sections", _for_people(report.section_summary), used)
    for _, scores in report.section_scores.groupby("section_id", sort=False):
        ordered = scores.sort_values(["percent", "name"], ascending=[False, True], na_position="last")
        title = str(ordered["section"].iloc[0])
        _write_sheet(workbook, f"Section {title}", _for_people(ordered).drop(columns="section"), used)
    _write_sheet(workbook, "Funnel", report.funnel, used)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text(value: Any) -> str:
    plain = _plain(value)
    if plain is None:
        return "—"
    return f"{plain:.1f}" if isinstance(plain, float) else str(plain)


def _table(frame: pd.DataFrame) -> dict[str, Any]:
    """Headings and display strings for the template; numbers are marked to align right."""
    columns = [str(column) for column in frame.columns]
    return {
        "columns": [
            {"name": column, "label": LABELS.get(column, column), "numeric": column in NUMBER_FORMATS}
            for column in columns
        ],
        "rows": [[_text(value) for value in row] for row in frame.itertuples(index=False)],
    }


def campaign_html(report: CampaignReport) -> str:
    """A standalone page (styles inline, charts as ``data:`` URIs) that prints cleanly to PDF."""
    ranking = report.ranking
    return _environment.get_template(PRINT_TEMPLATE).render(
        report=report,
        generated_at=report.generated_at.strftime("%Y-%m-%d %H:%M %Z").strip(),
        weights=(report.rules.assessment_weight, report.rules.interview_weight),
        must_haves=sorted(
            (report.labels.competency(competency), minimum)
            for competency, minimum in report.rules.must_haves.items()
        ),
        ranking=_table(_for_people(ranking)),
        overridden=ranking["override"].notna().to_list(),
        sections=_table(_for_people(report.section_summary)),
        funnel=_table(report.funnel),
        charts=campaign_charts(report),
    )
