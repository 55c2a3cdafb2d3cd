"""The pipeline: every candidate's status and score so far, filtered and sorted on the server."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from saves import one_device, save_json
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import StaffClient

from assess.models import (
    AttemptItem,
    Campaign,
    Invitation,
    ItemScore,
    RubricReview,
    Scorecard,
    StoredItemVersion,
)
from assess.services.attempt_start import create_attempt
from assess.services.finalization import submit_attempt
from assess.services.invitations import revoke_invitation
from items.bank import Catalogue


def statuses(page: str) -> dict[str, str]:
    """candidate email -> status text, in the order the table lists them."""
    rows = re.findall(
        r'<a href="/staff/invitations/\d+">([^<]+)</a>.*?<span class="status[^"]*">([^<]+)</span>', page, re.S
    )
    return dict(rows)


def answer_written_items(session: Session, attempt_id: int, now: Any) -> None:
    """Written answers are what waits for a reviewer: give each one some text."""
    positions = session.scalars(
        select(AttemptItem.position)
        .join(
            StoredItemVersion,
            (StoredItemVersion.item_id == AttemptItem.item_id)
            & (StoredItemVersion.version == AttemptItem.version),
        )
        .where(AttemptItem.attempt_id == attempt_id, StoredItemVersion.type == "written")
    ).all()
    assert positions, "the form has no written item"
    for position in positions:
        save_json(
            session,
            attempt_id,
            position,
            {"text": "Dear Dana, thank you for the call."},
            one_device(1),
            now,
            30,
        )


def test_pipeline_shows_each_status_and_the_score_so_far(
    session_factory: sessionmaker[Session],
    invite: Callable[..., str],
    catalogue: Catalogue,
    clock: Any,
    recruiter: StaffClient,
) -> None:
    from datetime import timedelta

    invite("invited@example.com")
    invite("expired@example.com", valid_for=timedelta(minutes=1))
    invite("revoked@example.com")
    for email in (
        "started@example.com",
        "graded@example.com",
        "reviewed@example.com",
        "interviewed@example.com",
    ):
        invite(email)
    with session_factory() as session:
        by_email = {i.email: i for i in session.scalars(select(Invitation))}
        revoke_invitation(session, by_email["revoked@example.com"].id, clock())
        attempts = {}
        for email in (
            "started@example.com",
            "graded@example.com",
            "reviewed@example.com",
            "interviewed@example.com",
        ):
            attempts[email] = create_attempt(session, by_email[email], catalogue, clock(), random.Random(1))
        for email in ("graded@example.com", "reviewed@example.com", "interviewed@example.com"):
            answer_written_items(session, attempts[email].id, clock())
            submit_attempt(session, attempts[email].id, clock())
        reviewed = attempts["reviewed@example.com"].id
        for score in session.scalars(
            select(ItemScore).where(ItemScore.attempt_id == reviewed, ItemScore.pending_review.is_(True))
        ):
            session.add(
                RubricReview(
                    attempt_id=reviewed,
                    position=score.position,
                    reviewer_id=recruiter.user.id,
                    reviewed_at=clock(),
                    awards={},
                    key_version="v",
                    points=score.max_points,
                    max_points=score.max_points,
                )
            )
        session.add(
            Scorecard(
                invitation_id=by_email["interviewed@example.com"].id,
                kit_id="account-manager-smb",
                stage_id="interview",
                interviewer_id=recruiter.user.id,
                revision=1,
                status="submitted",
                ratings={},
                evidence={},
                goals={},
                recommendation=3,
                red_flags=[],
                red_flag_notes="",
                notes="",
                correction_reason="",
                created_at=clock(),
                updated_at=clock(),
                submitted_at=clock(),
            )
        )
        session.commit()
        campaign_id = session.scalars(select(Campaign.id)).one()
    clock.advance(minutes=5)

    page = recruiter.get(f"/staff/campaigns/{campaign_id}").get_data(as_text=True)
    assert statuses(page) == {
        "invited@example.com": "Invited, not started",
        "expired@example.com": "Link expired unused",
        "revoked@example.com": "Invitation revoked",
        "started@example.com": "Taking the test",
        "graded@example.com": "Graded, written answers to review",
        "reviewed@example.com": "Graded and reviewed",
        "interviewed@example.com": "Interviewed, ready for a decision",
    }
    # Unanswered tests score zero where graded automatically; the reviewed one has full rubric marks.
    assert re.search(r"graded@example\.com.*?<td>\d+(\.\d)? %</td>", page, re.S)

    graded_only = recruiter.get(f"/staff/campaigns/{campaign_id}?status=graded").get_data(as_text=True)
    assert list(statuses(graded_only)) == ["graded@example.com"]
    searched = recruiter.get(f"/staff/campaigns/{campaign_id}?q=REVIEWED").get_data(as_text=True)
    assert list(statuses(searched)) == ["reviewed@example.com"]
    by_email_desc = recruiter.get(f"/staff/campaigns/{campaign_id}?sort=email&order=desc").get_data(
        as_text=True
    )
    assert list(statuses(by_email_desc)) == sorted(statuses(page), reverse=True)
    by_score = recruiter.get(f"/staff/campaigns/{campaign_id}?sort=score&order=desc").get_data(as_text=True)
    ordered = list(statuses(by_score))
    assert ordered[0] == "reviewed@example.com"
    assert set(ordered[-4:]) == {
        "invited@example.com",
        "expired@example.com",
        "revoked@example.com",
        "started@example.com",
    }


def test_pipeline_refuses_unknown_filters(
    session_factory: sessionmaker[Session], invite: Callable[..., str], recruiter: StaffClient
) -> None:
    invite()
    with session_factory() as session:
        campaign_id = session.scalars(select(Campaign.id)).one()
    for query in ("status=hired", "sort=salary", "order=sideways"):
        assert recruiter.get(f"/staff/campaigns/{campaign_id}?{query}").status_code == 400


def test_extra_time_shows_in_the_pipeline(
    session_factory: sessionmaker[Session], invite: Callable[..., str], recruiter: StaffClient
) -> None:
    invite("slow@example.com", extra_time=Decimal("1.5"))
    with session_factory() as session:
        campaign_id = session.scalars(select(Campaign.id)).one()
    assert "Extra time ×1.50" in recruiter.get(f"/staff/campaigns/{campaign_id}").get_data(as_text=True)
