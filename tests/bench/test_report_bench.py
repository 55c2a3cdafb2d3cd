"""The campaign report benchmark's code path, CI-sized: 200 candidates x 10 items x 3 scorecards.

The builder's bulk rows, loaded and scored the report's way, give the same numbers as the
frames the builder says it wrote, scored directly. No timing is asserted.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from assess.db import make_engine, upgrade_database
from assess.models import Campaign
from assess.services.report_data import campaign_kit, campaign_rules, funnel_statuses
from assess.services.scorecards import kit_catalogue
from reports.campaign_report import campaign_report
from reports.candidate_report import score_campaign

# tests/ is on sys.path (rootdir conftest), where tests/bench would pass for the package
# "bench"; the repository's own bench/ (a regular package) wins once the root is on the path.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.report_bench import Built, baseline, build_campaign, run_report  # noqa: E402

CANDIDATES, ITEMS, SCORECARDS = 200, 10, 3


@pytest.fixture
def built(database_url: str) -> Iterator[tuple[Engine, Built]]:
    upgrade_database(database_url)
    engine = make_engine(database_url)
    try:
        yield engine, build_campaign(engine, CANDIDATES, ITEMS, SCORECARDS)
    finally:
        engine.dispose()


def _sorted(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    return frame.sort_values(by).reset_index(drop=True)


def test_report_numbers_equal_the_frames_scored_directly(built: tuple[Engine, Built]) -> None:
    engine, campaign = built
    kits = kit_catalogue()
    timings, scores, report = run_report(engine, campaign.campaign_id, kits, repeat=1)
    assert min(timings.baseline, timings.load, timings.compute) > 0
    assert timings.ratio > 0

    with Session(engine) as session:
        stored = session.get(Campaign, campaign.campaign_id)
        assert stored is not None
        rules = campaign_rules(stored, campaign_kit(stored, kits))
        score_rows, card_rows = baseline(session, campaign.campaign_id)
        direct = score_campaign(campaign.expected, rules)
        statuses = funnel_statuses(session, stored, direct)
    assert len(score_rows) == CANDIDATES * ITEMS
    assert len(card_rows) == CANDIDATES * SCORECARDS

    pd.testing.assert_frame_equal(scores.outcomes, direct.outcomes, check_dtype=False)
    keys = ["candidate_id", "section_id"]
    pd.testing.assert_frame_equal(
        _sorted(scores.sections, keys), _sorted(direct.sections, keys), check_dtype=False
    )
    keys = ["candidate_id", "competency_id"]
    pd.testing.assert_frame_equal(
        _sorted(scores.competencies, keys), _sorted(direct.competencies, keys), check_dtype=False
    )
    expected = campaign_report(stored.title, direct, statuses, report.generated_at, tiers=campaign.tiers)
    pd.testing.assert_frame_equal(report.ranking, expected.ranking, check_dtype=False)
    pd.testing.assert_frame_equal(report.section_summary, expected.section_summary, check_dtype=False)
    pd.testing.assert_frame_equal(report.funnel, expected.funnel, check_dtype=False)

    # Everyone finished and was interviewed three times: all reach "interviewed", all are scored.
    assert report.funnel.set_index("stage")["candidates"].loc["interviewed"] == CANDIDATES
    assert scores.outcomes["test_percent"].notna().all()
    assert scores.outcomes["interview_mean"].notna().all()
    assert (scores.competencies["ratings"] + scores.competencies["unrated"] == SCORECARDS).all()
