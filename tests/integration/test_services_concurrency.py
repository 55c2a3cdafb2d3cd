"""Racing requests, as several workers would send them: two sessions on two threads, real database."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
from saves import one_device, save_json
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assess.models import Answer, Attempt, AttemptItem, Invitation, ItemScore, StoredItemVersion
from assess.services.attempt_phase import AttemptClosed
from assess.services.attempt_start import create_attempt
from assess.services.campaigns import create_campaign
from assess.services.finalization import finalize_attempt
from assess.services.invitations import create_invitation
from assess.services.save_order import Outcome, SaveResult
from items.bank import Catalogue

if TYPE_CHECKING:
    from conftest import ControllableClock

GRACE = 30
T = TypeVar("T")


def race(
    session_factory: sessionmaker[Session], calls: list[Callable[[Session], T]]
) -> list[T | BaseException]:
    """Run each call on its own thread and session, released together; return results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results: list[T | BaseException] = [RuntimeError("did not run")] * len(calls)

    def run(index: int, call: Callable[[Session], T]) -> None:
        with session_factory() as session:
            barrier.wait()
            try:
                results[index] = call(session)
            except BaseException as exc:  # handed back to the test, which asserts on it
                results[index] = exc

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def invite(session: Session, sample_catalogue: Catalogue, clock: ControllableClock) -> Callable[[str], int]:
    create_campaign(session, "sample", "Sample", "Account Manager", "sample-form", sample_catalogue, clock())
    return lambda email: create_invitation(session, "sample", email, clock())[0].id


def test_concurrent_starts_create_one_attempt(
    session_factory: sessionmaker[Session],
    invite: Callable[[str], int],
    sample_catalogue: Catalogue,
    clock: ControllableClock,
) -> None:
    invitation_id = invite("a@example.com")

    def start(session: Session) -> int:
        invitation = session.get_one(Invitation, invitation_id)
        return create_attempt(session, invitation, sample_catalogue, clock(), random.Random()).id

    results = race(session_factory, [start] * 4)
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Attempt)) == 1
        assert session.scalar(select(func.count()).select_from(AttemptItem)) == 4
        assert session.scalar(select(func.count()).select_from(Answer)) == 4


def test_concurrent_starts_of_different_invitations_share_pinned_versions(
    session_factory: sessionmaker[Session],
    invite: Callable[[str], int],
    sample_catalogue: Catalogue,
    clock: ControllableClock,
) -> None:
    ids = [invite(f"c{i}@example.com") for i in range(4)]

    def starter(invitation_id: int) -> Callable[[Session], int]:
        def start(session: Session) -> int:
            invitation = session.get_one(Invitation, invitation_id)
            return create_attempt(session, invitation, sample_catalogue, clock(), random.Random()).id

        return start

    results = race(session_factory, [starter(i) for i in ids])
    assert all(isinstance(r, int) for r in results), results
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Attempt)) == 4
        assert session.scalar(select(func.count()).select_from(StoredItemVersion)) <= 5


def started(
    session_factory: sessionmaker[Session], invitation_id: int, catalogue: Catalogue, now: Any
) -> int:
    with session_factory() as session:
        invitation = session.get_one(Invitation, invitation_id)
        return create_attempt(session, invitation, catalogue, now, random.Random(5)).id


def test_concurrent_finalizations_grade_exactly_once(
    session_factory: sessionmaker[Session],
    invite: Callable[[str], int],
    sample_catalogue: Catalogue,
    clock: ControllableClock,
) -> None:
    attempt_id = started(session_factory, invite("a@example.com"), sample_catalogue, clock())
    with session_factory() as session:
        save_json(session, attempt_id, 1, {"choice": "a"}, one_device(1), clock(), GRACE)
    results = race(
        session_factory,
        [
            lambda s: finalize_attempt(s, attempt_id, clock(), "candidate"),
            lambda s: finalize_attempt(s, attempt_id, clock(), "deadline"),
        ]
        * 2,
    )
    assert sorted(results, key=str) == [False, False, False, True], results
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(ItemScore)) == 4
        assert session.get_one(Attempt, attempt_id).total_points == Decimal(2)


def test_a_save_racing_the_finalization_is_either_graded_or_refused(
    session_factory: sessionmaker[Session],
    invite: Callable[[str], int],
    sample_catalogue: Catalogue,
    clock: ControllableClock,
) -> None:
    """Invariant 4: an acknowledged save is always in the grade; a refused one never is."""
    outcomes = set()
    for round_ in range(8):
        attempt_id = started(session_factory, invite(f"r{round_}@example.com"), sample_catalogue, clock())
        save, final = race(
            session_factory,
            [
                lambda s, a=attempt_id: save_json(s, a, 1, {"choice": "a"}, one_device(1), clock(), GRACE),
                lambda s, a=attempt_id: finalize_attempt(s, a, clock(), "candidate"),
            ],
        )
        assert final is True
        with session_factory() as session:
            points = session.get_one(ItemScore, (attempt_id, 1)).points
        if isinstance(save, AttemptClosed):
            assert points == 0
            outcomes.add("refused")
        else:
            assert save.outcome.is_saved and points == 2, save
            outcomes.add("graded")
    assert outcomes  # which side wins is up to the scheduler; both are correct


def test_racing_saves_of_one_device_keep_its_last_edit(
    session_factory: sessionmaker[Session],
    invite: Callable[[str], int],
    sample_catalogue: Catalogue,
    clock: ControllableClock,
) -> None:
    attempt_id = started(session_factory, invite("a@example.com"), sample_catalogue, clock())
    seqs = list(range(1, 9))
    seqs_last = max(seqs)
    random.Random(2).shuffle(seqs)

    def saver(seq: int) -> Callable[[Session], SaveResult]:
        # Only the last edit says "c": an earlier edit storing the same content would make the
        # last one a confirmation, which keeps the stored edit number.
        choice = "c" if seq == seqs_last else "ab"[seq % 2]
        return lambda s: save_json(s, attempt_id, 0, {"choice": choice}, one_device(seq), clock(), GRACE)

    results = race(session_factory, [saver(seq) for seq in seqs])
    assert all(isinstance(r, SaveResult) for r in results), results
    with session_factory() as session:
        answer = session.get_one(Answer, (attempt_id, 0))
        assert (answer.seq, answer.response) == (8, {"choice": "c"})
    # Every "saved" was true when said: no save after a later edit's store claims the slot.
    saved_edits = [seq for seq, r in zip(seqs, results, strict=True) if r.outcome is Outcome.STORE]
    assert 8 in saved_edits
