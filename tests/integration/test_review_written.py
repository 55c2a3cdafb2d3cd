"""The written-answer queue: rubric marks per criterion, hidden names, totals and the audit log."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from review_setup import attempt, finished_attempt, positions_of, started_attempt
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import StaffClient, post

from assess.models import AttemptItem, AuditEntry, Invitation, ItemScore, RubricReview
from assess.services.finalization import submit_attempt
from assess.services.review import anonymous_code
from assess.services.rubric import NotReviewable, ReviewConflict, score_rubric
from items.bank import Catalogue
from items.types.written import Key

if TYPE_CHECKING:
    from conftest import ControllableClock


@pytest.fixture
def written(
    app: Flask,
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    invite: Callable[..., str],
    clock: ControllableClock,
) -> tuple[int, int, Key]:
    """A finished attempt, the position of its written item, and that item's key."""
    if not any(item.type == "written" for item in catalogue.items.values()):
        pytest.skip("the banks in use have no written item")
    attempt_id = finished_attempt(session_factory, catalogue, invite("writer@example.com"), clock)
    position = positions_of(session_factory, attempt_id, "written")[0]
    with session_factory() as session:
        slot = session.get_one(AttemptItem, (attempt_id, position))
    key = catalogue.items[slot.item_id].key
    assert isinstance(key, Key)
    return attempt_id, position, key


def item_score(session_factory: sessionmaker[Session], attempt_id: int, position: int) -> ItemScore:
    with session_factory() as session:
        return session.get_one(ItemScore, (attempt_id, position))


def full_marks(key: Key) -> dict[str, str]:
    return {f"criterion_{c.id}": str(int(c.max_points)) for c in key.rubric}


def test_queue_lists_pending_written_answers_and_marks_store_score_review_and_audit(
    session_factory: sessionmaker[Session], written: tuple[int, int, Key], interviewer: StaffClient
) -> None:
    attempt_id, position, key = written
    before = item_score(session_factory, attempt_id, position)
    assert before.pending_review

    queue = interviewer.get("/staff/review/written").get_data(as_text=True)
    link = f"/staff/review/written/{attempt_id}/{position + 1}"
    assert link in queue and "writer@example.com" in queue

    page = interviewer.get(link).get_data(as_text=True)
    for criterion in key.rubric:
        assert criterion.label in page
        assert criterion.description.strip().split("\n")[0][:40] in page
        assert f"(0 to {int(criterion.max_points)} points)" in page

    marks = full_marks(key)
    lowered = key.rubric[0]
    marks[f"criterion_{lowered.id}"] = "1"
    response = post(interviewer, link, {"based_on": "0", **marks})
    assert response.status_code == 302, response.get_data(as_text=True)

    after = item_score(session_factory, attempt_id, position)
    rubric_total = sum((c.max_points for c in key.rubric), Decimal(0)) - lowered.max_points + 1
    automatic = before.points
    assert not after.pending_review
    assert after.points == automatic + rubric_total
    assert any(p["label"] == lowered.label and Decimal(p["points"]) == 1 for p in after.parts)
    with session_factory() as session:
        scores = session.scalars(select(ItemScore).where(ItemScore.attempt_id == attempt_id)).all()
        assert attempt(session_factory, attempt_id).total_points == sum(s.points for s in scores)
        review = session.scalars(select(RubricReview)).one()
        assert review.reviewer_id == interviewer.user.id and review.awards[lowered.id] == "1"
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "attempt.rubric_score")).one()
        assert entry.actor_id == interviewer.user.id and entry.detail["attempt_id"] == attempt_id
        assert entry.detail["before"]["points"] == str(before.points)
    assert link not in interviewer.get("/staff/review/written").get_data(as_text=True)


