"""``assess analyze`` and the authoring statistics page give the same numbers for the same data.

Finished attempts are written to the database (through the services: report_campaign; and in
bulk, 60 candidates x 8 items, the report benchmark's builder), exported as the long CSV the
command reads (candidate_id,item_id,score,max_score; a score waiting for review left empty),
and the command's JSON is compared with what the statistics page computes
(``assess.services.item_statistics.form_analyses``): per item n, facility, discrimination,
alpha if deleted; per test n, mean, SD, alpha, SEM.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner
from flask import Flask
from report_campaign import build_report_campaign
from sqlalchemy import and_, select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import PASSWORD

from assess.cli import main
from assess.models import Attempt, AttemptItem, ItemScore
from assess.services.item_statistics import form_analyses

if TYPE_CHECKING:
    from conftest import ControllableClock

# The repository's bench/ package, ahead of tests/ (see tests/bench/test_report_bench.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.report_bench import build_campaign  # noqa: E402

ITEM_FIELDS = ("n", "max_score", "mean", "facility", "discrimination", "alpha_if_deleted", "flags")
TEST_FIELDS = ("n", "items", "mean", "sd", "alpha", "alpha_kind", "sem", "dropped_candidates")


def export_csv(session: Session, form_id: str, path: Path) -> int:
    """The form's finished attempts as ``assess analyze`` reads them; returns the rows written."""
    rows = session.execute(
        select(
            Attempt.id, AttemptItem.item_id, ItemScore.points, ItemScore.max_points, ItemScore.pending_review
        )
        .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
        .join(
            ItemScore,
            and_(ItemScore.attempt_id == AttemptItem.attempt_id, ItemScore.position == AttemptItem.position),
        )
        .where(Attempt.form_id == form_id, Attempt.finalized_at.is_not(None))
        .order_by(Attempt.id, AttemptItem.position)
    ).all()
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["candidate_id", "item_id", "score", "max_score"])
        for attempt_id, item_id, points, max_points, pending in rows:
            writer.writerow([attempt_id, item_id, "" if pending else str(points), str(max_points)])
    return len(rows)


def cli_analysis(path: Path) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["analyze", str(path), "--json"])
    assert result.exit_code == 0, result.output
    parsed: dict[str, Any] = json.loads(result.output)
    return parsed


def same(ours: Any, theirs: Any) -> bool:
    if isinstance(ours, float) and isinstance(theirs, float | int):
        return ours == pytest.approx(theirs, rel=1e-12, abs=1e-12)
    return bool(ours == theirs)


def assert_same(cli: dict[str, Any], page: dict[str, Any]) -> None:
    for field in TEST_FIELDS:
        assert same(cli["test"][field], page["test"][field]), (field, cli["test"][field], page["test"][field])
    assert [item["item_id"] for item in cli["items"]] == [item["item_id"] for item in page["items"]]
    for ours, theirs in zip(cli["items"], page["items"], strict=True):
        for field in ITEM_FIELDS:
            assert same(ours[field], theirs[field]), (ours["item_id"], field, ours[field], theirs[field])


def page_analysis(session: Session, form_id: str) -> dict[str, Any]:
    analysis = form_analyses(session)[form_id].analysis
    assert analysis is not None
    # Through JSON, as the command prints it: undefined statistics become null on both sides.
    parsed: dict[str, Any] = json.loads(json.dumps(analysis.as_json(), allow_nan=False))
    return parsed


def test_services_campaign_same_numbers(
    app: Flask,
    session_factory: sessionmaker[Session],
    clock: ControllableClock,
    tmp_path: Path,
) -> None:
    build_report_campaign(session_factory, clock(), PASSWORD)
    path = tmp_path / "report-form.csv"
    with session_factory() as session:
        assert export_csv(session, "report-form", path) == 4 * 3  # Ada, Ben, Cat, Dan: three items each
        page = page_analysis(session, "report-form")
    cli = cli_analysis(path)
    assert_same(cli, page)
    # Dan's written answer waits for review: missing on both sides, so three complete candidates.
    assert cli["test"]["n"] == 3
    assert cli["test"]["dropped_candidates"] == 1


def test_bulk_campaign_same_numbers(app: Flask, database_url: str, tmp_path: Path) -> None:
    engine = app.extensions["assess"].engine
    build_campaign(engine, candidates=60, items=8, scorecards=1)
    path = tmp_path / "bench-form.csv"
    with Session(engine) as session:
        assert export_csv(session, "bench-form", path) == 60 * 8
        page = page_analysis(session, "bench-form")
    cli = cli_analysis(path)
    assert_same(cli, page)
    assert cli["test"]["n"] == 60
    assert cli["test"]["alpha"] is not None
    assert all(item["discrimination"] is not None for item in cli["items"])
