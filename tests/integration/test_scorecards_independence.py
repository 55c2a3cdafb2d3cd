"""Independent scoring: nobody sees another interviewer's scorecard for a stage before submitting theirs."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd
import pytest
from flask.testing import FlaskClient
from scorecard_setup import ROLE_PLAY, KitCandidate, complete_form
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import StaffClient, make_user, post

from assess.models import Scorecard, StaffUser
from assess.services.debrief import assign_interviewer
from assess.services.scorecards import ScorecardAnswers, save_scorecard, visible_scorecards

if TYPE_CHECKING:
    from conftest import ControllableClock


def answers(interviewee: KitCandidate, notes: str) -> ScorecardAnswers:
    stage = interviewee.stage(ROLE_PLAY)
    return ScorecardAnswers(
        ratings={rated.competency: 3 for rated in stage.scorecard.competencies},
        goals={rated.goal: 2 for rated in stage.scorecard.goals},
        recommendation=3,
        notes=notes,
    )


def test_service_hides_others_until_the_viewer_has_submitted(
    session_factory: sessionmaker[Session], interviewee: KitCandidate, clock: ControllableClock
) -> None:
    ana, ben, cleo = (make_user(session_factory, "interviewer") for _ in range(3))
    kit, stage, invitation = interviewee.kit, interviewee.stage(ROLE_PLAY), interviewee.invitation
    with session_factory() as session:
        save_scorecard(
            session, kit, stage, invitation, ana, answers(interviewee, "Ana's notes"), clock(), submit=True
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
            session, kit, stage, invitation, ben, answers(interviewee, "Ben's notes"), clock(), submit=True
        )
        seen = visible_scorecards(session, ben, invitation.id, kit.id, stage.id)
        assert not seen.hidden and [(c.notes, u.id) for c, u in seen.others] == [("Ana's notes", ana.id)]
        seen = visible_scorecards(session, ana, invitation.id, kit.id, stage.id)
        assert [(c.notes, u.id) for c, u in seen.others] == [("Ben's notes", ben.id)]
        # Submitting one stage opens no other stage.
        other_stage = interviewee.kit.stages[0]
        assert other_stage.id != ROLE_PLAY
        assert visible_scorecards(session, cleo, invitation.id, kit.id, other_stage.id).hidden
        assert visible_scorecards(session, cleo, invitation.id, kit.id, ROLE_PLAY).others == []


def test_pages_hide_others_until_the_viewer_submits(
    staff_client: Callable[..., StaffClient],
    session_factory: sessionmaker[Session],
    interviewee: KitCandidate,
    clock: ControllableClock,
) -> None:
    first = staff_client("interviewer", name="Ana Interviewer")
    second = staff_client("recruiter", name="Ben Recruiter")
    # A recruiter assigned to interview scores as one.
    assign(session_factory, interviewee, second.user, clock)
    stage = interviewee.stage(ROLE_PLAY)
    url = interviewee.scorecard_url()
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


def assign(
    session_factory: sessionmaker[Session],
    interviewee: KitCandidate,
    person: StaffUser,
    clock: ControllableClock,
) -> None:
    with session_factory() as session:
        recruiter = make_user(session_factory, "recruiter")
        assign_interviewer(
            session, interviewee.kit, interviewee.invitation, ROLE_PLAY, person.id, recruiter, clock()
        )


SECRET = "Ana saw the candidate promise a discount nobody approved"
ROLES = ("interviewer", "recruiter", "admin")
#: What the viewer has to do with the stage Ana scored: assigned and not yet submitted, assigned
#: and submitted, or neither (not scoring it).
STATES = ("assigned", "submitted", "unassigned")


def sees_others(role: str, state: str) -> bool:
    """The rule, as a table: after submitting, or as a recruiter or admin not scoring the stage."""
    return state == "submitted" or (state == "unassigned" and role != "interviewer")


def report_views(client: FlaskClient, interviewee: KitCandidate) -> dict[str, tuple[int, str]]:
    """Every report view of the candidate's campaign that can show a scorecard, as (status, text)."""
    base = f"/staff/reports/{interviewee.invitation.campaign_id}"
    views = {}
    for name, path in (
        ("candidate report", f"{base}/candidates/{interviewee.invitation.id}"),
        ("campaign report", base),
        ("CSV", f"{base}/download/csv"),
        ("print", f"{base}/print"),
        ("XLSX", f"{base}/download/xlsx"),
    ):
        response = client.get(path)
        if name == "XLSX" and response.status_code == 200:
            sheets = pd.read_excel(io.BytesIO(response.get_data()), sheet_name=None, header=None)
            text = " ".join(str(cell) for sheet in sheets.values() for cell in sheet.to_numpy().ravel())
        else:
            text = response.get_data(as_text=True).replace("&#39;", "'")
        views[name] = (response.status_code, text)
    return views


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", STATES)
def test_every_view_of_a_scorecard_applies_the_same_rule_to_every_role(
    staff_client: Callable[..., StaffClient],
    session_factory: sessionmaker[Session],
    interviewee: KitCandidate,
    clock: ControllableClock,
    role: str,
    state: str,
) -> None:
    ana_client = staff_client("interviewer", name="Ana Interviewer")
    viewer_client = staff_client(role, name=f"Vic {role.title()}")
    assign(session_factory, interviewee, ana_client.user, clock)
    if state != "unassigned":
        assign(session_factory, interviewee, viewer_client.user, clock)
    stage = interviewee.stage(ROLE_PLAY)
    secret_card = {**complete_form(stage, notes=SECRET), "red_flag_notes": SECRET}
    assert post(ana_client, interviewee.scorecard_url(), secret_card).status_code == 302
    if state == "submitted":
        assert post(viewer_client, interviewee.scorecard_url(), complete_form(stage)).status_code == 302
    visible = sees_others(role, state)

    page = viewer_client.get(interviewee.scorecard_url()).get_data(as_text=True).replace("&#39;", "'")
    assert (SECRET in page) is visible, "scorecard page"
    overview = viewer_client.get(f"/staff/interviews/candidates/{interviewee.invitation.id}")
    assert overview.status_code == 200 and SECRET not in overview.get_data(as_text=True)
    debrief_link = f"/staff/interviews/candidates/{interviewee.invitation.id}/debrief"
    assert (debrief_link in overview.get_data(as_text=True)) is visible, "candidate's interviews page"
    debrief = viewer_client.get(debrief_link)
    assert debrief.status_code == (200 if visible else 403), "debrief"
    assert (SECRET in debrief.get_data(as_text=True).replace("&#39;", "'")) is visible, "debrief"

    for name, (status, text) in report_views(viewer_client, interviewee).items():
        if role == "interviewer":
            assert status == 403, name  # reports are for recruiters and admins
            continue
        assert status == 200, name
        assert (SECRET in text) is visible, name
        assert ("Ana Interviewer" in text) is visible, name