def test_hide_names_shows_only_an_anonymous_code(
    staff_client: Callable[..., StaffClient],
    session_factory: sessionmaker[Session],
    written: tuple[int, int, Key],
) -> None:
    attempt_id, position, _ = written
    client = staff_client("recruiter")
    with session_factory() as session:
        invitation = session.scalars(select(Invitation)).one()
        code = anonymous_code(invitation)
    assert post(client, "/staff/review/written/names", {"back": "/staff/review/written"}).status_code == 302
    for path in (
        "/staff/review/written",
        f"/staff/review/written/{attempt_id}/{position + 1}",
        f"/staff/review/attempts/{attempt_id}",
    ):
        text = client.get(path).get_data(as_text=True)
        assert "writer@example.com" not in text, path
        assert code in text, path
        assert "Show candidate names</button>" in text, path
    # The Attempts list is for finding a candidate: it keeps their names.
    assert "writer@example.com" in client.get("/staff/review/").get_data(as_text=True)
    # Another reviewer's choice is their own.
    other = staff_client("recruiter")
    assert "writer@example.com" in other.get("/staff/review/written").get_data(as_text=True)
    # And the toggle turns names back on.
    post(client, "/staff/review/written/names", {"back": "https://evil.example.com/"})
    assert "writer@example.com" in client.get("/staff/review/written").get_data(as_text=True)


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"criterion_missing": None}, 422),
        ({"first": "99"}, 422),
        ({"first": "-1"}, 422),
        ({"first": "two"}, 422),
        ({"based_on": "x"}, 400),
        ({"csrf": False}, 400),
    ],
)
def test_bad_marks_are_refused_and_change_nothing(
    session_factory: sessionmaker[Session],
    written: tuple[int, int, Key],
    change: dict[str, Any],
    status: int,
    recruiter: StaffClient,
) -> None:
    attempt_id, position, key = written
    link = f"/staff/review/written/{attempt_id}/{position + 1}"
    data: dict[str, Any] = {"based_on": "0", **full_marks(key)}
    first = f"criterion_{key.rubric[0].id}"
    if "criterion_missing" in change:
        del data[first]
    if "first" in change:
        data[first] = change["first"]
    if "based_on" in change:
        data["based_on"] = change["based_on"]
    response = recruiter.post(link, data=data) if change.get("csrf") is False else post(recruiter, link, data)
    assert response.status_code == status
    if status == 422:
        assert "Give a mark for" in response.get_data(as_text=True) or "Choose one of the marks" in (
            response.get_data(as_text=True)
        )
    assert item_score(session_factory, attempt_id, position).pending_review
    with session_factory() as session:
        assert session.scalars(select(RubricReview)).all() == []
        assert (
            session.scalars(select(AuditEntry).where(AuditEntry.action == "attempt.rubric_score")).all() == []
        )


def test_marks_from_a_stale_page_are_refused(
    staff_client: Callable[..., StaffClient],
    session_factory: sessionmaker[Session],
    written: tuple[int, int, Key],
) -> None:
    attempt_id, position, key = written
    link = f"/staff/review/written/{attempt_id}/{position + 1}"
    first, second = staff_client("recruiter"), staff_client("interviewer")
    assert post(first, link, {"based_on": "0", **full_marks(key)}).status_code == 302
    stale = post(second, link, {"based_on": "0", **{k: "0" for k in full_marks(key)}})
    assert stale.status_code == 409
    assert "another reviewer marked this answer" in stale.get_data(as_text=True).lower()
    with session_factory() as session:
        assert len(session.scalars(select(RubricReview)).all()) == 1
    # The page now starts from the marks in force, and a correction based on them is stored.
    page = second.get(link).get_data(as_text=True)
    assert "checked" in page
    with session_factory() as session:
        latest = session.scalars(select(RubricReview)).one().id
    assert (
        post(second, link, {"based_on": str(latest), **{k: "0" for k in full_marks(key)}}).status_code == 302
    )
    score = item_score(session_factory, attempt_id, position)
    assert all(Decimal(p["points"]) == 0 for p in score.parts if p["label"] in {c.label for c in key.rubric})


def test_only_finished_answered_rubric_items_can_be_marked(
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    invite: Callable[..., str],
    clock: ControllableClock,
    written: tuple[int, int, Key],
    recruiter: StaffClient,
) -> None:
    attempt_id, position, key = written
    awards = {c.id: c.max_points for c in key.rubric}
    running = started_attempt(session_factory, catalogue, invite("running@example.com"), clock)
    other = positions_of(session_factory, attempt_id, "single_choice")[0]
    with session_factory() as session:
        with pytest.raises(NotReviewable, match="still running"):
            score_rubric(session, running, position, awards, recruiter.user, clock(), 0)
        with pytest.raises(NotReviewable, match="no rubric"):
            score_rubric(session, attempt_id, other, awards, recruiter.user, clock(), 0)
        score_rubric(session, attempt_id, position, awards, recruiter.user, clock(), 0)
        with pytest.raises(ReviewConflict):
            score_rubric(session, attempt_id, position, awards, recruiter.user, clock(), 0)
    assert recruiter.get(f"/staff/review/written/{attempt_id}/{other + 1}").status_code == 404
    assert recruiter.get(f"/staff/review/written/{running}/{position + 1}").status_code == 409
    with session_factory() as session:
        submit_attempt(session, running, clock())
    assert recruiter.get(f"/staff/review/written/{running}/{position + 1}").status_code == 404
    assert recruiter.get(f"/staff/review/written/{attempt_id}/99").status_code == 404
    assert recruiter.get("/staff/review/written/999999/1").status_code == 404
