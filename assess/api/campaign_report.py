"""The campaign report, as JSON or as the CSV the staff report page downloads."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from assess.api import schemas
from assess.api.problems import not_found
from assess.api.registry import Call, FileReply, operation
from assess.db import db_session
from assess.services.api_reads import NotFound, campaign, campaign_report
from assess.web import app_kits, current_time
from reports.campaign_report import CampaignReport
from reports.exports import ranking_csv

CSV = "text/csv"


def _value(value: Any) -> Any:
    """A report cell as JSON wants it: missing values None, numpy scalars as Python ones, lists."""
    if isinstance(value, tuple):
        return list(value)
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _ranking(report: CampaignReport) -> list[schemas.RankingRow]:
    rows = report.ranking.to_dict(orient="records")
    return [
        schemas.RankingRow.model_validate({str(column): _value(value) for column, value in row.items()})
        for row in rows
    ]


@operation(
    "GET",
    "/campaigns/<int:campaign_id>/report",
    summary="Read the campaign report: the ranking with every candidate's figures, overrides and decision",
    scope="read",
    response=schemas.CampaignReport,
    query=schemas.ReportQuery,
    problems=(404,),
    media_types=(CSV,),
)
def read_campaign_report(call: Call, campaign_id: int) -> schemas.CampaignReport | FileReply:
    query: schemas.ReportQuery = call.query
    session = db_session()
    try:
        report = campaign_report(session, campaign_id, app_kits(), current_time())
    except NotFound as exc:
        raise not_found(exc) from None
    if query.format == "csv" or (query.format is None and call.media_type == CSV):
        slug = campaign(session, campaign_id).slug  # [a-z0-9-]: safe in a header
        return FileReply(ranking_csv(report), "text/csv; charset=utf-8", f"{slug}-ranking.csv")
    return schemas.CampaignReport(
        campaign_id=campaign_id,
        title=report.title,
        generated_at=report.generated_at,
        ranking=_ranking(report),
    )
