"""Voluntary self-identification after the test, stored apart, and the admins' fairness report."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd
import pytest
from candidate_client import Candidate
from flask import Flask
from report_campaign import ReportCampaign, build_report_campaign
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import PASSWORD, StaffClient

from assess.models import Attempt, Campaign, ItemScore
from assess.models.self_identification import SelfIdentification, SelfIdentificationLink
from assess.services.fairness import campaign_fairness
from assess.services.report_data import LoadedCampaign, load_campaign
from assess.services.scorecards import kit_catalogue
from assess.services.self_identification import QUESTIONS

if TYPE_CHECKING:
    from conftest import ControllableClock

ABOUT_YOU = "/about-you"


@pytest.fixture
def built(app: Flask, session_factory: sessionmaker[Session], clock: ControllableClock) -> ReportCampaign:
    return build_report_campaign(session_factory, clock(), PASSWORD)


def candidate(app: Flask, built: ReportCampaign, name: str) -> Candidate:
    person = Candidate(app.test_client(), built.tokens[name])
    person.get(ABOUT_YOU)  # for the CSRF token, as a browser would have it
    return person


def stored(session_factory: sessionmaker[Session]) -> list[tuple[int, dict[str, str]]]:
    with session_factory() as session:
        rows = session.execute(
            select(SelfIdentificationLink.invitation_id, SelfIdentification.answers).join(
                SelfIdentification, SelfIdentification.id == SelfIdentificationLink.answers_id
            )
        ).all()
        return sorted((invitation_id, dict(answers)) for invitation_id, answers in rows)


def loaded(session_factory: sessionmaker[Session], built: ReportCampaign) -> LoadedCampaign:
    with session_factory() as session:
        return load_campaign(session, session.get_one(Campaign, built.campaign_id), kit_catalogue())


def test_done_page_offers_the_questions_as_voluntary(app: Flask, built: ReportCampaign) -> None:
    person = Candidate(app.test_client(), built.tokens["Ada"])
    done = person.get("/done").get_data(as_text=True)
    assert f'href="/t/{built.tokens["Ada"]}/about-you"' in done and "never affect your result" in done
    page = person.get(ABOUT_YOU).get_data(as_text=True)
    assert "entirely voluntary" in page and "No thanks, I am finished" in page
    assert page.count(">Prefer not to say</label>") == len(QUESTIONS) and "required" not in page
    assert page.count("(optional)") == len(QUESTIONS)


@pytest.mark.parametrize("name", ["Eve", "Fay"])
def test_the_questions_wait_until_the_test_is_over(app: Flask, built: ReportCampaign, name: str) -> None:
    # Eve has not started; Fay's test is running: offered now, it could seem part of the test.
    assert Candidate(app.test_client(), built.tokens[name]).get(ABOUT_YOU).status_code == 404
    assert Candidate(app.test_client(), "x" * 40).get(ABOUT_YOU).status_code == 404


def test_answers_are_stored_apart_under_a_random_id_and_change_no_score(
    app: Flask, session_factory: sessionmaker[Session], built: ReportCampaign
) -> None:
    before = loaded(session_factory, built).scores.outcomes
    with session_factory() as session:
        scores_before = session.execute(
            select(ItemScore.attempt_id, ItemScore.position, ItemScore.points)
        ).all()
    person = candidate(app, built, "Ada")
    response = person.post(ABOUT_YOU, {"gender": "woman", "ethnicity": "", "age": "40-or-over"})
    assert response.status_code == 302 and response.location.endswith("about-you?done=saved")
    assert "Your answers are saved" in person.get(ABOUT_YOU + "?done=saved").get_data(as_text=True)
    assert stored(session_factory) == [(built.ids["Ada"], {"gender": "woman", "age": "40-or-over"})]
    with session_factory() as session:
        columns = {
            column["name"] for column in inspect(session.connection()).get_columns("self_identifications")
        }
        assert columns == {"id", "answers"}  # no candidate, invitation, campaign or time in the row
        row = session.scalars(select(SelfIdentification)).one()
        assert re.fullmatch(r"[0-9a-f]{32}", row.id)  # secrets.token_hex, not a sequence
        assert session.execute(select(ItemScore.attempt_id, ItemScore.position, ItemScore.points)).all() == (
            scores_before
        )
        assert session.get_one(Attempt, built.attempts["Ada"]).finalized_at is not None
    pd.testing.assert_frame_equal(loaded(session_factory, built).scores.outcomes, before)


def test_skipping_every_question_stores_nothing(
    app: Flask, session_factory: sessionmaker[Session], built: ReportCampaign
) -> None:
    assert candidate(app, built, "Ben").post(ABOUT_YOU, {}).status_code == 302
    assert stored(session_factory) == []


def test_a_candidate_may_change_and_remove_their_answers(
    app: Flask, session_factory: sessionmaker[Session], built: ReportCampaign
) -> None:
    person = candidate(app, built, "Cat")
    person.post(ABOUT_YOU, {"gender": "non-binary"})
    assert 'value="non-binary"\n             checked' in person.get(ABOUT_YOU).get_data(as_text=True)
    person.post(ABOUT_YOU, {"gender": "prefer-not-to-say", "disability": "no"})
    assert stored(session_factory) == [
        (built.ids["Cat"], {"gender": "prefer-not-to-say", "disability": "no"})
    ]
    removed = person.post(ABOUT_YOU, {"remove": "yes"})
    assert removed.location.endswith("done=removed")
    assert stored(session_factory) == []
    with session_factory() as session:
        assert session.scalars(select(SelfIdentification)).all() == []


@pytest.mark.parametrize(
    "form", [{"gender": "robot"}, {"ethnicity": "woman"}], ids=["unknown option", "another question's option"]
)
def test_a_tampered_answer_is_refused_and_changes_nothing(
    app: Flask, session_factory: sessionmaker[Session], built: ReportCampaign, form: dict[str, str]
) -> None:
    assert candidate(app, built, "Dan").post(ABOUT_YOU, form).status_code == 400
    assert candidate(app, built, "Dan").post(ABOUT_YOU, {"gender": "man"}, csrf=False).status_code == 400
    assert stored(session_factory) == []


def answer_all(app: Flask, built: ReportCampaign) -> None:
    for name, gender in (("Ada", "woman"), ("Ben", "man"), ("Cat", "woman"), ("Dan", "prefer-not-to-say")):
        candidate(app, built, name).post(ABOUT_YOU, {"gender": gender})


def test_fairness_counts_groups_per_stage_and_warns_on_small_samples(
    app: Flask, session_factory: sessionmaker[Session], built: ReportCampaign
) -> None:
    answer_all(app, built)
    with session_factory() as session:
        reports = campaign_fairness(session, loaded(session_factory, built))
    gender = next(item for item in reports if item.question.id == "gender")
    assert (
        gender.disclosed == 3 and gender.report.not_disclosed == 3
    )  # Dan preferred not to say; Eve, Fay gave none
    rates = gender.report.rates.set_index(["stage", "group"])
    # Recommended: Ada (Hire, Strong Hire) yes; Cat's red flag and Ben's failed must-have no.
    assert rates.loc[("recommended", "Woman"), ["considered", "selected"]].tolist() == [2, 1]
    assert rates.loc[("recommended", "Man"), ["considered", "selected", "impact_ratio"]].tolist() == [
        1,
        0,
        0.0,
    ]
    assert rates.loc[("recommended", "Man"), "fisher_p"] == pytest.approx(1.0)
    assert rates.loc[("recommended", "Man"), "below_four_fifths"] is None  # too few to tell
    assert rates.loc[("finished", "Man"), ["considered", "selected"]].tolist() == [1, 1]
    assert any("too few candidates to judge" in warning for warning in gender.report.warnings)
    ethnicity = next(item for item in reports if item.question.id == "ethnicity")
    assert ethnicity.disclosed == 0 and ethnicity.report.rates.empty


def test_fairness_page_is_for_admin_only(
    staff_client: Callable[..., StaffClient], app: Flask, built: ReportCampaign
) -> None:
    answer_all(app, built)
    path = f"{built.url}/fairness"
    for role in ("recruiter", "interviewer", "author"):
        client = staff_client(role)
        assert client.get(path).status_code == 403, role
    admin = staff_client("admin")
    page = admin.get(path).get_data(as_text=True)
    assert "Only administrators can open this page" in page
    assert "Too few to tell" in page and "Woman" in page and "50.0 %" in page
    assert "Ada Candidate" not in page and "ada@example.com" not in page  # counts only, never a candidate
    assert f'href="{path}"' in admin.get(built.url).get_data(as_text=True)
    recruiter = staff_client("recruiter")
    assert f'href="{path}"' not in recruiter.get(built.url).get_data(as_text=True)
