"""The banks table and the import page: counts, bank file names, format detection, the kept file."""

from __future__ import annotations

import io
import random
import re
import zipfile
from pathlib import Path

import pytest
from authoring_setup import row_counts, text_of
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker
from staff_client import csrf_token
from werkzeug.test import TestResponse

from assess.services.authoring import live_banks
from assess.services.bank_exchange import detect_format, pack_upload, unpack_upload
from items.bank import Catalogue

EXTERNAL = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "external"
GIFT = EXTERNAL / "gift" / "questions.gift.txt"
AIKEN = EXTERNAL / "aiken" / "questions.aiken.txt"
KEPT = re.compile(r'name="kept_file"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="kept_file"')


def post_import(author: FlaskClient, action: str, file: Path | None = None, **fields: str) -> TestResponse:
    data: dict[str, object] = {
        "csrf_token": csrf_token(author, "/staff/"),
        "format": "",
        "bank": "imported",
        "id_prefix": "",
        "action": action,
        **fields,
    }
    if file is not None:
        data["file"] = (io.BytesIO(file.read_bytes()), file.name)
    return author.post("/staff/authoring/import", data=data, content_type="multipart/form-data")


def test_banks_table_counts_items_and_names_files_relative_to_the_bank_folder(
    author: FlaskClient,
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    catalogue_path: Path,
) -> None:
    assert post_import(author, "save", AIKEN, bank="aiken-bank").status_code == 302
    page = text_of(author.get("/staff/authoring/"))
    assert "built-in method" not in page and "<bound method" not in page
    assert str(catalogue_path.resolve()) not in page and str(catalogue_path) not in page
    with session_factory() as session:
        live = live_banks(session, catalogue)
    for bank, path in live.banks.items():
        row = re.search(
            rf'<tr>\s*<th scope="row"><a href="/staff/authoring/banks/{re.escape(bank)}">.*?</tr>', page, re.S
        )
        assert row, bank
        cells = re.findall(r"<td>(.*?)</td>", row.group(0), re.S)
        assert cells[1].startswith(str(len(live.bank_items(bank)))), (bank, cells[1])
        if path:
            relative = Path(path).resolve().relative_to(catalogue_path.resolve()).as_posix()
            assert f"bank file <code>{relative}</code>" in cells[2]
        else:
            assert "the database" in cells[2]
        assert f'href="/staff/authoring/banks/{bank}/export.yaml"' in cells[3]
    assert "browser only" not in page
    assert "stored in the database" in text_of(author.get("/staff/authoring/banks/aiken-bank"))


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("gift/questions.gift.txt", "gift"),
        ("gift/examples.txt", "gift"),
        ("aiken/questions.aiken.txt", "aiken"),
        ("aiken/aiken_errors.txt", "aiken"),
        ("moodle_xml/essay_testquestion.moodle.xml", "moodle"),
        ("qti21/choice.xml", "qti"),
        ("qti30/order.xml", "qti"),
    ],
)
def test_the_import_format_is_told_from_the_file(fixture: str, expected: str) -> None:
    path = EXTERNAL / fixture
    assert detect_format(path.name, path.read_bytes()) == expected
    # The content alone is enough when the name says nothing.
    assert detect_format("upload", path.read_bytes()) == expected


def test_a_gift_file_imports_as_gift_without_choosing_the_format(
    author: FlaskClient, session_factory: sessionmaker[Session]
) -> None:
    page = author.get("/staff/authoring/import").get_data(as_text=True)
    assert re.search(
        r'<select[^>]*name="format"[^>]*><option selected value="">Detect from the file</option>', page
    )
    checked = post_import(author, "check", GIFT)
    text = text_of(checked)
    assert "read as GIFT (told from the file)" in text
    assert "questions.gift.txt:" in text and "items read" in text
    assert "no ANSWER line" not in text and "has no question before it" not in text


def test_import_after_check_saves_the_checked_file_without_choosing_it_again(
    author: FlaskClient, session_factory: sessionmaker[Session], catalogue: Catalogue
) -> None:
    checked = post_import(author, "check", AIKEN, bank="kept-bank")
    assert checked.status_code == 200, text_of(checked)
    kept = KEPT.search(checked.get_data(as_text=True))
    assert kept, "the checked file is not kept on the page"
    assert "File checked: <strong>questions.aiken.txt</strong>" in text_of(checked)
    before = row_counts(session_factory)
    saved = post_import(
        author,
        "save",
        bank="kept-bank",
        kept_file=kept.group(1) or kept.group(2),
        kept_name="questions.aiken.txt",
    )
    assert saved.status_code == 302, text_of(saved)
    assert row_counts(session_factory)["authored_items"] > before["authored_items"]
    with session_factory() as session:
        assert live_banks(session, catalogue).bank_items("kept-bank")


@pytest.mark.parametrize(
    ("kept_file", "message"),
    [
        ("", "Choose the file to import."),
        ("not base64 at all!", "the checked file could not be read back; choose the file again"),
        (pack_upload(b"x" * (600 * 1024)), "the checked file is larger than an upload may be"),
    ],
)
def test_a_missing_or_damaged_kept_file_is_refused_and_saves_nothing(
    author: FlaskClient, session_factory: sessionmaker[Session], kept_file: str, message: str
) -> None:
    before = row_counts(session_factory)
    response = post_import(author, "save", kept_file=kept_file, kept_name="questions.aiken.txt")
    assert response.status_code == 422
    assert message in text_of(response)
    assert row_counts(session_factory) == before


def test_an_unrecognisable_file_asks_for_its_format(author: FlaskClient, tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("Just some notes, no questions here.\n")
    response = post_import(author, "check", source)
    assert response.status_code == 422
    assert "notes.txt: its format could not be told from its name or content; choose the format." in text_of(
        response
    )


def test_a_packed_upload_reads_back_unchanged() -> None:
    data = AIKEN.read_bytes()
    assert unpack_upload(pack_upload(data), len(data)) == data


def test_a_package_too_large_to_post_back_asks_to_be_chosen_again(
    author: FlaskClient, tmp_path: Path
) -> None:
    package = tmp_path / "package.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.write(EXTERNAL / "qti21" / "choice.xml", "choice.xml")
        # An image that no compression shrinks, as packages carry them.
        archive.writestr("picture.png", random.Random(7).randbytes(400 * 1024), zipfile.ZIP_STORED)
    checked = post_import(author, "check", package)
    assert checked.status_code == 200, text_of(checked)
    text = text_of(checked)
    assert "read as QTI 2.1 or 3.0 (told from the file)" in text
    assert "It is too large to keep on this page: choose it again" in text
    kept = KEPT.search(checked.get_data(as_text=True))
    assert kept is not None and (kept.group(1) or kept.group(2) or "") == ""
