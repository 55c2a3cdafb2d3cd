"""The demo cohort (``build_demo``) on both databases: every stage, real statistics, seeded."""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import and_, select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import sign_in

from assess.cli import main
from assess.db import make_engine, make_session_factory, upgrade_database
from assess.demo.answers import Candidate, ItemParameters, answer
from assess.demo.cohort import CAMPAIGN_SLUG, FORM_ID, KIT_ID, DemoLogins, build_demo
from assess.demo.plan import FINISHED, INTERVIEWED, stage_counts
from assess.models import (
    Attempt,
    HiringDecision,
    InterviewAssignment,
    Invitation,
    ItemScore,
    Scorecard,
    TimeGrant,
)
from assess.services.attempt_phase import STARTED
from assess.services.campaigns import campaign_by_slug
from assess.services.debrief import candidate_debrief
from assess.services.fairness import campaign_fairness
from assess.services.item_statistics import form_analyses
from assess.services.report_data import load_campaign
from assess.services.scorecards import kit_catalogue
from assess.services.staff import authenticate
from items.bank import Catalogue, load_banks
from scoring.items import score_item

SHIPPED_BANKS = Path(__file__).resolve().parents[2] / "items" / "banks"
NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
LOGIN = re.compile(r"^\s+(\w+)\s+email: (\S+)\s+password: (\S+)$", re.MULTILINE)


@pytest.fixture(scope="module")
def shipped() -> Catalogue:
    """The demo runs on the shipped bank: a bank that does not load fails here, loudly."""
    return load_banks([SHIPPED_BANKS])


def build(
    factory: sessionmaker[Session], catalogue: Catalogue, count: int, seed: int, now: datetime
) -> DemoLogins:
    with factory() as session:
        return build_demo(session, catalogue, kit_catalogue(), count, seed, now)


def test_sixty_candidates_fill_every_stage_with_data_worth_analysing(
    session_factory: sessionmaker[Session], shipped: Catalogue
) -> None:
    build(session_factory, shipped, 60, 2026, NOW)
    planned = stage_counts(60)
    with session_factory() as session:
        invitations = session.execute(
            select(Invitation, Attempt).outerjoin(
                Attempt, and_(Attempt.invitation_id == Invitation.id, STARTED)
            )
        ).all()
        assert len(invitations) == 61  # the cohort and the fresh link
        unstarted = [i for i, a in invitations if a is None]
        assert sum(i.revoked_at is not None for i in unstarted) == planned["revoked"]
        assert sum(i.revoked_at is None and i.expires_at <= NOW for i in unstarted) == planned["expired"]
        assert sum(i.revoked_at is None and i.expires_at > NOW for i in unstarted) == planned["invited"] + 1
        attempts = [a for _, a in invitations if a is not None]
        running = [a for a in attempts if a.finalized_at is None]
        assert len(running) == planned["running"] and all(a.deadline > NOW for a in running)
        assert session.scalar(select(TimeGrant.attempt_id)) in {a.id for a in running}
        finished = [a for a in attempts if a.finalized_at is not None]
        assert len(finished) == sum(planned[stage] for stage in FINISHED)
        assert all(a.finalized_at is not None and a.finalized_at < NOW for a in finished)
        assert {a.finalized_by for a in finished} == {"candidate", "deadline"}
        pending = set(session.scalars(select(ItemScore.attempt_id).where(ItemScore.pending_review.is_(True))))
        assert len(pending) == planned["awaiting_review"]

        cards = session.scalars(select(Scorecard)).all()
        submitted = Counter(c.invitation_id for c in cards if c.status == "submitted")
        assert len(submitted) == sum(planned[stage] for stage in INTERVIEWED)
        assert Counter(submitted.values())[2] >= planned["decided"]  # decided: both interviewers in
        assert any(c.status == "draft" for c in cards)  # a second interviewer still writing
        assigned = set(session.scalars(select(InterviewAssignment.invitation_id)))
        assert assigned - set(submitted)  # interviews scheduled, scorecards owed
        assert sum(bool(c.red_flags) for c in cards) == 1
        decisions = session.scalars(select(HiringDecision)).all()
        assert len(decisions) == planned["decided"] and all(d.decided_at < NOW for d in decisions)
        assert {d.decision for d in decisions} == {"hire", "no_hire", "hold"}

        kit = kit_catalogue().kit(KIT_ID)
        interviewed = [i for i, _ in invitations if i.id in submitted]
        debriefs = [candidate_debrief(session, kit, invitation) for invitation in interviewed]
        assert any(d.stages[0].disagreements for d in debriefs)  # the two interviewers sometimes disagree
        assert any(d.must_have_failures for d in debriefs)

        form = form_analyses(session)[FORM_ID]
        assert form.analysis is not None, form.problem
        assert form.analysis.test.n >= 30
        discriminations = [item.discrimination for item in form.analysis.items]
        assert all(d is not None for d in discriminations)
        assert sum(d > 0.2 for d in discriminations if d is not None) >= len(discriminations) * 2 // 3
        assert any(item.flags for item in form.analysis.items)

        campaign = campaign_by_slug(session, CAMPAIGN_SLUG)
        assert campaign is not None and campaign.kit_id == KIT_ID
        fairness = campaign_fairness(session, load_campaign(session, campaign, kit_catalogue()))
        gender = next(q for q in fairness if q.question.id == "gender")
        assert 15 <= gender.disclosed <= 40  # about half of the 60
        assert gender.report.rates["group"].nunique() >= 2