def test_a_recruiter_not_scoring_a_stage_reads_it_and_cannot_score_or_be_assigned_to_it(
    staff_client: Callable[..., StaffClient],
    session_factory: sessionmaker[Session],
    interviewee: KitCandidate,
) -> None:
    ana_client = staff_client("interviewer", name="Ana Interviewer")
    rita_client = staff_client("recruiter", name="Rita Recruiter")
    rita = rita_client.user
    stage = interviewee.stage(ROLE_PLAY)
    assert (
        post(ana_client, interviewee.scorecard_url(), complete_form(stage, notes=SECRET)).status_code == 302
    )

    page = rita_client.get(interviewee.scorecard_url()).get_data(as_text=True).replace("&#39;", "'")
    assert SECRET in page and "Submit scorecard" not in page
    assert "You are not assigned to this stage" in page
    refused = post(rita_client, interviewee.scorecard_url(), complete_form(stage, notes="mine"))
    assert refused.status_code == 403 and "you cannot score it on your own" in refused.get_data(as_text=True)
    # Having been able to read Ana's scorecard, Rita cannot be made an interviewer of the stage now.
    url = f"/staff/interviews/candidates/{interviewee.invitation.id}/assignments"
    response = post(rita_client, url, {"stage": ROLE_PLAY, "interviewer": str(rita.id)})
    assert response.status_code == 422
    assert re.search(
        r"could already read this stage(&#39;|')s submitted scorecards", response.get_data(as_text=True)
    )
    # An interviewer, who could read nothing, still can be.
    ben = make_user(session_factory, "interviewer")
    assert post(rita_client, url, {"stage": ROLE_PLAY, "interviewer": str(ben.id)}).status_code == 302
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Scorecard)) == 1
