"""The campaign report: ranking, section profile, funnel, charts and the CSV / XLSX / HTML exports."""

from __future__ import annotations

import base64
import csv
import io
import re
from datetime import UTC, datetime

import pandas as pd
import pytest
from openpyxl import load_workbook

from reports.campaign_frames import CampaignData, FrameInvalid, Labels
from reports.campaign_report import (
    FUNNEL_STAGES,
    RANKING_COLUMNS,
    CampaignReport,
    campaign_charts,
    campaign_report,
    funnel,
    ranking_table,
)
from reports.candidate_report import score_campaign
from reports.charts import score_distribution_chart, section_profile_chart
from reports.exports import campaign_html, campaign_xlsx, ranking_csv
from scoring.outcome import CampaignRules

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
GENERATED_AT = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
# candidate: (name, detail points of 4, comm points of 4 or None = pending, ratings, red flag)
CANDIDATES: dict[str, tuple[str, int, int | None, tuple[int, ...], bool]] = {
    "c1": ("Ada", 4, 4, (4, 4), False),  # 100 / 100 -> 100.0
    "c2": ("Ben", 2, 4, (3, 3), False),  # 75 / 66.7 -> 70.0
    "c3": ("Cleo", 4, 2, (3, 3), False),  # 75 / 66.7 -> 70.0: tied with Ben
    "c4": ("Dev", 4, 4, (4, 4), True),  # perfect numbers, red flag
    "c5": ("Eve", 2, None, (2, 2), False),  # written answer awaiting review
    "c6": ('=HYPERLINK("http://x")', 0, 0, (1, 1), False),  # formula-looking name, low scores
}


def _data() -> CampaignData:
    assessment, scorecards, recommendations = [], [], []
    for candidate, (_, detail, comm, ratings, flag) in CANDIDATES.items():
        assessment.append((candidate, "detail", detail, 4, False))
        assessment.append((candidate, "communication", comm or 0, 4, comm is None))
        for n, rating in enumerate(ratings, start=1):
            scorecards.append((candidate, "interview", f"i{n}", "communication", rating))
            recommendations.append(
                (candidate, "interview", f"i{n}", 3, flag and n == 1, "lied" if flag else "")
            )
    return CampaignData(
        candidates=pd.DataFrame(
            {"candidate_id": list(CANDIDATES), "name": [v[0] for v in CANDIDATES.values()]}
        ),
        assessment=pd.DataFrame(
            assessment, columns=["candidate_id", "section_id", "points", "max_points", "pending_review"]
        ),
        scorecards=pd.DataFrame(
            scorecards, columns=["candidate_id", "stage_id", "interviewer_id", "competency_id", "rating"]
        ),
        recommendations=pd.DataFrame(
            recommendations,
            columns=[
                "candidate_id",
                "stage_id",
                "interviewer_id",
                "recommendation",
                "red_flag",
                "red_flag_note",
            ],
        ),
    )


def _statuses(reached: dict[str, int]) -> pd.DataFrame:
    """A status frame where each candidate reached the first ``reached[c]`` funnel stages."""
    return pd.DataFrame(
        [
            {"candidate_id": c, **{stage: n < reached[c] for n, stage in enumerate(FUNNEL_STAGES)}}
            for c in reached
        ]
    )


@pytest.fixture(scope="module")
def report() -> CampaignReport:
    scores = score_campaign(_data(), CampaignRules(must_haves={"communication": 2}))
    statuses = _statuses({"c1": 7, "c2": 7, "c3": 6, "c4": 7, "c5": 4, "c6": 6, "c7": 1, "c8": 2})
    return campaign_report("Account Manager <Spring>", scores, statuses, GENERATED_AT)


def test_ranking_orders_comparable_then_incomplete_then_overridden(report: CampaignReport) -> None:
    ranking = report.ranking
    assert list(ranking.columns) == list(RANKING_COLUMNS)
    assert ranking["candidate_id"].tolist() == ["c1", "c2", "c3", "c5", "c4", "c6"]
    assert ranking["rank"].tolist() == [1, 2, 2, pd.NA, pd.NA, pd.NA]
    assert ranking["combined_score"].tolist()[:3] == [100.0, 70.0, 70.0]
    assert ranking["override"].fillna("").tolist() == ["", "", "", "", "do not hire", "unsuitable"]
    assert ranking["decision"].isna().all()  # no decision recorded
    dev = ranking.set_index("candidate_id").loc["c4"]
    assert dev["combined_score"] == 100.0 and dev["override"] == "do not hire"  # numbers shown, overridden
    eve = ranking.set_index("candidate_id").loc["c5"]
    assert eve["status"] == "incomplete" and pd.isna(eve["combined_score"])
    assert eve["missing"] == ("1 answer(s) awaiting review",)


