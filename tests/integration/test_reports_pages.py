"""Report pages, downloads and ``assess report``: report_campaign's hand-worked numbers as people see them."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from report_campaign import CAMPAIGN, RED_FLAG_NOTE, TITLE, ReportCampaign, build_report_campaign
from sqlalchemy.orm import Session, sessionmaker
from staff_client import PASSWORD, StaffClient

from assess.cli import main
from reports.campaign_report import RANKING_COLUMNS

if TYPE_CHECKING:
    from conftest import ControllableClock

RANKED_ORDER = ["Ada", "Dan", "Eve", "Fay", "Cat", "Ben"]


@pytest.fixture
def built(app: Flask, session_factory: sessionmaker[Session], clock: ControllableClock) -> ReportCampaign:
    return build_report_campaign(session_factory, clock(), PASSWORD)


def text_of(html: str) -> str:
    """The page's text, tags dropped and whitespace folded, entities as the browser shows them."""
    plain = re.sub(r"<[^>]+>", " ", html).replace("&#39;", "'").replace("&amp;", "&").replace("&quot;", '"')
    return " ".join(plain.split())


def ranking_rows(html: str) -> list[str]:
    table = html[html.index('aria-labelledby="ranking-heading"') :]
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    return [text_of(row) for row in body.split("</tr>") if "<td" in row]


