"""Each import fixture tells the same on the web import page's Check step as from ``assess bank import``.

For each file: the page's table of questions (line or identifier, item id, outcome) is the
command's summary table row for row, the counts and the reported lines are the same, the page
lists the items the command wrote, and Check stores nothing.
"""

from __future__ import annotations

import io
import re
from html import unescape
from pathlib import Path

import pytest
from authoring_setup import row_counts
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker
from staff_client import csrf_token

from assess.cli import main
from items.bank import load_banks

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
#: Each folder of import fixtures and the format its files are read as.
FOLDERS = {
    "qti_cases": "qti",
    "gift": "gift",
    "moodle_xml": "moodle",
    "interchange_summary": "moodle",
    "journey": "moodle",
    "external/qti21": "qti",
    "external/qti30": "qti",
    "external/moodle_xml": "moodle",
    "external/gift": "gift",
    "external/aiken": "aiken",
}
SOURCES = [
    (path, format)
    for folder, format in FOLDERS.items()
    for path in sorted((FIXTURES / folder).iterdir())
    if path.is_file() and path.name != "README.md"
]
#: What parts the cells of a row of the command's table.
CELL = "│"


def test_every_folder_of_import_fixtures_has_files_and_every_external_one_is_listed() -> None:
    assert {p.relative_to(FIXTURES).parent.as_posix() for p, _ in SOURCES} == set(FOLDERS)
    external = {f"external/{p.name}" for p in (FIXTURES / "external").iterdir() if p.is_dir()}
    assert external <= set(FOLDERS)


def _squeezed(text: str) -> str:
    """``text`` without whitespace.

    The command's table is 160 columns wide when stdout is not a terminal, so it wraps long
    cells, at a space or, for a long word, inside it.
    """
    return "".join(text.split())


def _command_rows(stdout: str) -> list[tuple[str, str, str]]:
    """(question, item, outcome) per row of the command's table, wrapped lines joined.

    A row's first line fills both the question and the item cell ("-" when empty); a wrapped
    line leaves at least one of them blank.
    """
    rows: list[list[str]] = []
    for line in stdout.splitlines():
        cells = [cell.strip() for cell in line.split(CELL)[1:-1]]
        if len(cells) != 3:
            continue
        if cells[0] and cells[1]:
            rows.append(cells)
        else:
            rows[-1] = [" ".join(filter(None, pair)) for pair in zip(rows[-1], cells, strict=True)]
    return [(_squeezed(q), _squeezed(i), _squeezed(o)) for q, i, o in rows]


def _page_rows(html: str) -> list[tuple[str, str, str]]:
    """(question, item, outcome) per row of the Check step's table of questions, dashes as the command's."""
    start = html.index('id="questions-heading"')
    table = html[start : html.index("</table>", start)]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]:
        cells = [
            unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        question, item, outcome = ("-" if cell == "—" else cell for cell in cells)
        rows.append((_squeezed(question), _squeezed(item), _squeezed(outcome)))
    return rows


def _page_list(html: str, heading: str) -> list[str]:
    """The items of the list under the h3 that starts with ``heading`` ([] when the page has none)."""
    found = re.search(rf"<h3>{re.escape(heading)}.*?</h3>\s*<ul[^>]*>(.*?)</ul>", html, re.S)
    if found is None:
        return []
    return [unescape(item) for item in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)]


def _page_item_ids(html: str) -> list[str]:
    """The ids in the Check step's table of imported items."""
    found = re.search(r"The items to save</h3>.*?<tbody>(.*?)</tbody>", html, re.S)
    if found is None:
        return []
    return [unescape(i) for i in re.findall(r'<th scope="row"><code>(.*?)</code></th>', found.group(1))]


@pytest.mark.parametrize(
    ("source", "format"), SOURCES, ids=[p.relative_to(FIXTURES).as_posix() for p, _ in SOURCES]
)
def test_check_on_the_import_page_shows_what_the_command_prints(
    source: Path,
    format: str,
    author: FlaskClient,
    session_factory: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    output = tmp_path / "bank.yaml"
    command = CliRunner().invoke(
        main, ["bank", "import", "--from", format, str(source), "-o", str(output)], catch_exceptions=False
    )
    assert command.exit_code in (0, 2), command.output

    before = row_counts(session_factory)
    checked = author.post(
        "/staff/authoring/import",
        data={
            "csrf_token": csrf_token(author, "/staff/"),
            "file": (io.BytesIO(source.read_bytes()), source.name),
            "format": format,
            "bank": "imported",
            "id_prefix": "",
            "action": "check",
        },
        content_type="multipart/form-data",
    )
    html = checked.get_data(as_text=True)
    assert checked.status_code in (200, 422), html
    assert row_counts(session_factory) == before, "Check stored something"

    assert _page_rows(html) == _command_rows(command.stdout)
    counts = re.search(r'<p id="question-counts">(.*?)</p>', html)
    assert counts is not None
    assert unescape(counts.group(1)) in command.stdout.splitlines()
    # The command names the file by the path it was given, the page by the uploaded name.
    assert _page_list(html, "Reported by the importer") == [
        line.replace(str(source), source.name, 1) for line in command.stderr.splitlines()
    ]
    assert (command.exit_code == 2) == bool(_page_list(html, "Reported by the importer"))
    assert _page_item_ids(html) == list(load_banks([output]).items)
    written = re.search(r"Wrote (\d+) item\(s\)", command.stdout)
    assert written is not None
    assert f"{source.name}: {written.group(1)} item{'' if written.group(1) == '1' else 's'} read" in unescape(
        html
    )
