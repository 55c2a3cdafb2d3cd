"""The report's database adapter: report_campaign's hand-worked numbers, from the services' rows."""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from report_campaign import (
    KIT,
    RED_FLAG_NOTE,
    REPORT_BANKS,
    ReportCampaign,
    build_report_campaign,
    report_catalogue,
)
from report_campaign import review as review_written
from scorecard_setup import REFERENCES, kit_candidate
from sqlalchemy.orm import Session, sessionmaker
from staff_client import PASSWORD, make_user

from assess.models import Campaign
from assess.services.regrade import apply_regrade
from assess.services.report_data import LoadedCampaign, campaign_rules, load_campaign
from assess.services.scorecards import ScorecardAnswers, kit_catalogue, save_scorecard
from items.bank import Catalogue
from reports.candidate_report import candidate_report
from scoring.outcome import DO_NOT_HIRE, UNSUITABLE

if TYPE_CHECKING:
    from conftest import ControllableClock


@pytest.fixture
def built(app: Flask, session_factory: sessionmaker[Session], clock: ControllableClock) -> ReportCampaign:
    return build_report_campaign(session_factory, clock(), PASSWORD)


def loaded(session_factory: sessionmaker[Session], built: ReportCampaign) -> LoadedCampaign:
    with session_factory() as session:
        return load_campaign(session, session.get_one(Campaign, built.campaign_id), kit_catalogue())


def outcome(data: LoadedCampaign, built: ReportCampaign, name: str) -> dict[str, object]:
    row = data.scores.outcomes.loc[built.ids[name]].to_dict()
    return {
        key: None if isinstance(value, float) and math.isnan(value) else value for key, value in row.items()
    }


def test_report_numbers_match_the_hand_worked_table(
    session_factory: sessionmaker[Session], built: ReportCampaign
) -> None:
    data = loaded(session_factory, built)
    assert sorted(data.scores.outcomes["name"]) == [
        f"{n} Candidate" for n in ("Ada", "Ben", "Cat", "Dan", "Eve", "Fay")
    ]
    ada = outcome(data, built, "Ada")
    assert (ada["test_percent"], ada["percentile"], ada["interview_mean"], ada["interview_percent"]) == (
        87.5, 50.0, 3.44, 81.5,
    )  # fmt: skip
    assert (ada["combined_score"], ada["status"], ada["decision"]) == (83.9, "complete", None)
    assert ada["email"] == "ada@example.com"
    ben = outcome(data, built, "Ben")
    assert (ben["test_percent"], ben["percentile"], ben["interview_mean"], ben["combined_score"]) == (
        31.3, 16.7, 1.89, 30.3,
    )  # fmt: skip
    assert ben["decision"] == UNSUITABLE
    assert ben["overrides"] == (
        "Communication (written and verbal): rated 1.00, below the must-have minimum of 2",
    )
    cat = outcome(data, built, "Cat")
    assert (cat["test_percent"], cat["percentile"], cat["combined_score"], cat["decision"]) == (
        100.0, 83.3, 100.0, DO_NOT_HIRE,
    )  # fmt: skip
    flag = built.kit.red_flags[0]
    assert cat["overrides"] == (
        f"red flag at Structured interview by Ivy Interviewer: {flag}; {RED_FLAG_NOTE}",
    )


def test_incomplete_candidates_have_no_combined_score_never_zero(
    session_factory: sessionmaker[Session], built: ReportCampaign
) -> None:
    data = loaded(session_factory, built)
    dan = outcome(data, built, "Dan")
    assert dan["status"] == "incomplete" and dan["missing"] == ("1 answer(s) awaiting review",)
    assert dan["test_percent"] is None and dan["combined_score"] is None
    assert dan["interview_percent"] == 66.7
    sections = data.scores.sections.set_index(["candidate_id", "section_id"])["percent"]
    assert sections[(built.ids["Dan"], "warmup")] == 50.0
    assert math.isnan(sections[(built.ids["Dan"], "writing")])
    for name in ("Eve", "Fay"):
        row = outcome(data, built, name)
        assert row["missing"] == ("no assessment", "not interviewed") and row["combined_score"] is None


def test_only_the_newest_submitted_scorecards_count_and_zero_is_not_averaged(
    session_factory: sessionmaker[Session], built: ReportCampaign
) -> None:
    data = loaded(session_factory, built)
    ada = candidate_report(data.scores, built.ids["Ada"]).competencies.set_index("competency_id")
    # Ivy's correction (3s) replaced her first scorecard (2s); Ian's 0 is counted apart.
    assert ada.loc["customer-focus", ["mean", "ratings", "spread"]].tolist() == [3.5, 2, 1]
    assert ada.loc["communication", ["mean", "ratings", "unrated"]].tolist() == [3.0, 1, 1]
    dan = candidate_report(data.scores, built.ids["Dan"])
    # Una's draft (1s) never counts: two raters, and no failed must-have.
    assert set(dan.competencies["ratings"]) == {2} and dan.decision is None
    assert dan.recommendations["interviewer_id"].tolist() == ["Ivy Interviewer", "Ian Interviewer"]


