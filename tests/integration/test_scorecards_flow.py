"""Scorecards: drafts, complete submissions, immutability, corrections; the guide and the question bank."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from scorecard_setup import REFERENCES, ROLE_PLAY, KitCandidate, complete_form
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import StaffClient, make_user, post

from assess.models import AuditEntry, Scorecard
from assess.services.scorecards import (
    ScorecardAnswers,
    ScorecardInvalid,
    ScorecardLocked,
    kit_catalogue,
    save_scorecard,
)

if TYPE_CHECKING:
    from conftest import ControllableClock


def cards(session_factory: sessionmaker[Session]) -> list[Scorecard]:
    with session_factory() as session:
        return list(session.scalars(select(Scorecard).order_by(Scorecard.id)))


def audits(session_factory: sessionmaker[Session], action: str) -> list[AuditEntry]:
    with session_factory() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_scorecard_form_shows_anchors_and_the_zero_level(
    interviewee: KitCandidate, interviewer: StaffClient
) -> None:
    page = interviewer.get(interviewee.scorecard_url()).get_data(as_text=True)
    stage = interviewee.stage(ROLE_PLAY)
    for rated in stage.scorecard.competencies:
        for level, anchor in interviewee.kit.competency_scale(rated).items():
            assert f"{level}: {anchor}"[:60] in page.replace("&#39;", "'")
    assert "0: Not enough information gathered to evaluate" in page
    assert "1: Strong No Hire" in page and "4: Strong Hire" in page
    # A reference check has no hiring recommendation.
    page = interviewer.get(interviewee.scorecard_url(REFERENCES)).get_data(as_text=True)
    assert "Strong Hire" not in page


def test_draft_then_submit_then_immutable(
    session_factory: sessionmaker[Session], interviewee: KitCandidate, interviewer: StaffClient
) -> None:
    stage = interviewee.stage(ROLE_PLAY)
    url = interviewee.scorecard_url()

    # A partial draft is kept, shown again, and audited nowhere (it changes no outcome yet).
    draft = {"rating_0": "2", "notes": "Half way", "save_draft": "Save draft"}
    assert post(interviewer, url, draft).status_code == 302
    assert [(c.status, c.ratings, c.notes) for c in cards(session_factory)] == [
        ("draft", {stage.scorecard.competencies[0].competency: 2}, "Half way")
    ]
    assert "Half way" in interviewer.get(url).get_data(as_text=True)
    assert audits(session_factory, "scorecard.submit") == []

    # Submitting with gaps names each gap and submits nothing.
    incomplete = complete_form(stage)
    del incomplete["rating_1"], incomplete["recommendation"]
    response = post(interviewer, url, incomplete)
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose a rating (0 if you gathered too little)." in text and "Choose a recommendation." in text
    assert [c.status for c in cards(session_factory)] == ["draft"]

    # 0 (not enough information) is a rating: it completes the scorecard.
    response = post(interviewer, url, {**complete_form(stage, notes="Final"), "rating_1": "0"})
    assert response.status_code == 302
    (card,) = cards(session_factory)
    assert card.status == "submitted" and card.revision == 1 and card.submitted_at is not None
    assert card.ratings[stage.scorecard.competencies[1].competency] == 0
    (entry,) = audits(session_factory, "scorecard.submit")
    assert entry.actor_id == interviewer.user.id and entry.subject_id == str(interviewee.invitation.id)
    assert entry.detail["stage"] == ROLE_PLAY and entry.detail["recommendation"] == 3

    # Submitted means immutable: a post changes nothing, and neither does the service.
    response = post(interviewer, url, complete_form(stage, rating="1", notes="Changed my mind"))
    assert response.status_code == 409
    with session_factory() as session, pytest.raises(ScorecardLocked):
        save_scorecard(
            session,
            interviewee.kit,
            stage,
            interviewee.invitation,
            interviewer.user,
            ScorecardAnswers(notes="sneaky"),
            card.created_at,
            submit=False,
        )
    assert [(c.status, c.notes) for c in cards(session_factory)] == [("submitted", "Final")]


def test_a_correction_is_a_new_logged_revision(
    staff_client: Callable[..., StaffClient],
    session_factory: sessionmaker[Session],
    interviewee: KitCandidate,
) -> None:
    client = staff_client("interviewer")
    stage = interviewee.stage(ROLE_PLAY)
    url = interviewee.scorecard_url()
    correction_url = url.replace("/scorecard", "/correction")
    assert post(client, url, complete_form(stage, notes="First take")).status_code == 302

    response = post(client, correction_url, {"reason": ""})
    assert response.status_code == 422 and "Say what the correction is for." in response.get_data(
        as_text=True
    )
    assert post(client, correction_url, {"reason": "Mixed up two candidates"}).status_code == 302
    first, second = cards(session_factory)
    assert (first.status, first.notes, first.revision) == ("submitted", "First take", 1)
    assert (second.status, second.notes, second.revision) == ("draft", "First take", 2)
    assert second.correction_reason == "Mixed up two candidates" and second.ratings == first.ratings

    assert post(client, url, complete_form(stage, rating="4", notes="Second take")).status_code == 302
    first, second = cards(session_factory)
    assert (first.notes, second.notes, second.status) == ("First take", "Second take", "submitted")
    (entry,) = audits(session_factory, "scorecard.correct")
    assert entry.detail["revision"] == 2 and entry.detail["correction_reason"] == "Mixed up two candidates"

    # Another interviewer who submits sees the revision in force, not the first.
    other = staff_client("interviewer")
    assert post(other, url, complete_form(stage)).status_code == 302
    page = other.get(url).get_data(as_text=True)
    assert "Second take" in page and "First take" not in page


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"rating_0": "9"}, 422),
        ({"goal_0": "-1"}, 422),
        ({"recommendation": "5"}, 422),
        ({"red_flags": "999"}, 422),
        ({"csrf": False}, 400),
    ],
)
def test_tampered_scorecards_change_nothing(
    session_factory: sessionmaker[Session],
    interviewee: KitCandidate,
    change: dict[str, Any],
    status: int,
    interviewer: StaffClient,
) -> None:
    data = {**complete_form(interviewee.stage(ROLE_PLAY)), **{k: v for k, v in change.items() if k != "csrf"}}
    url = interviewee.scorecard_url()
    response = (
        interviewer.post(url, data=data) if change.get("csrf") is False else post(interviewer, url, data)
    )
    assert response.status_code == status
    assert cards(session_factory) == [] and audits(session_factory, "scorecard.submit") == []


def test_service_refuses_what_the_stage_does_not_rate(
    session_factory: sessionmaker[Session], interviewee: KitCandidate, clock: ControllableClock
) -> None:
    user = make_user(session_factory, "interviewer")
    kit = interviewee.kit
    role_play, references = kit.stage(ROLE_PLAY), kit.stage(REFERENCES)
    not_rated = next(
        c.id for c in kit.competencies if c.id not in {r.competency for r in role_play.scorecard.competencies}
    )
    bad = [
        (role_play, ScorecardAnswers(ratings={not_rated: 3}), f"rating-{not_rated}"),
        (role_play, ScorecardAnswers(ratings={role_play.scorecard.competencies[0].competency: 5}), "rating-"),
        (references, ScorecardAnswers(recommendation=4), "recommendation"),
        (role_play, ScorecardAnswers(red_flags=["Not a kit red flag"]), "red_flags"),
    ]
    with session_factory() as session:
        for stage, given, field in bad:
            with pytest.raises(ScorecardInvalid) as raised:
                save_scorecard(
                    session, kit, stage, interviewee.invitation, user, given, clock(), submit=False
                )
            assert any(name.startswith(field) for name, _ in raised.value.problems)
    assert cards(session_factory) == []


def test_guide_shows_questions_areas_follow_ups_and_interviewer_only_details(
    app: Flask, interviewee: KitCandidate, interviewer: StaffClient
) -> None:
    stage = interviewee.stage(ROLE_PLAY)
    page = interviewer.get(interviewee.guide_url()).get_data(as_text=True).replace("&#39;", "'")
    assert stage.interviewer_directions[:50] in page and stage.candidate_directions[:50] in page
    assert stage.exercise is not None
    for detail in stage.exercise.interviewer_only:
        assert detail in page
    for question in stage.questions:
        assert question.text in page
        assert all(area in page for area in question.areas_to_cover)
        assert all(follow_up in page for follow_up in question.follow_ups)
    # The candidate's own pages never carry them.
    candidate_page = app.test_client().get(f"/t/{interviewee.token}").get_data(as_text=True)
    assert stage.exercise.interviewer_only[0] not in candidate_page
    assert interviewer.get(interviewee.guide_url("no-such-stage")).status_code == 404


def test_question_bank_filters_by_competency_and_pulls_into_a_guide(
    interviewee: KitCandidate, interviewer: StaffClient
) -> None:
    bank = next(iter(kit_catalogue().question_banks.values()))
    page = interviewer.get("/staff/interviews/question-bank").get_data(as_text=True).replace("&#39;", "'")
    for question in bank.questions:
        assert question.text in page and question.model_answer in page and question.pitfalls[0] in page

    tag = bank.questions[0].competencies[0]
    filtered = interviewer.get(f"/staff/interviews/question-bank?competency={tag}").get_data(as_text=True)
    tagged = [q for q in bank.questions if tag in q.competencies]
    untagged = [q for q in bank.questions if tag not in q.competencies]
    assert f"{len(tagged)} question" in filtered
    assert untagged and untagged[0].text.replace("'", "&#39;") not in filtered
    assert interviewer.get("/staff/interviews/question-bank?competency=nope").status_code == 404

    question = bank.questions[0]
    ref = f"{bank.id}/{question.id}"
    guide_questions = interviewee.guide_url().replace("/guide", "/guide/questions")
    assert post(interviewer, guide_questions, {"question": ref}).status_code == 302
    guide = interviewer.get(interviewee.guide_url()).get_data(as_text=True).replace("&#39;", "'")
    assert question.model_answer in guide and question.pitfalls[0] in guide
    # Another stage's guide is untouched; a made-up question is refused.
    assert question.model_answer not in interviewer.get(interviewee.guide_url(REFERENCES)).get_data(
        as_text=True
    )
    assert post(interviewer, guide_questions, {"question": f"{bank.id}/made-up"}).status_code == 400
    assert post(interviewer, guide_questions + "/remove", {"question": ref}).status_code == 302
    assert question.model_answer not in interviewer.get(interviewee.guide_url()).get_data(as_text=True)


def test_interview_pages_list_candidates_with_a_kit(
    staff_client: Callable[..., StaffClient], interviewee: KitCandidate
) -> None:
    client = staff_client("recruiter")
    listing = client.get("/staff/interviews/").get_data(as_text=True)
    assert "Casey Candidate" in listing and interviewee.kit.title in listing
    overview = client.get(f"/staff/interviews/candidates/{interviewee.invitation.id}").get_data(as_text=True)
    for stage in interviewee.kit.stages:
        assert interviewee.scorecard_url(stage.id) in overview and interviewee.guide_url(stage.id) in overview
    assert client.get("/staff/interviews/candidates/999999").status_code == 404
    author = staff_client("author")
    assert author.get("/staff/interviews/question-bank").status_code == 200
    assert author.get(interviewee.scorecard_url()).status_code == 403