def test_ranking_puts_incomplete_candidates_by_test_percent_without_rank() -> None:
    outcomes = pd.DataFrame(
        {
            "name": ["a", "b", "c"],
            "email": ["a@example.com", "b@example.com", "c@example.com"],
            "test_percent": [40.0, 90.0, float("nan")],
            "percentile": [25.0, 75.0, float("nan")],
            "interview_percent": [float("nan")] * 3,
            "combined_score": [float("nan")] * 3,
            "status": ["incomplete"] * 3,
            "decision": [None] * 3,
            "overrides": [()] * 3,
            "missing": [("not interviewed",)] * 3,
        },
        index=pd.Index(["a", "b", "c"], name="candidate_id"),
    )
    ranking = ranking_table(outcomes)
    assert ranking["candidate_id"].tolist() == ["b", "a", "c"]
    assert ranking["rank"].isna().all()


def test_section_summary_and_scores(report: CampaignReport) -> None:
    summary = report.section_summary.set_index("section_id").drop(columns="section")
    assert summary.loc["detail"].tolist() == [6, 66.7, 75.0, 0.0, 100.0]  # 100, 50, 100, 100, 50, 0
    assert summary.loc["communication"].tolist() == [5, 70.0, 100.0, 0.0, 100.0]  # Eve's is pending
    eve = report.section_scores.query("candidate_id == 'c5'").set_index("section_id")
    assert eve.loc["communication", "pending"] == 1 and pd.isna(eve.loc["communication", "percent"])


def test_funnel_counts_each_stage_with_shares(report: CampaignReport) -> None:
    assert report.funnel["stage"].tolist() == list(FUNNEL_STAGES)
    assert report.funnel["candidates"].tolist() == [8, 7, 6, 6, 5, 5, 3]
    assert report.funnel["of_invited"].tolist() == [100.0, 87.5, 75.0, 75.0, 62.5, 62.5, 37.5]
    assert report.funnel["of_previous"].tolist() == [100.0, 87.5, 85.7, 100.0, 83.3, 100.0, 60.0]


def test_funnel_of_nobody_invited_has_no_shares() -> None:
    table = funnel(pd.DataFrame(columns=["candidate_id", *FUNNEL_STAGES]))
    assert table["candidates"].tolist() == [0] * len(FUNNEL_STAGES)
    assert table["of_invited"].isna().all() and table["of_previous"].isna().all()


@pytest.mark.parametrize(
    ("statuses", "message"),
    [
        (pd.DataFrame({"candidate_id": ["a"], "invited": [True]}), "missing column"),
        (_statuses({"a": 1}).assign(started="yes"), "started: 1 row"),
        (pd.concat([_statuses({"a": 1}), _statuses({"a": 2})]), "not unique"),
    ],
)
def test_funnel_rejects_bad_status_frames(statuses: pd.DataFrame, message: str) -> None:
    with pytest.raises(FrameInvalid, match=message):
        funnel(statuses)


def test_charts_are_png_images_with_title_and_alt_text(report: CampaignReport) -> None:
    distribution, profile = campaign_charts(report)
    for chart in (distribution, profile):
        assert chart.png.startswith(PNG_SIGNATURE)
        assert chart.title and chart.alt_text
        assert base64.b64decode(chart.data_uri().split(",", 1)[1]) == chart.png
    assert distribution.title == "Score distribution"
    # Test %: 100, 75, 75, 100, 0 (Eve's awaits review); every complete candidate has a combined score.
    assert "Test %: 5 candidates, median 75.0; per band 0-9: 1, 10-19: 0," in distribution.alt_text
    assert "70-79: 2, 80-89: 0, 90-100: 2." in distribution.alt_text
    assert "Combined %: 5 candidates, median 70.0;" in distribution.alt_text
    assert "detail: mean 66.7 %, from 0.0 % to 100.0 % (6 candidates)" in profile.alt_text


def test_charts_of_no_scores_still_render_and_say_so() -> None:
    empty = pd.Series(dtype=float)
    distribution = score_distribution_chart(empty, empty)
    profile = section_profile_chart(pd.DataFrame(columns=["section", "candidates", "mean", "min", "max"]))
    assert distribution.png.startswith(PNG_SIGNATURE) and "Test %: none yet." in distribution.alt_text
    assert profile.png.startswith(PNG_SIGNATURE) and "no final section scores yet" in profile.alt_text


