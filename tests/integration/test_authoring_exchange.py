"""Banks edited in the browser download as bank YAML the loader accepts; uploads of other formats import."""

from __future__ import annotations

import io
import re
from html import unescape
from pathlib import Path

from authoring_setup import create_item, new_choice_item, row_counts, save_edit, text_of
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import csrf_token, post
from werkzeug.test import TestResponse

from assess.cli import main
from assess.models import AuditEntry, ItemVersionLog
from assess.services.authoring import live_banks
from items.bank import Catalogue, load_banks

REPO = Path(__file__).resolve().parents[2]
EXTERNAL = REPO / "tests" / "fixtures" / "external"
AUTHORED_FORM = """\
id: authored-form
title: Authored form
time_limit_minutes: 10
sections:
  - id: mixed
    title: Mixed
    items:
      - new-question
      - draw: 1
        from: [process-best-upsell-target, process-feature-request]
"""


def test_every_bank_downloads_as_yaml_that_validates_with_the_same_versions(
    author: FlaskClient, session_factory: sessionmaker[Session], catalogue: Catalogue, tmp_path: Path
) -> None:
    assert create_item(author, **new_choice_item("new-question", bank="authored-bank")).status_code == 302
    assert save_edit(author, "process-renewal-first-step", title="Edited in the browser").status_code == 302
    assert post(author, "/staff/authoring/items/process-feature-request/retire").status_code == 302
    saved = post(
        author,
        "/staff/authoring/forms/new",
        {"bank": "authored-bank", "content": AUTHORED_FORM, "action": "save"},
    )
    assert saved.status_code == 302, text_of(saved)

    index = author.get("/staff/authoring/").get_data(as_text=True)
    links = sorted(set(re.findall(r'href="(/staff/authoring/banks/[^"/]+/export\.yaml)"', index)))
    with session_factory() as session:
        live = live_banks(session, catalogue)
    assert len(links) == len(live.banks)
    for link in links:
        response = author.get(link)
        assert response.status_code == 200
        assert response.mimetype == "application/yaml"
        assert "attachment" in response.headers["Content-Disposition"]
        (tmp_path / link.split("/")[-2]).with_suffix(".yaml").write_bytes(response.data)

    loaded = load_banks([tmp_path])
    assert {i: v.version for i, v in loaded.items.items()} == {
        i: v.item.version for i, v in live.items.items()
    }
    assert loaded.items["new-question"].bank == "authored-bank"
    assert loaded.items["process-renewal-first-step"].title == "Edited in the browser"
    assert {f: live.forms[f].spec for f in loaded.forms} == {
        f: live.forms[f].spec for f in live.forms
    } and set(loaded.forms) == set(live.forms)
    assert loaded.form_banks["authored-form"] == "authored-bank"
    assert "process-feature-request (on " in (tmp_path / "am-smb-process.yaml").read_text()
    result = CliRunner().invoke(main, ["bank", "validate", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (
        f"OK: {len(live.banks)} bank(s), {len(live.items)} item(s), {len(live.forms)} form(s)"
        in result.output
    )


def upload(
    author: FlaskClient, path: Path, format: str, action: str, bank: str = "imported", prefix: str = ""
) -> TestResponse:
    data = {
        "csrf_token": csrf_token(author, "/staff/"),
        "file": (io.BytesIO(path.read_bytes()), path.name),
        "format": format,
        "bank": bank,
        "id_prefix": prefix,
        "action": action,
    }
    return author.post("/staff/authoring/import", data=data, content_type="multipart/form-data")


def test_an_upload_shows_every_reported_problem_and_saves_the_items(
    author: FlaskClient, session_factory: sessionmaker[Session], catalogue: Catalogue
) -> None:
    source = EXTERNAL / "aiken" / "aiken_errors.txt"
    before = row_counts(session_factory)
    checked = upload(author, source, "aiken", "check")
    assert checked.status_code == 200
    page = text_of(checked)
    assert "aiken_errors.txt: 2 items read" in page
    for reported in (
        'aiken_errors.txt:1: "A question with too few answers" has 1 option(s); a question needs at least 2',
        "aiken_errors.txt:5: an option with no question before it",
        "aiken_errors.txt:7: an ANSWER line with no question before it",
        'aiken_errors.txt:14: "A question started but not finished" has no ANSWER line',
    ):
        assert reported in page
    assert "a-good-question" in page and "a-second-good-question" in page
    assert row_counts(session_factory) == before

    saved = upload(author, source, "aiken", "save", bank="aiken-bank")
    assert saved.status_code == 302, text_of(saved)
    with session_factory() as session:
        live = live_banks(session, catalogue)
        assert [i.item.item_id for i in live.bank_items("aiken-bank")] == [
            "a-good-question",
            "a-second-good-question",
        ]
        assert live.items["a-second-good-question"].item.key.model_dump()["correct"] == "b"
        notes = session.scalars(select(ItemVersionLog.note)).all()
        assert notes == ["imported from aiken_errors.txt"] * 2
        assert session.scalars(select(AuditEntry.action)).all()[-1] == "item.import"
    assert "a-good-question" in text_of(author.get("/staff/authoring/banks/aiken-bank"))


def test_an_import_whose_ids_clash_saves_nothing_until_prefixed(
    author: FlaskClient, session_factory: sessionmaker[Session]
) -> None:
    source = EXTERNAL / "aiken" / "questions.aiken.txt"
    assert upload(author, source, "aiken", "save").status_code == 302
    before = row_counts(session_factory)
    again = upload(author, source, "aiken", "save")
    assert again.status_code == 422
    assert (
        "id: an item with id 'the-moodle-project-was-started-by' already exists (bank imported)"
        in text_of(again)
    )
    assert row_counts(session_factory) == before
    prefixed = upload(author, source, "aiken", "save", prefix="copy-")
    assert prefixed.status_code == 302


def test_unreadable_uploads_are_refused_with_the_reason(
    author: FlaskClient, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    bomb = tmp_path / "laughs.xml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
        "<quiz>&lol2;</quiz>"
    )
    before = row_counts(session_factory)
    response = upload(author, bomb, "moodle", "save")
    assert response.status_code == 422
    assert "laughs.xml:" in text_of(response) and "nothing imported" in text_of(response)
    assert row_counts(session_factory) == before


def test_the_check_step_shows_what_became_of_each_question_with_the_counts(
    author: FlaskClient, session_factory: sessionmaker[Session]
) -> None:
    source = REPO / "tests" / "fixtures" / "interchange_summary" / "three_questions.moodle.xml"
    before = row_counts(session_factory)
    checked = upload(author, source, "moodle", "check")
    assert checked.status_code == 200
    html = checked.get_data(as_text=True)
    table = html[
        html.index('id="questions-heading"') : html.index("</table>", html.index('id="questions-heading"'))
    ]
    rows = [
        [
            unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    ]
    # One row a question, at its line in the file, as the command line prints it.
    assert rows[0] == ["4", "first-step", "imported as single_choice"]
    assert rows[1][:2] == ["12", "account-name"] and rows[1][2].startswith(
        "imported as record_entry; reported: "
    )
    assert rows[2] == [
        "19",
        "—",
        'reported: "Match the stages" (matching) is a matching question (pairs), which has no assess type',
    ]
    assert len(rows) == 3
    assert (
        "3 question(s): 1 imported as they are, 1 imported with something left behind, 1 not imported."
        in html
    )
    assert row_counts(session_factory) == before