def scores_by_email(factory: sessionmaker[Session]) -> dict[str, Any]:
    with factory() as session:
        attempts = session.execute(
            select(Invitation.email, Attempt.total_points, Attempt.max_points, Attempt.finalized_by).join(
                Attempt, and_(Attempt.invitation_id == Invitation.id, STARTED)
            )
        ).all()
        cards = session.execute(
            select(
                Invitation.email, Scorecard.interviewer_id, Scorecard.ratings, Scorecard.recommendation
            ).join(Invitation, Invitation.id == Scorecard.invitation_id)
        ).all()
        decisions = session.execute(
            select(Invitation.email, HiringDecision.decision).join(
                Invitation, Invitation.id == HiringDecision.invitation_id
            )
        ).all()
    return {
        "attempts": sorted(tuple(row) for row in attempts),
        # Ids differ between databases; what was rated, by email, does not.
        "scorecards": sorted(((email, ratings, rec) for email, _, ratings, rec in cards), key=repr),
        "decisions": sorted(tuple(row) for row in decisions),
    }


def test_the_same_seed_builds_the_same_scores_on_any_database(
    session_factory: sessionmaker[Session], shipped: Catalogue, tmp_path: Path
) -> None:
    build(session_factory, shipped, 16, 7, NOW)
    other_url = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    upgrade_database(other_url)
    engine = make_engine(other_url)
    try:
        build(make_session_factory(engine), shipped, 16, 7, NOW)
        assert scores_by_email(session_factory) == scores_by_email(make_session_factory(engine))
    finally:
        engine.dispose()
    third_url = f"sqlite:///{tmp_path / 'third.sqlite3'}"
    upgrade_database(third_url)
    engine = make_engine(third_url)
    try:
        build(make_session_factory(engine), shipped, 16, 8, NOW)
        assert scores_by_email(session_factory) != scores_by_email(make_session_factory(engine))
    finally:
        engine.dispose()


def test_running_again_keeps_the_cohort_and_gives_a_fresh_link_and_passwords(
    session_factory: sessionmaker[Session], shipped: Catalogue
) -> None:
    first = build(session_factory, shipped, 5, 1, NOW)
    before = scores_by_email(session_factory)
    second = build(session_factory, shipped, 40, 2, NOW + timedelta(minutes=5))
    assert first.built and not second.built
    assert second.invitations == first.invitations + 1
    assert scores_by_email(session_factory) == before
    assert second.candidate_token != first.candidate_token
    assert [login.role for login in second.staff] == ["admin", "recruiter", "interviewer", "author"]
    with session_factory() as session:
        for old, new in zip(first.staff, second.staff, strict=True):
            assert old.password != new.password
            assert authenticate(session, old.email, old.password) is None
            assert authenticate(session, new.email, new.password) is not None


def test_each_printed_login_signs_in(app: Flask, database_url: str, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    env = {"DATABASE_URL": database_url, "ASSESS_BANKS": str(SHIPPED_BANKS), "SECRET_KEY": ""}
    result = CliRunner().invoke(
        main, ["demo", "--no-serve", "--candidates", "5"], env=env, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    logins = LOGIN.findall(result.stdout)
    assert [role for role, _, _ in logins] == ["admin", "recruiter", "interviewer", "author"]
    for role, email, password in logins:
        client = app.test_client()
        assert sign_in(client, email, "not " + password).status_code == 401
        assert sign_in(client, email, password).status_code == 302, role
        assert client.get("/staff/").status_code == 200


def test_every_item_type_has_a_demo_answer_that_normalises_and_scores(shipped: Catalogue) -> None:
    answered = set()
    for item in shipped.items.values():
        for theta in (-2.0, 0.0, 2.0):
            who = Candidate(theta, random.Random(f"{item.item_id}:{theta}"))
            variant = item.item_type.draw(item.body, random.Random(1), True)
            body, key = item.realize(variant)
            response = answer(item, body, key, who, ItemParameters(0.0, 1.0))
            if response is not None:
                answered.add(item.item_id)
                score = score_item(
                    item, item.item_type.response.model_validate(response.model_dump()), variant
                )
                assert 0 <= score.points <= score.max_points
    assert answered == set(shipped.items)