def test_the_same_data_gives_the_same_chart_bytes(report: CampaignReport) -> None:
    assert campaign_charts(report)[0].png == campaign_charts(report)[0].png


def test_csv_round_trips_the_ranking(report: CampaignReport) -> None:
    data = ranking_csv(report)
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM, so that Excel reads UTF-8 names right
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    expected = report.ranking.copy()
    for column in ("overrides", "missing"):
        expected[column] = expected[column].map(lambda sentences: "; ".join(sentences) or float("nan"))
    expected["name"] = expected["name"].replace({CANDIDATES["c6"][0]: "'" + CANDIDATES["c6"][0]})
    expected["email"] = float("nan")  # these candidates have no email: an empty cell
    pd.testing.assert_frame_equal(back, expected, check_dtype=False)


def test_csv_defuses_formula_looking_text(report: CampaignReport) -> None:
    assert "'=HYPERLINK(" in ranking_csv(report).decode("utf-8-sig")


def test_xlsx_has_formatted_sheets_that_openpyxl_reads_back(report: CampaignReport) -> None:
    workbook = load_workbook(io.BytesIO(campaign_xlsx(report)))
    assert workbook.sheetnames == ["Ranking", "Sections", "Section detail", "Section communication", "Funnel"]
    ranking = workbook["Ranking"]
    assert [cell.value for cell in ranking[1]][:5] == [
        "Rank",
        "Candidate",
        "Email",
        "Combined %",
        "Test %",
    ]
    assert all(cell.font.bold for cell in ranking[1])
    assert ranking.freeze_panes == "A2"
    assert ranking.auto_filter.ref == f"A1:O{len(report.ranking) + 1}"  # every column but the id
    assert [ranking.cell(row, 2).value for row in range(2, 8)] == report.ranking["name"].tolist()
    assert ranking["D2"].value == 100.0 and ranking["D2"].number_format == "0.0"
    assert ranking["A2"].value == 1 and ranking["A2"].number_format == "0"
    assert ranking["D5"].value is None  # incomplete: an empty cell, not 0
    formula_name = ranking.cell(7, 2)
    assert formula_name.value == CANDIDATES["c6"][0] and formula_name.data_type == "s"
    section = workbook["Section communication"]
    assert [cell.value for cell in section[1]] == ["Candidate", "Items", "Awaiting review", "Percent"]
    assert section.freeze_panes == "A2" and section.auto_filter.ref == "A1:D7"
    assert section["D2"].value == 100.0 and section["D7"].value is None  # pending sorts last
    funnel_sheet = workbook["Funnel"]
    assert [funnel_sheet.cell(row, 2).value for row in range(2, 9)] == [8, 7, 6, 6, 5, 5, 3]


def test_xlsx_sheet_names_follow_excel_rules() -> None:
    scores = score_campaign(
        CampaignData(
            candidates=pd.DataFrame({"candidate_id": ["a"], "name": ["A"]}),
            assessment=pd.DataFrame(
                [
                    ("a", "account/metrics: a very long section name", 1, 1, False),
                    ("a", "account/metrics: a very long section name 2", 1, 1, False),
                ],
                columns=["candidate_id", "section_id", "points", "max_points", "pending_review"],
            ),
            scorecards=pd.DataFrame(
                columns=["candidate_id", "stage_id", "interviewer_id", "competency_id", "rating"]
            ),
            recommendations=pd.DataFrame(
                columns=[
                    "candidate_id",
                    "stage_id",
                    "interviewer_id",
                    "recommendation",
                    "red_flag",
                    "red_flag_note",
                ]
            ),
        ),
        CampaignRules(),
    )
    report = campaign_report("t", scores, _statuses({"a": 3}), GENERATED_AT)
    names = load_workbook(io.BytesIO(campaign_xlsx(report))).sheetnames
    assert names[2:4] == ["Section account_metrics_ a very", "Section account_metrics_ a ve~2"]
    assert all(len(name) <= 31 for name in names)


