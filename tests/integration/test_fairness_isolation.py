"""Self-identification never reaches graders or interviewers: in the code, and on every page they can reach.

Who may read the answers: the candidate (their own form) and admin (counts per group on the
fairness page). The code check walks the imports; the page check signs in as an interviewer
and as a recruiter, follows every link under /staff they can open, downloads included, and
looks for the answers in what comes back.
"""

from __future__ import annotations

import ast
import html
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from candidate_client import Candidate
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from report_campaign import ReportCampaign, build_report_campaign
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import PASSWORD, StaffClient, sign_in

from assess.models.self_identification import SelfIdentification

if TYPE_CHECKING:
    from conftest import ControllableClock

ASSESS = Path(__file__).resolve().parents[2] / "assess"
#: module -> the only modules allowed to import it.
READERS = {
    "assess.models.self_identification": {
        "assess.models",
        "assess.services.self_identification",
        "assess.services.fairness",
    },
    "assess.services.self_identification": {
        "assess.candidate.self_identification",
        "assess.services.fairness",
        # The demo's cohort answers as candidates would, on their done page; it shows nothing.
        "assess.demo.cohort",
    },
    "assess.services.fairness": {"assess.reports.fairness_pages"},
}
ANSWERS = {
    "Ada": {
        "gender": "non-binary",
        "ethnicity": "middle-eastern-north-african",
        "age": "40-or-over",
        "disability": "yes",
    },
    "Ben": {"ethnicity": "hispanic-latino", "gender": "another-way"},
}
#: What the answers (or the questions) look like on a page; none of it appears anywhere else in assess.
TELLTALES = re.compile(
    r"Non-binary|non-binary|Middle Eastern|middle-eastern|40 or over|40-or-over|Hispanic|hispanic-latino|"
    r"describe myself|another-way|disability|Ethnic background|Age group|about-you",
    re.IGNORECASE,
)
MAX_PAGES = 600


def module_name(path: Path) -> str:
    parts = path.relative_to(ASSESS.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_by(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_only_the_candidates_form_and_the_fairness_report_read_self_identification() -> None:
    wrong = []
    for path in ASSESS.rglob("*.py"):
        importer = module_name(path)
        for module, readers in READERS.items():
            if module in imported_by(path) and importer not in readers and importer != module:
                wrong.append(f"{importer} imports {module}")
    assert wrong == []
    # And no query elsewhere names the tables.
    for path in ASSESS.rglob("*.py"):
        if module_name(path) not in {"assess.models.self_identification"}:
            assert "self_identifications" not in path.read_text(encoding="utf-8"), path


@pytest.fixture
def answered(app: Flask, session_factory: sessionmaker[Session], clock: ControllableClock) -> ReportCampaign:
    built = build_report_campaign(session_factory, clock(), PASSWORD)
    for name, answers in ANSWERS.items():
        person = Candidate(app.test_client(), built.tokens[name])
        person.get("/about-you")
        assert person.post("/about-you", answers).status_code == 302
    return built


def readable(response_type: str, data: bytes) -> str:
    if response_type.startswith("application/vnd.openxmlformats"):
        workbook = load_workbook(io.BytesIO(data))
        return " ".join(
            str(value)
            for sheet in workbook
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value
        )
    return data.decode("utf-8-sig")


def crawl(client: FlaskClient) -> dict[str, str]:
    """Every /staff page this client can reach by following links (query strings left out), by path."""
    pages: dict[str, str] = {}
    queue = ["/staff/"]
    while queue and len(pages) < MAX_PAGES:
        path = queue.pop(0)
        if path in pages:
            continue
        response = client.get(path)
        pages[path] = (
            readable(response.content_type, response.get_data()) if response.status_code == 200 else ""
        )
        for link in re.findall(r'href="(/staff/[^"#?]*)', pages[path]):
            if html.unescape(link) not in pages:
                queue.append(html.unescape(link))
    assert len(pages) < MAX_PAGES, "the crawl did not finish"
    return pages


@pytest.mark.parametrize("who", ["ivy", "rex"], ids=["interviewer", "recruiter"])
def test_no_grader_or_interviewer_page_shows_the_answers(
    app: Flask, session_factory: sessionmaker[Session], answered: ReportCampaign, who: str
) -> None:
    client = app.test_client()
    assert sign_in(client, getattr(answered, who).email).status_code == 302
    pages = crawl(client)
    expected = [
        f"/staff/interviews/candidates/{answered.ids['Ada']}",
        f"/staff/review/attempts/{answered.attempts['Ada']}",
    ]
    if who == "rex":
        expected += [answered.candidate_url("Ada"), f"{answered.url}/download/xlsx", f"{answered.url}/print"]
    for path in expected:
        assert pages.get(path), f"the crawl never reached {path}"
    with session_factory() as session:
        ids = session.scalars(select(SelfIdentification.id)).all()
    assert len(ids) == 2
    shown = {path: TELLTALES.findall(text) for path, text in pages.items()}
    assert {path: found for path, found in shown.items() if found} == {}
    assert not [path for path, text in pages.items() if any(stored in text for stored in ids)]
    assert len(pages) > 20


def test_the_scan_would_see_the_answers_where_they_are_shown(
    answered: ReportCampaign, admin: StaffClient
) -> None:
    # The control: admin's fairness page counts the groups, so the telltales are found there.
    page = admin.get(f"{answered.url}/fairness").get_data(as_text=True)
    assert {"Non-binary", "Middle Eastern", "Hispanic", "40 or over"} <= set(TELLTALES.findall(page))