def test_funnel_counts_every_stage(session_factory: sessionmaker[Session], built: ReportCampaign) -> None:
    statuses = loaded(session_factory, built).statuses.set_index("candidate_id")
    counts = {stage: int(statuses[stage].sum()) for stage in statuses.columns}
    assert counts == {
        "invited": 6, "started": 5, "finished": 4, "graded": 4, "reviewed": 3, "interviewed": 4, "decided": 0,
    }  # fmt: skip
    assert built.ids["Gus"] not in statuses.index  # revoked before starting


def test_a_newer_review_and_a_regrade_move_the_report(
    session_factory: sessionmaker[Session], built: ReportCampaign, clock: ControllableClock, tmp_path: Path
) -> None:
    with session_factory() as session:
        review_written(session, built.attempts["Ada"], built.rex, 2, 2, clock.advance(minutes=1))
    assert outcome(loaded(session_factory, built), built, "Ada")["test_percent"] == 100.0

    banks = tmp_path / "banks"
    shutil.copytree(REPORT_BANKS, banks)
    path = banks / "report.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("      correct: a\n      points: 2\n", "      correct: b\n      points: 2\n")
    )
    fixed: Catalogue = report_catalogue((banks,))
    with session_factory() as session:
        version = fixed.items["report-upsell"].version
        actor = make_user(session_factory, "recruiter")
        apply_regrade(
            session, fixed, "report-upsell", version, actor, "b was right", clock.advance(minutes=1)
        )
    data = loaded(session_factory, built)
    # Ada chose a: warm-up (100 + 0) / 2 = 50, writing 100 -> 75. Dan chose b: warm-up 100, still pending.
    assert outcome(data, built, "Ada")["test_percent"] == 75.0
    sections = data.scores.sections.set_index(["candidate_id", "section_id"])["percent"]
    assert sections[(built.ids["Dan"], "warmup")] == 100.0
    assert outcome(data, built, "Dan")["missing"] == ("1 answer(s) awaiting review",)


def test_campaign_rules_take_the_kits_must_haves_and_the_campaigns_own() -> None:
    kits = kit_catalogue()
    rules = campaign_rules(
        Campaign(
            kit_id=KIT,
            assessment_weight=30,
            interview_weight=70,
            must_haves=[
                {"competency": "communication", "minimum": 3},
                {"competency": "integrity", "minimum": 2},
            ],
        ),
        kits.kits[KIT],
    )
    assert (rules.assessment_weight, rules.interview_weight) == (30, 70)
    assert dict(rules.must_haves) == {
        "communication": 3,
        "integrity": 2,
    }  # the campaign's 3 replaces the kit's 2
    assert rules.interview_stages == ("structured-interview",)
    bare = campaign_rules(Campaign(kit_id="", assessment_weight=40, interview_weight=60, must_haves=[]), None)
    assert dict(bare.must_haves) == {} and bare.interview_stages == ()


def test_a_referees_red_flag_note_decides_though_the_stage_takes_no_recommendation(
    app: Flask,
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    form_id: str,
    clock: ControllableClock,
) -> None:
    candidate = kit_candidate(session_factory, catalogue, form_id, clock())
    stage = candidate.stage(REFERENCES)
    referee_caller = make_user(session_factory, "interviewer", name="Rae Referee-Caller")
    answers = ScorecardAnswers(
        ratings={rated.competency: 3 for rated in stage.scorecard.competencies},
        goals={rated.goal: 2 for rated in stage.scorecard.goals},
        red_flag_notes="Former manager: forecasts were inflated to hit bonus",
    )
    with session_factory() as session:
        save_scorecard(
            session, candidate.kit, stage, candidate.invitation, referee_caller, answers, clock(), True
        )
        campaign = session.get_one(Campaign, candidate.invitation.campaign_id)
        data = load_campaign(session, campaign, kit_catalogue())
    report = candidate_report(data.scores, candidate.invitation.id)
    assert report.decision == DO_NOT_HIRE
    note = "Former manager: forecasts were inflated to hit bonus"
    assert report.overrides == (f"red flag at Reference checks by Rae Referee-Caller: {note}",)
    assert report.recommendations["recommendation"].isna().all()
