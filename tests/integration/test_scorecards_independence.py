"""Independent scoring: nobody sees another interviewer's scorecard for a stage before submitting theirs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from flask import Flask
from scorecard_setup import ROLE_PLAY, Candidate, complete_form, kit_candidate
from sqlalchemy.orm import Session, sessionmaker
from staff_client import login, make_user, post

from assess.services.scorecards import ScorecardAnswers, save_scorecard, visible_scorecards
from items.bank import Catalogue

if TYPE_CHECKING:
    from conftest import ControllableClock


@pytest.fixture
def candidate(
    app: Flask,
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    form_id: str,
    clock: ControllableClock,
) -> Candidate:
    return kit_candidate(session_factory, catalogue, form_id, clock())


def answers(candidate: Candidate, notes: str) -> ScorecardAnswers:
    stage = candidate.stage(ROLE_PLAY)
    return ScorecardAnswers(
        ratings={rated.competency: 3 for rated in stage.scorecard.competencies},
        goals={rated.goal: 2 for rated in stage.scorecard.goals},
        recommendation=3,
        notes=notes,
    )


def test_service_hides_others_until_the_viewer_has_submitted(
    session_factory: sessionmaker[Session], candidate: Candidate, clock: ControllableClock
) -> None:
    ana, ben, cleo = (make_user(session_factory, "interviewer") for _ in range(3))
    kit, stage, invitation = candidate.kit, candidate.stage(ROLE_PLAY), candidate.invitation
    with session_factory() as session:
        save_scorecard(
            session, kit, stage, invitation, ana, answers(candidate, "Ana's notes"), clock(), submit=True
        )
        # Ben has nothing yet, then a draft: Ana's scorecard stays hidden, only counted.
        seen = visible_scorecards(session, ben, invitation.id, kit.id, stage.id)
        assert (seen.hidden, seen.others, seen.others_submitted, seen.own) == (True, [], 1, None)
        draft = ScorecardAnswers(ratings={stage.scorecard.competencies[0].competency: 1})
        save_scorecard(session, kit, stage, invitation, ben, draft, clock(), submit=False)
        seen = visible_scorecards(session, ben, invitation.id, kit.id, stage.id)
        assert seen.hidden and seen.others == [] and seen.own is not None and not seen.own.is_submitted
        # Ben's draft is never shown to Ana, who has submitted.
        seen = visible_scorecards(session, ana, invitation.id, kit.id, stage.id)
        assert not seen.hidden and seen.others == []
        save_scorecard(
            session, kit, stage, invitation, ben, answers(candidate, "Ben's notes"), clock(), submit=True
        )
        seen = visible_scorecards(session, ben, invitation.id, kit.id, stage.id)
        assert not seen.hidden and [(c.notes, u.id) for c, u in seen.others] == [("Ana's notes", ana.id)]
        seen = visible_scorecards(session, ana, invitation.id, kit.id, stage.id)
        assert [(c.notes, u.id) for c, u in seen.others] == [("Ben's notes", ben.id)]
        # Submitting one stage opens no other stage.
        other_stage = candidate.kit.stages[0]
        assert other_stage.id != ROLE_PLAY
        assert visible_scorecards(session, cleo, invitation.id, kit.id, other_stage.id).hidden
        assert visible_scorecards(session, cleo, invitation.id, kit.id, ROLE_PLAY).others == []


def test_pages_hide_others_until_the_viewer_submits(
    app: Flask, session_factory: sessionmaker[Session], candidate: Candidate
) -> None:
    first, second = app.test_client(), app.test_client()
    login(first, session_factory, "interviewer", name="Ana Interviewer")
    login(second, session_factory, "recruiter", name="Ben Recruiter")
    stage = candidate.stage(ROLE_PLAY)
    url = candidate.scorecard_url()
    secret = "Candidate rambled about quotas"
    assert post(first, url, complete_form(stage, notes=secret)).status_code == 302

    page = second.get(url).get_data(as_text=True)
    assert secret not in page and "Ana Interviewer" not in page
    assert "1 other interviewer has submitted" in page
    # A draft does not open them either.
    draft = {**complete_form(stage, notes="my draft"), "save_draft": "Save draft"}
    del draft["submit"]
    assert post(second, url, draft).status_code == 302
    assert secret not in second.get(url).get_data(as_text=True)

    assert post(second, url, complete_form(stage, notes="Ben's view")).status_code == 302
    page = second.get(url).get_data(as_text=True)
    assert secret in page and "Ana Interviewer" in page and "Ben&#39;s view" in page
    assert "Ben&#39;s view" in first.get(url).get_data(as_text=True)