def test_campaign_report_ranks_shows_overrides_and_incomplete(
    recruiter: FlaskClient, built: ReportCampaign
) -> None:
    response = recruiter.get(built.url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    rows = ranking_rows(html)
    assert [row.split(" Candidate")[0].split()[-1] for row in rows] == RANKED_ORDER
    assert rows[0].startswith("1 Ada Candidate 83.9 87.5 50.0 81.5 Complete")
    assert rows[1].startswith(
        "— Dan Candidate incomplete not yet — 66.7 Incomplete 1 answer(s) awaiting review"
    )
    assert rows[2].startswith(
        "— Eve Candidate incomplete not yet — not yet Incomplete no assessment; not interviewed"
    )
    assert "Do not hire" in rows[4] and RED_FLAG_NOTE in rows[4]
    assert (
        "Unsuitable Communication (written and verbal): rated 1.00, below the must-have minimum of 2"
        in rows[5]
    )
    assert not any(" 0.0 " in row for row in rows)
    charts = re.findall(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+" alt="([^"]+)"', html)
    assert len(charts) == 2
    assert charts[0].startswith("Bar chart of candidates per 10-point percent band. Test %: 3 candidates")
    assert charts[1].startswith("Horizontal bar chart of the mean percent per test section. Warm-up: mean")
    funnel = text_of(html[html.index('aria-labelledby="funnel-heading"') :])
    assert "Invited 6 100.0 100.0 Started 5 83.3 83.3 Finished 4 66.7 80.0" in funnel
    assert "Decided 0 0.0" in funnel  # no decision recorded yet


def test_candidate_report_shows_sections_interviews_and_the_combined_score(
    recruiter: FlaskClient, built: ReportCampaign
) -> None:
    ada = text_of(recruiter.get(built.candidate_url("Ada")).get_data(as_text=True))
    assert "Combined % 83.9 %" in ada
    assert "Test 87.5 %, percentile 50.0 within the campaign" in ada
    assert "Interview 81.5 % (mean rating 3.44 on the 1–4 scale)" in ada
    assert "Warm-up 2 — 100.0 Writing 1 — 75.0 Test total (sections count equally) 3 — 87.5" in ada
    # Ian's 0 is counted apart (1 rating, 1 unrated), never averaged in as a low score.
    assert "Communication (written and verbal) 3.00 1 1 0 0.00 at least 2" in ada
    assert "Ivy Interviewer 3 Hire No" in ada and "Ian Interviewer 4 Strong Hire No" in ada
    assert "Override" not in ada

    dan = text_of(recruiter.get(built.candidate_url("Dan")).get_data(as_text=True))
    assert "Status Incomplete: 1 answer(s) awaiting review" in dan
    assert "Combined % Incomplete: not computed until every part is in" in dan
    assert "Writing 1 1 awaiting review" in dan and "Una" not in dan  # a draft is nobody's business yet

    cat = text_of(recruiter.get(built.candidate_url("Cat")).get_data(as_text=True))
    assert "Override: Do not hire" in cat and f"Yes : {built.kit.red_flags[0]}; {RED_FLAG_NOTE}" in cat
    ben = text_of(recruiter.get(built.candidate_url("Ben")).get_data(as_text=True))
    assert "Override: Unsuitable" in ben and "at least 2: below" in ben


def test_unknown_campaign_or_candidate_is_not_found(recruiter: FlaskClient, built: ReportCampaign) -> None:
    assert recruiter.get("/staff/reports/987654").status_code == 404
    assert recruiter.get(built.candidate_url("Gus")).status_code == 404  # revoked before starting
    assert recruiter.get(f"{built.url}/candidates/987654").status_code == 404
    assert recruiter.get(f"{built.url}/download/pdf").status_code == 404


@pytest.mark.parametrize("role", ["interviewer", "author"])
def test_reports_are_for_recruiters_and_admin(
    staff_client: Callable[..., StaffClient], built: ReportCampaign, role: str
) -> None:
    client = staff_client(role)
    for path in (built.url, built.candidate_url("Ada"), f"{built.url}/download/csv", f"{built.url}/print"):
        assert client.get(path).status_code == 403, path
    admin = staff_client("admin")
    page = admin.get(built.url).get_data(as_text=True)
    # Item analysis lives with the authors' statistics; admin, who may open both, gets the link.
    assert 'href="/staff/authoring/statistics"' in page and f'href="{built.url}/fairness"' in page


def test_csv_download_parses_with_the_ranking(recruiter: FlaskClient, built: ReportCampaign) -> None:
    response = recruiter.get(f"{built.url}/download/csv")
    assert response.headers["Content-Disposition"] == f'attachment; filename="{CAMPAIGN}-ranking.csv"'
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert list(rows[0]) == list(RANKING_COLUMNS)
    assert [row["name"] for row in rows] == [f"{name} Candidate" for name in RANKED_ORDER]
    assert (rows[0]["rank"], rows[0]["combined_score"], rows[0]["test_percent"]) == ("1", "83.9", "87.5")
    dan = rows[1]
    assert dan["combined_score"] == "" and dan["test_percent"] == "" and dan["status"] == "incomplete"
    assert rows[4]["override"] == "do not hire" and RED_FLAG_NOTE in rows[4]["overrides"]
    assert rows[0]["email"] == "ada@example.com" and rows[0]["decision"] == ""


def test_xlsx_download_opens_with_every_sheet(recruiter: FlaskClient, built: ReportCampaign) -> None:
    response = recruiter.get(f"{built.url}/download/xlsx")
    workbook = load_workbook(io.BytesIO(response.get_data()))
    assert workbook.sheetnames == ["Ranking", "Sections", "Section Warm-up", "Section Writing", "Funnel"]
    ranking = list(workbook["Ranking"].iter_rows(values_only=True))
    assert ranking[0][:4] == ("Rank", "Candidate", "Email", "Combined %")
    assert ranking[1][1:5] == ("Ada Candidate", "ada@example.com", 83.9, 87.5)
    assert ranking[2][1:4] == ("Dan Candidate", "dan@example.com", None)  # incomplete: an empty cell, never 0


def test_html_download_and_print_view_carry_the_ranking(
    recruiter: FlaskClient, built: ReportCampaign
) -> None:
    download = recruiter.get(f"{built.url}/download/html")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    shown = recruiter.get(f"{built.url}/print")
    assert "Content-Disposition" not in shown.headers
    for response in (download, shown):
        page = text_of(response.get_data(as_text=True))
        assert f"{TITLE} · campaign report" in page
        assert "1 Ada Candidate ada@example.com 83.9 87.5 50.0 81.5 complete" in page
    policy = shown.headers["Content-Security-Policy"]
    assert "style-src 'sha256-" in policy and "unsafe-inline" not in policy and "script-src" not in policy
    assert policy.startswith("default-src 'none'")


@pytest.fixture
def cli(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.chdir(tmp_path)
    env = {"DATABASE_URL": database_url, "SECRET_KEY": ""}

    def run(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    yield run


def test_cli_report_writes_each_format(cli: Any, built: ReportCampaign, tmp_path: Path) -> None:
    for file_format in ("csv", "xlsx", "html"):
        target = tmp_path / f"out.{file_format}"
        result = cli("report", CAMPAIGN, "--format", file_format, "-o", str(target))
        assert result.exit_code == 0, result.output
        assert f"{CAMPAIGN}, 6 candidates" in result.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text(encoding="utf-8-sig"))))
    assert [row["name"] for row in rows] == [f"{name} Candidate" for name in RANKED_ORDER]
    workbook = load_workbook(tmp_path / "out.xlsx")
    assert workbook["Ranking"]["D2"].value == 83.9
    assert "Ada Candidate" in (tmp_path / "out.html").read_text(encoding="utf-8")


def test_cli_report_of_an_unknown_campaign_fails_clearly(
    cli: Any, built: ReportCampaign, tmp_path: Path
) -> None:
    result = cli("report", "no-such-campaign", "--format", "csv", "-o", str(tmp_path / "out.csv"))
    assert result.exit_code == 1
    assert "no campaign 'no-such-campaign'" in result.output
    assert not (tmp_path / "out.csv").exists()