def test_html_is_a_standalone_printable_page(report: CampaignReport) -> None:
    html = campaign_html(report)
    assert html.startswith("<!doctype html>") and '<html lang="en">' in html
    assert "<title>Account Manager &lt;Spring&gt; · campaign report</title>" in html  # escaped
    assert "@media print" in html and "break-before: page" in html and "@page" in html
    images = re.findall(r'<img src="data:image/png;base64,([^"]+)" alt="([^"]+)">', html)
    assert len(images) == 2
    assert all(base64.b64decode(data).startswith(PNG_SIGNATURE) for data, _ in images)
    assert images[0][1].startswith("Bar chart of candidates per 10-point percent band.")
    for name in ("Ada", "Ben", "Cleo", "Dev", "Eve", "=HYPERLINK(&#34;http://x&#34;)"):
        assert f"<td>{name}</td>" in html
    assert '<td class="decision">do not hire</td>' in html
    assert "generated 2025-03-01 09:30 UTC" in html
    assert not re.search(r'(src|href)="(?!data:)', html)  # nothing to fetch: it prints offline


LABELS = Labels(
    sections={"detail": "Attention to detail", "communication": "Written communication"},
    stages={"interview": "Structured interview"},
    competencies={"communication": "Clear communication"},
)


def _labelled_report(decisions: pd.DataFrame | None = None) -> CampaignReport:
    data = _data()
    labelled = CampaignData(
        data.candidates.assign(email=[f"{key}@example.com" for key in CANDIDATES]),
        data.assessment,
        data.scorecards,
        data.recommendations,
        labels=LABELS,
    )
    scores = score_campaign(labelled, CampaignRules(must_haves={"communication": 2}))
    return campaign_report("Labelled", scores, _statuses({c: 7 for c in CANDIDATES}), GENERATED_AT, decisions)


def test_reports_and_exports_name_sections_stages_and_competencies_never_their_ids() -> None:
    report = _labelled_report()
    ranking = report.ranking.set_index("candidate_id")
    assert ranking.loc["c6", "overrides"] == (
        "Clear communication: rated 1.00, below the must-have minimum of 2",
    )
    assert ranking.loc["c4", "overrides"][0].startswith("red flag at Structured interview by i1")
    assert report.section_summary["section"].tolist() == ["Attention to detail", "Written communication"]
    assert "Attention to detail: mean 66.7 %" in campaign_charts(report)[1].alt_text
    workbook = load_workbook(io.BytesIO(campaign_xlsx(report)))
    assert workbook.sheetnames[2:4] == ["Section Attention to detail", "Section Written communication"]
    cells = [
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    assert not {"detail", "communication", "interview"} & set(cells)
    html = campaign_html(report)
    assert "Clear communication at least 2" in html and "<td>Written communication</td>" in html
    assert "<td>detail</td>" not in html and "<td>communication</td>" not in html
    for exported in ("\n".join(cells), html, ranking_csv(report).decode("utf-8-sig")):
        assert "communication: rated" not in exported.replace("Clear communication", "")
        assert "red flag at interview " not in exported


def test_a_recorded_decision_shows_with_who_and_when_in_every_export() -> None:
    decided_at = datetime(2025, 3, 2, 14, 5, tzinfo=UTC)
    decisions = pd.DataFrame(
        [("c1", "Hire", "Rex Recruiter", decided_at)],
        columns=["candidate_id", "decision", "decided_by", "decided_at"],
    )
    report = _labelled_report(decisions)
    ada = report.ranking.set_index("candidate_id").loc["c1"]
    assert (ada["decision"], ada["decided_by"]) == ("Hire", "Rex Recruiter")
    row = next(csv.DictReader(io.StringIO(ranking_csv(report).decode("utf-8-sig"))))
    assert (row["decision"], row["decided_by"], row["decided_at"]) == (
        "Hire",
        "Rex Recruiter",
        "2025-03-02 14:05",
    )
    sheet = load_workbook(io.BytesIO(campaign_xlsx(report)))["Ranking"]
    header = [cell.value for cell in sheet[1]]
    first = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert (first["Decision"], first["Decided by"], first["Decided (UTC)"]) == (
        "Hire",
        "Rex Recruiter",
        "2025-03-02 14:05",
    )
    assert "<td>Hire</td>" in campaign_html(report) and "<td>2025-03-02 14:05</td>" in campaign_html(report)


def test_decisions_must_name_one_decision_per_candidate() -> None:
    twice = pd.DataFrame(
        [("c1", "Hire", "R", GENERATED_AT), ("c1", "Hold", "R", GENERATED_AT)],
        columns=["candidate_id", "decision", "decided_by", "decided_at"],
    )
    with pytest.raises(FrameInvalid, match="one decision in force per candidate"):
        _labelled_report(twice)
