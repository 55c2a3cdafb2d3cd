"""Invitations made through the API's service: one or many, replayed for a repeated Idempotency-Key.

The HTTP operation (POST /api/v1/campaigns/{id}/invitations) validates its JSON body with
``InvitationRequest`` and hands the rows to ``invite_through_api``, tested here on both databases.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assess.models import Attempt, AuditEntry, Campaign, Invitation, OutboxMessage
from assess.models.api_key import ApiKey, IdempotentRequest
from assess.services.api_invitations import (
    Idempotency,
    IdempotencyKeyReused,
    IdempotencyPending,
    StoredAnswer,
    invite_through_api,
    request_fingerprint,
    store_answer,
)
from assess.services.api_keys import create_api_key
from assess.services.api_reads import NotFound
from assess.services.invitation_import import InviteRefused, InviteRow
from assess.services.staff import create_user
from items.bank import Catalogue

ROWS = [InviteRow("ana@example.com", "Ana", "1", line=1), InviteRow("bo@example.com", "", "1.25", line=2)]


@pytest.fixture
def campaign_id(invite: Callable[..., str], session_factory: sessionmaker[Session]) -> int:
    with session_factory() as session:
        return session.scalars(select(Campaign.id)).one()


@pytest.fixture
def key(session_factory: sessionmaker[Session], clock: Any) -> ApiKey:
    with session_factory() as session:
        maker = create_user(session, "it@example.com", "admin", "a long enough password", now=clock())
        return create_api_key(session, "ATS", ["invite"], maker, clock())[0]


def _invite(
    session_factory: sessionmaker[Session],
    key: ApiKey,
    campaign_id: int,
    catalogue: Catalogue,
    clock: Any,
    rows: list[InviteRow] = ROWS,
    idempotency: Idempotency | None = None,
) -> list[int] | StoredAnswer:
    with session_factory() as session:
        made = invite_through_api(
            session,
            key,
            campaign_id,
            rows,
            timedelta(days=7),
            "https://assess.example",
            catalogue,
            clock(),
            idempotency,
        )
        if idempotency is not None and isinstance(made, list):
            store_answer(session, key, idempotency, StoredAnswer(201, {"ids": made}))
        return made


def _count(session_factory: sessionmaker[Session], model: Any) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_many_candidates_are_invited_and_emailed_with_the_key_in_the_audit_log(
    session_factory: sessionmaker[Session], key: ApiKey, campaign_id: int, catalogue: Catalogue, clock: Any
) -> None:
    made = _invite(session_factory, key, campaign_id, catalogue, clock)
    assert isinstance(made, list) and len(made) == 2
    with session_factory() as session:
        emails = session.scalars(select(Invitation.email).where(Invitation.id.in_(made))).all()
        assert sorted(emails) == ["ana@example.com", "bo@example.com"]
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 2
        prepared = session.scalars(select(Attempt.invitation_id).where(Attempt.started_at.is_(None))).all()
        assert sorted(prepared) == sorted(made)
        audit = session.execute(
            select(AuditEntry.action, AuditEntry.actor_id).where(AuditEntry.action != "api_key.create")
        ).all()
    creations = [actor for action, actor in audit if action == "invitation.create"]
    assert creations == [key.created_by_id] * 2
    assert [action for action, _ in audit].count("api_key.use") == 1


def test_a_repeated_idempotency_key_replays_the_first_answer_and_invites_nobody_again(
    session_factory: sessionmaker[Session], key: ApiKey, campaign_id: int, catalogue: Catalogue, clock: Any
) -> None:
    same = Idempotency("order-7", request_fingerprint("POST", "/path", b"body"))
    first = _invite(session_factory, key, campaign_id, catalogue, clock, idempotency=same)
    again = _invite(session_factory, key, campaign_id, catalogue, clock, idempotency=same)
    assert again == StoredAnswer(201, {"ids": first})
    assert _count(session_factory, Invitation) == 2

    other = Idempotency("order-7", request_fingerprint("POST", "/path", b"another body"))
    with pytest.raises(IdempotencyKeyReused):
        _invite(session_factory, key, campaign_id, catalogue, clock, idempotency=other)
    assert _count(session_factory, Invitation) == 2


def test_a_refused_request_stores_nothing_and_frees_its_idempotency_key(
    session_factory: sessionmaker[Session], key: ApiKey, campaign_id: int, catalogue: Catalogue, clock: Any
) -> None:
    bad = [InviteRow("not an address", line=1), InviteRow("ok@example.com", extra_time="9", line=2)]
    chosen = Idempotency("retry-me", request_fingerprint("POST", "/path", b"bad"))
    before = _count(session_factory, AuditEntry)
    with pytest.raises(InviteRefused) as refused:
        _invite(session_factory, key, campaign_id, catalogue, clock, rows=bad, idempotency=chosen)
    assert [(problem.line, problem.field) for problem in refused.value.problems] == [
        (1, "email"),
        (2, "extra_time"),
    ]
    assert _count(session_factory, Invitation) == 0
    assert _count(session_factory, IdempotentRequest) == 0
    assert _count(session_factory, AuditEntry) == before
    with pytest.raises(NotFound):
        _invite(session_factory, key, 987_654, catalogue, clock)


def test_two_identical_requests_at_once_invite_once(
    session_factory: sessionmaker[Session], key: ApiKey, campaign_id: int, catalogue: Catalogue, clock: Any
) -> None:
    same = Idempotency("double-click", request_fingerprint("POST", "/path", b"body"))
    answers: list[Any] = []
    barrier = threading.Barrier(2)

    def send() -> None:
        barrier.wait()
        try:
            answers.append(_invite(session_factory, key, campaign_id, catalogue, clock, idempotency=same))
        except Exception as exc:  # the loser may be told the first is still running
            answers.append(exc)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _count(session_factory, Invitation) == 2
    made = [answer for answer in answers if isinstance(answer, list)]
    assert len(made) == 1
    other = next(answer for answer in answers if not isinstance(answer, list))
    # The second is answered as the first was, or told to retry while the first stores its answer.
    assert other == StoredAnswer(201, {"ids": made[0]}) or isinstance(other, IdempotencyPending)
