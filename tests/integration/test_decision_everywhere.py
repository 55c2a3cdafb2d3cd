"""A decision recorded at the debrief shows wherever the candidate does; the debrief shows the test.

On report_campaign (tests/report_campaign.py): Rex records "Hire" for Ada through the debrief form.
"""

from __future__ import annotations

import csv
import io
import re
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from report_campaign import ReportCampaign, build_report_campaign
from sqlalchemy.orm import Session, sessionmaker
from staff_client import PASSWORD, post, sign_in

if TYPE_CHECKING:
    from conftest import ControllableClock

RATIONALE = "Strongest test and interviews; references to follow."


def text_of(html: str) -> str:
    plain = re.sub(r"<[^>]+>", " ", html).replace("&#39;", "'").replace("&amp;", "&").replace("&quot;", '"')
    return " ".join(plain.split())


@pytest.fixture
def built(app: Flask, session_factory: sessionmaker[Session], clock: ControllableClock) -> ReportCampaign:
    return build_report_campaign(session_factory, clock(), PASSWORD)


@pytest.fixture
def rex(app: Flask, built: ReportCampaign) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, built.rex.email).status_code == 302
    return client


def debrief_url(built: ReportCampaign, name: str) -> str:
    return f"/staff/interviews/candidates/{built.ids[name]}/debrief"


def test_a_recorded_decision_shows_with_who_and_when_in_pipeline_reports_and_exports(
    rex: FlaskClient, built: ReportCampaign, clock: ControllableClock
) -> None:
    when = clock().strftime("%Y-%m-%d %H:%M")
    recorded = post(
        rex, f"{debrief_url(built, 'Ada')}/decision", {"decision": "hire", "rationale": RATIONALE}
    )
    assert recorded.status_code == 302, recorded.get_data(as_text=True)

    pipeline = text_of(rex.get(f"/staff/campaigns/{built.campaign_id}").get_data(as_text=True))
    assert "ada@example.com Ada Candidate Decision recorded" in pipeline
    assert f"Hire by Rex Reviewer, {when} UTC" in pipeline
    decided = text_of(rex.get(f"/staff/campaigns/{built.campaign_id}?status=decided").get_data(as_text=True))
    assert "ada@example.com" in decided and "ben@example.com" not in decided

    report = rex.get(built.url).get_data(as_text=True)
    ada_row = next(row for row in report.split("</tr>") if "Ada Candidate" in row)
    assert f"Hire by Rex Reviewer, {when} UTC" in text_of(ada_row)
    assert "Decided 1 16.7" in text_of(report[report.index('aria-labelledby="funnel-heading"') :])

    candidate = text_of(rex.get(built.candidate_url("Ada")).get_data(as_text=True))
    assert f"Decision Hire , by Rex Reviewer, {when} UTC" in candidate

    rows = list(
        csv.DictReader(io.StringIO(rex.get(f"{built.url}/download/csv").get_data().decode("utf-8-sig")))
    )
    ada = next(row for row in rows if row["name"] == "Ada Candidate")
    assert (ada["decision"], ada["decided_by"], ada["decided_at"]) == ("Hire", "Rex Reviewer", when)
    assert next(row for row in rows if row["name"] == "Ben Candidate")["decision"] == ""

    sheet = load_workbook(io.BytesIO(rex.get(f"{built.url}/download/xlsx").get_data()))["Ranking"]
    table = list(sheet.iter_rows(values_only=True))
    by_name = {row[1]: dict(zip(table[0], row, strict=True)) for row in table[1:]}
    assert (
        by_name["Ada Candidate"]["Decision"],
        by_name["Ada Candidate"]["Decided by"],
        by_name["Ada Candidate"]["Decided (UTC)"],
    ) == ("Hire", "Rex Reviewer", when)

    printed = text_of(rex.get(f"{built.url}/print").get_data(as_text=True))
    assert f"Ada Candidate ada@example.com 83.9 87.5 50.0 81.5 complete Hire Rex Reviewer {when}" in printed


def test_reports_and_exports_show_section_titles_and_competency_names_never_ids(
    rex: FlaskClient, built: ReportCampaign
) -> None:
    pages = {
        "report": rex.get(built.url).get_data(as_text=True),
        "candidate": rex.get(built.candidate_url("Ben")).get_data(as_text=True),
        "print": rex.get(f"{built.url}/print").get_data(as_text=True),
        "csv": rex.get(f"{built.url}/download/csv").get_data().decode("utf-8-sig"),
    }
    workbook = load_workbook(io.BytesIO(rex.get(f"{built.url}/download/xlsx").get_data()))
    pages["xlsx"] = "\n".join(
        [*workbook.sheetnames]
        + [
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
        ]
    )
    for kind, text in pages.items():
        assert "warmup" not in text and "structured-interview" not in text, kind
        assert "communication: rated" not in text, kind
    for kind in ("report", "print", "xlsx"):
        assert "Warm-up" in pages[kind] and "Writing" in pages[kind], kind
    for kind in ("report", "candidate", "print", "csv", "xlsx"):
        assert "Communication (written and verbal): rated 1.00" in pages[kind], kind
    assert "Communication (written and verbal) at least 2" in text_of(pages["print"])
    assert "Section Warm-up" in workbook.sheetnames


def test_the_debrief_shows_the_test_result_and_says_when_a_section_is_incomplete(
    rex: FlaskClient, built: ReportCampaign
) -> None:
    ada = text_of(rex.get(debrief_url(built, "Ada")).get_data(as_text=True))
    assert "Test result" in ada
    assert "Warm-up 2 100.0 % Writing 1 75.0 % Test total 3 87.5 %" in ada
    assert f'href="/staff/review/attempts/{built.attempts["Ada"]}"' in rex.get(
        debrief_url(built, "Ada")
    ).get_data(as_text=True)

    dan = text_of(rex.get(debrief_url(built, "Dan")).get_data(as_text=True))
    assert "Warm-up 2 50.0 % Writing 1 Incomplete : 1 answer awaiting review" in dan
    assert "Test total 3 Incomplete : 1 answer awaiting review (50.0 % on what is graded so far)" in dan

    assert "No test taken yet." in text_of(rex.get(debrief_url(built, "Eve")).get_data(as_text=True))
    assert "The test is still running." in text_of(rex.get(debrief_url(built, "Fay")).get_data(as_text=True))
