"""Interviewer assignments, the debrief (independence, disagreements, means without 0), the decision."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from scorecard_setup import ROLE_PLAY, KitCandidate, complete_form
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import StaffClient, make_user, post

from assess.models import AuditEntry, HiringDecision, InterviewAssignment

if TYPE_CHECKING:
    pass


def debrief_url(interviewee: KitCandidate) -> str:
    return f"/staff/interviews/candidates/{interviewee.invitation.id}/debrief"


def audits(session_factory: sessionmaker[Session], action: str) -> list[AuditEntry]:
    with session_factory() as session:
        return list(
            session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))
        )


def decisions(session_factory: sessionmaker[Session]) -> list[HiringDecision]:
    with session_factory() as session:
        return list(session.scalars(select(HiringDecision).order_by(HiringDecision.id)))


def test_recruiter_assigns_an_interviewer_who_sees_it_under_my_interviews(
    staff_client: Callable[..., StaffClient],
    session_factory: sessionmaker[Session],
    interviewee: KitCandidate,
) -> None:
    recruiter = staff_client("recruiter")
    interviewer = staff_client("interviewer", name="Ana Interviewer")
    ana = interviewer.user
    url = f"/staff/interviews/candidates/{interviewee.invitation.id}/assignments"
    stage = interviewee.stage(ROLE_PLAY)

    before = interviewer.get("/staff/interviews/").get_data(as_text=True)
    assert "My interviews" in before and "You have no interviews assigned" in before
    for _ in range(2):  # assigning twice keeps one assignment
        assert post(recruiter, url, {"stage": ROLE_PLAY, "interviewer": str(ana.id)}).status_code == 302
    with session_factory() as session:
        (row,) = session.scalars(select(InterviewAssignment)).all()
        assert (row.stage_id, row.interviewer_id) == (ROLE_PLAY, ana.id)
    (entry,) = audits(session_factory, "interview.assign")
    assert entry.detail["stage"] == ROLE_PLAY and entry.subject_id == str(interviewee.invitation.id)

    mine = interviewer.get("/staff/interviews/").get_data(as_text=True)
    assert stage.title in mine and interviewee.scorecard_url() in mine and "Not submitted yet" in mine
    overview = recruiter.get(f"/staff/interviews/candidates/{interviewee.invitation.id}").get_data(
        as_text=True
    )
    assert "Ana Interviewer" in overview

    # An item author cannot be assigned, nor a stage the kit lacks; an interviewer cannot assign.
    author = make_user(session_factory, "author")
    assert post(recruiter, url, {"stage": ROLE_PLAY, "interviewer": str(author.id)}).status_code == 422
    assert post(recruiter, url, {"stage": "nope", "interviewer": str(ana.id)}).status_code == 422
    assert post(interviewer, url, {"stage": ROLE_PLAY, "interviewer": str(ana.id)}).status_code == 403
    assert recruiter.post(url, data={"stage": ROLE_PLAY, "interviewer": str(ana.id)}).status_code == 400
    assert len(audits(session_factory, "interview.assign")) == 1


def test_debrief_hidden_from_an_interviewer_until_they_submit(
    staff_client: Callable[..., StaffClient], interviewee: KitCandidate
) -> None:
    first = staff_client("interviewer", name="Ana Interviewer")
    second = staff_client("interviewer", name="Ben Interviewer")
    recruiter = staff_client("recruiter")
    ben = second.user
    secret = "Ana saw the candidate dodge the margin question"
    stage = interviewee.stage(ROLE_PLAY)
    assert post(first, interviewee.scorecard_url(), complete_form(stage, notes=secret)).status_code == 302

    response = second.get(debrief_url(interviewee))
    assert response.status_code == 403 and secret not in response.get_data(as_text=True)
    # The recruiter runs the debrief and sees it at once.
    assert secret in recruiter.get(debrief_url(interviewee)).get_data(as_text=True)

    # Assigned to two stages, Ben must submit both before the debrief opens.
    other = next(s for s in interviewee.kit.stages if s.id != ROLE_PLAY)
    assign = f"/staff/interviews/candidates/{interviewee.invitation.id}/assignments"
    for stage_id in (ROLE_PLAY, other.id):
        assert post(recruiter, assign, {"stage": stage_id, "interviewer": str(ben.id)}).status_code == 302
    assert post(second, interviewee.scorecard_url(), complete_form(stage)).status_code == 302
    response = second.get(debrief_url(interviewee))
    assert response.status_code == 403 and other.title in response.get_data(as_text=True)
    assert post(second, interviewee.scorecard_url(other.id), complete_form(other)).status_code == 302
    page = second.get(debrief_url(interviewee))
    assert page.status_code == 200 and secret in page.get_data(as_text=True)
    # Interviewers read the debrief; they do not record the decision.
    assert "Record decision" not in page.get_data(as_text=True)
    assert (
        post(
            second, debrief_url(interviewee) + "/decision", {"decision": "hire", "rationale": "x"}
        ).status_code
        == 403
    )


def test_disagreement_is_highlighted_in_words_and_zero_is_left_out_of_means(
    staff_client: Callable[..., StaffClient], interviewee: KitCandidate
) -> None:
    first = staff_client("interviewer", name="Ana Interviewer")
    second = staff_client("interviewer", name="Ben Interviewer")
    recruiter = staff_client("recruiter")
    stage = interviewee.stage(ROLE_PLAY)
    ana = {**complete_form(stage, rating="4"), "rating_1": "0", "recommendation": "4"}
    ben = {**complete_form(stage, rating="2"), "rating_1": "3", "recommendation": "1"}
    assert post(first, interviewee.scorecard_url(), ana).status_code == 302
    assert post(second, interviewee.scorecard_url(), ben).status_code == 302

    page = recruiter.get(debrief_url(interviewee)).get_data(as_text=True)
    first_name = interviewee.kit.competency(stage.scorecard.competencies[0].competency).name
    second_name = interviewee.kit.competency(stage.scorecard.competencies[1].competency).name
    assert f"on {first_name} ({stage.title}): ratings 2 apart" in page.replace("&#39;", "'")
    assert "Recommendations are split" in page
    # Competency 1: 0 and 3 -> mean 3.00, spread 0 (the 0 is not a low score).
    row = page.split(f'<th scope="row">{second_name}</th>'.replace("'", "&#39;"), 1)[1].split("</tr>", 1)[0]
    assert "3.00" in row and "Agree" in row and "not enough information" in row
    assert "Raters disagree" not in row
    # The kit's debrief directions and questions are on the page.
    assert interviewee.kit.debrief is not None
    assert interviewee.kit.debrief.questions[0].text in page.replace("&#39;", "'")


def test_decision_is_recorded_superseded_and_audited(
    staff_client: Callable[..., StaffClient],
    session_factory: sessionmaker[Session],
    interviewee: KitCandidate,
) -> None:
    recruiter = staff_client("recruiter", name="Rita Recruiter")
    rita = recruiter.user
    url = debrief_url(interviewee) + "/decision"

    # No rationale: a form error, nothing stored.
    response = post(recruiter, url, {"decision": "hire", "rationale": "   "})
    assert response.status_code == 422 and "Give the rationale for the decision." in response.get_data(
        as_text=True
    )
    response = post(recruiter, url, {"rationale": "Strong"})
    assert response.status_code == 422
    assert post(recruiter, url, {"decision": "maybe", "rationale": "Strong"}).status_code == 422
    # No CSRF token: refused.
    assert recruiter.post(url, data={"decision": "hire", "rationale": "Strong"}).status_code == 400
    assert decisions(session_factory) == [] and audits(session_factory, "decision.record") == []

    assert (
        post(recruiter, url, {"decision": "hold", "rationale": "Check references first"}).status_code == 302
    )
    assert (
        post(recruiter, url, {"decision": "hire", "rationale": "References were glowing"}).status_code == 302
    )
    first, second = decisions(session_factory)
    assert (first.decision, second.decision) == ("hold", "hire")
    assert second.decided_by == rita.id and second.rationale == "References were glowing"
    one, two = audits(session_factory, "decision.record")
    assert one.actor_id == rita.id and one.subject_id == str(interviewee.invitation.id)
    assert (one.detail["decision"], one.detail["supersedes"]) == ("hold", None)
    assert (two.detail["decision"], two.detail["supersedes"], two.detail["previous_decision"]) == (
        "hire",
        first.id,
        "hold",
    )
    page = recruiter.get(debrief_url(interviewee)).get_data(as_text=True)
    assert "Current decision: Hire" in page and "References were glowing" in page
    assert "Earlier decisions" in page and "Check references first" in page and "(superseded)" in page
