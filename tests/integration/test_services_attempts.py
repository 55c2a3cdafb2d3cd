"""The life of an attempt through the services, on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import random
import secrets
import shutil
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from saves import one_device, save_json
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assess.models import (
    Answer,
    Attempt,
    AttemptEvent,
    AttemptItem,
    Invitation,
    ItemScore,
    StoredItemVersion,
    TimeGrant,
)
from assess.services.answer_saves import save_answer
from assess.services.attempt_phase import (
    ACCEPTS_SAVES,
    PAST_GRACE,
    AttemptClosed,
    NoSuchAttempt,
    Phase,
    grace_cutoff,
    is_open_sql,
    phase_of,
    seconds_left,
)
from assess.services.attempt_reads import NoSuchSlot, page_slots, slot_summaries
from assess.services.attempt_start import create_attempt
from assess.services.campaigns import create_campaign
from assess.services.catalogue import PinnedVersionAltered, pin_versions, pinned_item
from assess.services.finalization import finalize_attempt, finalize_expired, submit_attempt
from assess.services.invitations import create_invitation
from assess.services.save_order import Outcome, SaveOrder
from assess.services.time_grants import grant_extra_time
from items.bank import Catalogue, item_version_from_content, load_banks
from items.base import ResponseError
from items.types import written

if TYPE_CHECKING:
    from conftest import ControllableClock

GRACE = 30
FIXTURE_BANKS = Path(__file__).resolve().parent.parent / "fixtures" / "banks"


@pytest.fixture
def invite(session: Session, sample_catalogue: Catalogue, clock: ControllableClock) -> Any:
    create_campaign(session, "sample", "Sample", "Account Manager", "sample-form", sample_catalogue, clock())

    def make(email: str = "cand@example.com", extra_time: Decimal = Decimal(1)) -> Invitation:
        return create_invitation(session, "sample", email, clock(), extra_time=extra_time)[0]

    return make


@pytest.fixture
def attempt(session: Session, invite: Any, sample_catalogue: Catalogue, clock: ControllableClock) -> Attempt:
    return create_attempt(session, invite(), sample_catalogue, clock(), random.Random(7))


def slots(session: Session, attempt_id: int) -> list[AttemptItem]:
    return list(
        session.scalars(
            select(AttemptItem).where(AttemptItem.attempt_id == attempt_id).order_by(AttemptItem.position)
        )
    )


def stored_answer(session_factory: sessionmaker[Session], attempt_id: int, position: int) -> tuple[Any, int]:
    with session_factory() as fresh:
        answer = fresh.get_one(Answer, (attempt_id, position))
        return answer.response, answer.seq


def test_start_freezes_items_versions_variants_and_empty_answers(
    session: Session, attempt: Attempt, sample_catalogue: Catalogue
) -> None:
    frozen = slots(session, attempt.id)
    assert [s.position for s in frozen] == [0, 1, 2, 3]
    assert [s.section_id for s in frozen] == ["warmup", "warmup", "drawn", "drawn"]
    assert [s.item_id for s in frozen[:2]] == ["sample-renewal", "sample-upsell"]
    assert {s.item_id for s in frozen[2:]} < {"sample-pool-1", "sample-pool-2", "sample-pool-3"}
    for slot in frozen:
        item = sample_catalogue.items[slot.item_id]
        assert slot.version == item.version
        assert sorted(slot.variant["order"]) == sorted(o.id for o in item.body.options)  # type: ignore[attr-defined]
        assert session.get_one(StoredItemVersion, (slot.item_id, slot.version)).content == item.content()
        answer = session.get_one(Answer, (attempt.id, slot.position))
        assert (answer.response, answer.seq, answer.saved_at) == (None, 0, None)


def test_start_is_idempotent_and_never_creates_a_second_attempt(
    session: Session, invite: Any, sample_catalogue: Catalogue, clock: ControllableClock
) -> None:
    invitation = invite()
    first = create_attempt(session, invitation, sample_catalogue, clock(), random.Random(1))
    clock.advance(minutes=3)
    again = create_attempt(session, invitation, sample_catalogue, clock(), random.Random(2))
    assert again.id == first.id
    assert again.started_at == first.started_at and again.deadline == first.deadline
    assert session.scalar(select(func.count()).select_from(Attempt)) == 1
    assert session.scalar(select(func.count()).select_from(AttemptItem)) == 4


@pytest.mark.parametrize(
    ("extra_time", "minutes"), [(Decimal(1), 10), (Decimal("1.25"), 12.5), (Decimal("1.5"), 15)]
)
def test_deadline_is_start_plus_limit_times_extra_time(
    session: Session,
    invite: Any,
    sample_catalogue: Catalogue,
    clock: ControllableClock,
    extra_time: Decimal,
    minutes: float,
) -> None:
    attempt = create_attempt(
        session, invite(extra_time=extra_time), sample_catalogue, clock(), random.Random(1)
    )
    assert attempt.started_at == clock()
    assert attempt.deadline == clock() + timedelta(minutes=minutes)
    assert attempt.deadline.tzinfo is not None and attempt.deadline.utcoffset() == timedelta(0)
    assert seconds_left(attempt, clock()) == minutes * 60


def test_nothing_a_save_sends_changes_the_deadline(
    session: Session, session_factory: sessionmaker[Session], attempt: Attempt, clock: ControllableClock
) -> None:
    deadline = attempt.deadline
    tampered = [
        {"choice": "a", "deadline": "2099-01-01T00:00:00Z"},
        {"deadline": "2099-01-01T00:00:00Z"},
        {"choice": "a", "seconds_left": 99999},
    ]
    for seq, response in enumerate(tampered, start=1):
        with pytest.raises(ResponseError):
            save_json(session, attempt.id, 0, response, one_device(seq), clock(), GRACE)
    save_json(session, attempt.id, 0, {"choice": "a"}, one_device(10), clock(), GRACE)
    with session_factory() as fresh:
        assert fresh.get_one(Attempt, attempt.id).deadline == deadline
    assert stored_answer(session_factory, attempt.id, 0) == ({"choice": "a"}, 10)


def test_an_older_edit_of_a_device_arriving_late_never_overwrites_its_newer_one(
    session: Session, session_factory: sessionmaker[Session], attempt: Attempt, clock: ControllableClock
) -> None:
    newer = save_json(session, attempt.id, 0, {"choice": "b"}, one_device(2), clock(), GRACE)
    assert (newer.outcome, newer.revision) == (Outcome.STORE, 1)
    older = save_json(session, attempt.id, 0, {"choice": "a"}, one_device(1), clock(), GRACE)
    assert (older.outcome, older.outcome.is_saved, older.revision) == (Outcome.SUPERSEDED, False, 1)
    assert stored_answer(session_factory, attempt.id, 0) == ({"choice": "b"}, 2)
    # A retried save of what is stored is acknowledged again, without a change or an event.
    again = save_json(session, attempt.id, 0, {"choice": "b"}, one_device(2), clock(), GRACE)
    assert (again.outcome, again.revision) == (Outcome.UNCHANGED, 1)
    cleared = save_json(session, attempt.id, 0, None, one_device(3), clock(), GRACE)
    assert (cleared.outcome, cleared.revision, cleared.answered) == (Outcome.STORE, 2, False)
    assert stored_answer(session_factory, attempt.id, 0) == (None, 3)


def test_a_device_whose_edit_predates_another_devices_save_is_told_it_was_not_saved(
    session: Session, session_factory: sessionmaker[Session], attempt: Attempt, clock: ControllableClock
) -> None:
    # Both pages showed revision 0. The phone saves first; the laptop's clock runs a day
    # ahead, and that changes nothing: its edit was made on revision 0, which is gone.
    phone = SaveOrder(base=0, device="phone-000001", edit=1)
    laptop = SaveOrder(base=0, device="laptop-00001", edit=9_999_999_999_999)
    assert save_json(session, attempt.id, 0, {"choice": "a"}, phone, clock(), GRACE).outcome is Outcome.STORE
    lost = save_json(session, attempt.id, 0, {"choice": "b"}, laptop, clock(), GRACE)
    assert (lost.outcome, lost.outcome.is_saved, lost.revision) == (Outcome.CONFLICT, False, 1)
    assert stored_answer(session_factory, attempt.id, 0) == ({"choice": "a"}, 1)
    # Having seen revision 1 (the page shows it), the laptop's next edit is stored.
    seen = SaveOrder(base=1, device="laptop-00001", edit=10_000_000_000_000)
    assert save_json(session, attempt.id, 0, {"choice": "b"}, seen, clock(), GRACE).revision == 2
    assert stored_answer(session_factory, attempt.id, 0) == ({"choice": "b"}, 10_000_000_000_000)


def test_moving_on_from_an_untouched_item_writes_no_event(
    session: Session, session_factory: sessionmaker[Session], attempt: Attempt, clock: ControllableClock
) -> None:
    result = save_json(session, attempt.id, 0, None, SaveOrder(base=0), clock(), GRACE)
    assert (result.outcome, result.revision, result.answered) == (Outcome.UNCHANGED, 0, False)
    with session_factory() as fresh:
        kinds = fresh.scalars(select(AttemptEvent.kind).where(AttemptEvent.attempt_id == attempt.id)).all()
    assert list(kinds) == ["started"]


def test_another_types_response_or_a_bad_counter_changes_nothing(
    session: Session, session_factory: sessionmaker[Session], attempt: Attempt, clock: ControllableClock
) -> None:
    save_json(session, attempt.id, 0, {"choice": "a"}, one_device(5), clock(), GRACE)
    with pytest.raises(TypeError, match="single_choice item takes a Response, not a Response"):
        save_answer(session, attempt.id, 0, written.Response(text="a"), one_device(6), clock(), GRACE)
    with pytest.raises(ValueError, match="edit"):
        save_json(session, attempt.id, 0, {"choice": "b"}, one_device(-1), clock(), GRACE)
    assert stored_answer(session_factory, attempt.id, 0) == ({"choice": "a"}, 5)


def test_saving_to_a_slot_the_attempt_does_not_have_is_refused(
    session: Session, attempt: Attempt, invite: Any, sample_catalogue: Catalogue, clock: ControllableClock
) -> None:
    with pytest.raises(NoSuchSlot):
        save_json(session, attempt.id, 4, {"choice": "a"}, one_device(1), clock(), GRACE)
    with pytest.raises(NoSuchSlot):
        save_json(session, attempt.id + 1000, 0, {"choice": "a"}, one_device(1), clock(), GRACE)
    with pytest.raises(NoSuchSlot):
        page_slots(session, attempt, -1)


def test_saves_are_accepted_in_the_grace_and_refused_after_it(
    session: Session, session_factory: sessionmaker[Session], attempt: Attempt, clock: ControllableClock
) -> None:
    save_json(session, attempt.id, 0, {"choice": "a"}, one_device(1), clock(), GRACE)
    clock.now = attempt.deadline + timedelta(seconds=GRACE)
    assert save_json(session, attempt.id, 1, {"choice": "a"}, one_device(2), clock(), GRACE).outcome.is_saved
    clock.advance(seconds=1)
    with pytest.raises(AttemptClosed, match="Time is up"):
        save_json(session, attempt.id, 0, {"choice": "b"}, one_device(3), clock(), GRACE)
    assert stored_answer(session_factory, attempt.id, 0) == ({"choice": "a"}, 1)
    assert seconds_left(attempt, clock()) == 0


def test_saves_after_submission_are_refused(
    session: Session, session_factory: sessionmaker[Session], attempt: Attempt, clock: ControllableClock
) -> None:
    save_json(session, attempt.id, 0, {"choice": "a"}, one_device(1), clock(), GRACE)
    submit_attempt(session, attempt.id, clock())
    with pytest.raises(AttemptClosed, match="submitted"):
        save_json(session, attempt.id, 0, {"choice": "b"}, one_device(2), clock(), GRACE)
    assert stored_answer(session_factory, attempt.id, 0) == ({"choice": "a"}, 1)


def test_an_item_page_shows_the_realized_body_and_the_saved_response_but_no_key(
    session: Session, attempt: Attempt, sample_catalogue: Catalogue, clock: ControllableClock
) -> None:
    save_json(session, attempt.id, 0, {"choice": "b"}, one_device(9), clock(), GRACE)
    frozen = slots(session, attempt.id)[0]
    view = page_slots(session, attempt, 0)[0]
    assert (view.position, view.count, view.section_title, view.item_id) == (
        0,
        4,
        "Warm-up",
        "sample-renewal",
    )
    assert (view.type, view.title, view.stored.edit) == ("single_choice", "First step before a renewal", 9)
    assert [o.id for o in view.body.options] == frozen.variant["order"]  # type: ignore[attr-defined]
    assert view.response is not None and view.response.model_dump() == {"choice": "b"}
    item = sample_catalogue.items["sample-renewal"]
    assert "key" not in vars(view) and item.rationale not in repr(view)
    assert "credit" not in repr(view)


def test_slot_summaries_name_every_item_and_whether_it_is_answered(
    session: Session, attempt: Attempt, clock: ControllableClock
) -> None:
    save_json(session, attempt.id, 1, {"choice": "a"}, one_device(1), clock(), GRACE)
    summaries = slot_summaries(session, attempt)
    assert [s.position for s in summaries] == [0, 1, 2, 3]
    assert [s.answered for s in summaries] == [False, True, False, False]
    assert summaries[0].title == "First step before a renewal" and summaries[0].section_title == "Warm-up"


def test_seconds_left_rounds_up_and_is_never_negative(attempt: Attempt, clock: ControllableClock) -> None:
    assert seconds_left(attempt, attempt.deadline - timedelta(seconds=1.2)) == 2
    assert seconds_left(attempt, attempt.deadline) == 0
    assert seconds_left(attempt, attempt.deadline + timedelta(hours=5)) == 0


def answer_keyed(session: Session, attempt: Attempt, catalogue: Catalogue, now: Any) -> None:
    """Answer every slot with its keyed option (the fixture bank is all single_choice)."""
    for seq, slot in enumerate(slots(session, attempt.id), start=1):
        correct = catalogue.items[slot.item_id].key.correct  # type: ignore[attr-defined]
        save_json(session, attempt.id, slot.position, {"choice": correct}, one_device(seq), now, GRACE)


def test_finalize_grades_every_slot_exactly_once(
    session: Session,
    session_factory: sessionmaker[Session],
    attempt: Attempt,
    sample_catalogue: Catalogue,
    clock: ControllableClock,
) -> None:
    answer_keyed(session, attempt, sample_catalogue, clock())
    save_json(session, attempt.id, 0, {"choice": "a"}, one_device(100), clock(), GRACE)  # partial credit 0.25
    clock.advance(minutes=2)
    assert finalize_attempt(session, attempt.id, clock(), "candidate") is True
    assert finalize_attempt(session, attempt.id, clock(), "deadline") is False
    with session_factory() as fresh:
        final = fresh.get_one(Attempt, attempt.id)
        assert (final.finalized_at, final.finalized_by) == (clock(), "candidate")
        assert (final.total_points, final.max_points) == (Decimal("4.25"), Decimal(5))
        scores = fresh.scalars(
            select(ItemScore).where(ItemScore.attempt_id == attempt.id).order_by(ItemScore.position)
        )
        rows = [(s.position, s.points, s.max_points, s.pending_review) for s in scores]
        assert rows == [
            (0, Decimal("0.25"), 1, False),
            (1, 2, 2, False),
            (2, 1, 1, False),
            (3, 1, 1, False),
        ]
        first = fresh.get_one(ItemScore, (attempt.id, 0))
        assert "partial credit" in first.parts[0]["explanation"]


def test_finalize_scores_unanswered_items_zero(
    session: Session, session_factory: sessionmaker[Session], attempt: Attempt, clock: ControllableClock
) -> None:
    finalize_attempt(session, attempt.id, clock(), "deadline")
    with session_factory() as fresh:
        final = fresh.get_one(Attempt, attempt.id)
        assert (final.total_points, final.max_points) == (0, 5)
        explanations = fresh.scalars(select(ItemScore.parts).where(ItemScore.attempt_id == attempt.id)).all()
        assert all(parts[0]["explanation"] == "Not answered." for parts in explanations)


def test_unknown_attempt_ids_are_named(session: Session, clock: ControllableClock) -> None:
    with pytest.raises(NoSuchAttempt):
        finalize_attempt(session, 424242, clock(), "candidate")
    with pytest.raises(NoSuchAttempt):
        grant_extra_time(session, 424242, 5, "staff@example.com", "", clock())
    with pytest.raises(ValueError, match="finalized by"):
        finalize_attempt(session, 424242, clock(), "someone")


def test_finalize_grades_against_the_pinned_version_after_the_bank_file_changes(
    session: Session,
    session_factory: sessionmaker[Session],
    invite: Any,
    sample_catalogue: Catalogue,
    clock: ControllableClock,
    tmp_path: Path,
) -> None:
    attempt = create_attempt(session, invite(), sample_catalogue, clock(), random.Random(3))
    save_json(
        session, attempt.id, 0, {"choice": "b"}, one_device(1), clock(), GRACE
    )  # keyed correct in the original
    # The author edits the bank: another option becomes correct and worth more.
    edited_dir = tmp_path / "banks"
    shutil.copytree(FIXTURE_BANKS, edited_dir)
    bank = edited_dir / "sample.yaml"
    text = bank.read_text(encoding="utf-8")
    assert "      correct: b\n      credit:\n        a: 0.25\n" in text
    bank.write_text(
        text.replace(
            "      correct: b\n      credit:\n        a: 0.25\n", "      correct: c\n      points: 3\n"
        )
    )
    edited = load_banks([edited_dir])
    assert edited.items["sample-renewal"].version != sample_catalogue.items["sample-renewal"].version
    # A new attempt pins the new version; the old attempt keeps the one it showed.
    newer = create_attempt(session, invite("other@example.com"), edited, clock(), random.Random(3))
    assert slots(session, newer.id)[0].version == edited.items["sample-renewal"].version
    assert slots(session, attempt.id)[0].version == sample_catalogue.items["sample-renewal"].version
    finalize_attempt(session, attempt.id, clock(), "candidate")
    with session_factory() as fresh:
        score = fresh.get_one(ItemScore, (attempt.id, 0))
        assert (score.points, score.max_points) == (1, 1)


def test_finalize_expired_finalizes_abandoned_attempts_only(
    session: Session,
    session_factory: sessionmaker[Session],
    invite: Any,
    sample_catalogue: Catalogue,
    clock: ControllableClock,
) -> None:
    abandoned = create_attempt(
        session, invite("gone@example.com"), sample_catalogue, clock(), random.Random(1)
    )
    answer_keyed(session, abandoned, sample_catalogue, clock())
    clock.advance(minutes=5)
    running = create_attempt(session, invite("here@example.com"), sample_catalogue, clock(), random.Random(1))
    clock.now = abandoned.deadline + timedelta(seconds=GRACE)
    assert finalize_expired(session, clock(), GRACE) == 0  # still inside the grace
    clock.advance(seconds=1)
    assert finalize_expired(session, clock(), GRACE) == 1
    assert finalize_expired(session, clock(), GRACE) == 0
    with session_factory() as fresh:
        gone = fresh.get_one(Attempt, abandoned.id)
        assert (gone.finalized_by, gone.finalized_at, gone.total_points) == ("deadline", clock(), Decimal(5))
        assert fresh.get_one(Attempt, running.id).finalized_at is None


def test_grant_extra_time_moves_the_deadline_and_logs_who(
    session: Session, session_factory: sessionmaker[Session], attempt: Attempt, clock: ControllableClock
) -> None:
    original = attempt.deadline
    clock.advance(minutes=9)
    moved = grant_extra_time(session, attempt.id, 5, "recruiter@example.com", "Lost connection", clock())
    assert moved.deadline == original + timedelta(minutes=5)
    grant_extra_time(session, attempt.id, 2, "recruiter@example.com", "", clock())
    with session_factory() as fresh:
        assert fresh.get_one(Attempt, attempt.id).deadline == original + timedelta(minutes=7)
        grants = fresh.scalars(select(TimeGrant).order_by(TimeGrant.id)).all()
        assert [(g.attempt_id, g.minutes, g.granted_by, g.reason, g.granted_at) for g in grants] == [
            (attempt.id, 5, "recruiter@example.com", "Lost connection", clock()),
            (attempt.id, 2, "recruiter@example.com", "", clock()),
        ]
    # The old deadline plus grace has passed; the granted time still counts, for saves and for the sweep.
    clock.now = original + timedelta(seconds=GRACE + 60)
    assert save_json(session, attempt.id, 0, {"choice": "a"}, one_device(1), clock(), GRACE).revision == 1
    assert finalize_expired(session, clock(), GRACE) == 0


def test_grant_extra_time_refuses_finalized_attempts_and_bad_minutes(
    session: Session, attempt: Attempt, clock: ControllableClock
) -> None:
    for minutes in (0, -5, 601):
        with pytest.raises(ValueError, match="minutes"):
            grant_extra_time(session, attempt.id, minutes, "r@example.com", "", clock())
    with pytest.raises(ValueError, match="who"):
        grant_extra_time(session, attempt.id, 5, "  ", "", clock())
    submit_attempt(session, attempt.id, clock())
    with pytest.raises(AttemptClosed):
        grant_extra_time(session, attempt.id, 5, "r@example.com", "", clock())
    assert session.scalar(select(func.count()).select_from(TimeGrant)) == 0


def test_submit_is_by_the_candidate_and_repeating_it_changes_nothing(
    session: Session, session_factory: sessionmaker[Session], attempt: Attempt, clock: ControllableClock
) -> None:
    submit_attempt(session, attempt.id, clock())
    finalized_at = clock()
    clock.advance(minutes=1)
    submit_attempt(session, attempt.id, clock())
    with session_factory() as fresh:
        final = fresh.get_one(Attempt, attempt.id)
        assert (final.finalized_by, final.finalized_at) == ("candidate", finalized_at)
    assert seconds_left(final, clock()) == 0


def test_an_attempt_on_the_catalogue_form_starts_and_finalizes(
    session: Session,
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    form_id: str,
    clock: ControllableClock,
) -> None:
    create_campaign(session, "shipped", "Shipped form", "Account Manager", form_id, catalogue, clock())
    invitation, _ = create_invitation(session, "shipped", "a@example.com", clock())
    attempt = create_attempt(session, invitation, catalogue, clock(), random.Random(11))
    count = len(slots(session, attempt.id))
    for position in range(count):
        view = page_slots(session, attempt, position)[0]
        assert view.count == count and view.response is None
    assert finalize_attempt(session, attempt.id, clock(), "deadline")
    with session_factory() as fresh:
        assert fresh.scalar(select(func.count()).select_from(ItemScore)) == count
        assert fresh.get_one(Attempt, attempt.id).total_points == 0


def test_a_pinned_row_edited_behind_the_apps_back_is_refused_when_read(
    session: Session, sample_catalogue: Catalogue
) -> None:
    # A title no other test uses: its version is new to this process, so nothing cached hides the edit.
    item = sample_catalogue.items["sample-renewal"]
    fresh = item_version_from_content({**item.content(), "title": f"Edited {secrets.token_hex(8)}"})
    pin_versions(session, [fresh])
    pin_versions(session, [fresh])  # a second Start pinning the same version stores nothing new
    session.commit()
    stored = session.get_one(StoredItemVersion, (fresh.item_id, fresh.version))
    copies = select(func.count()).where(
        StoredItemVersion.item_id == fresh.item_id, StoredItemVersion.version == fresh.version
    )
    assert session.scalar(copies) == 1
    stored.content = {**stored.content, "rationale": "changed after it was pinned"}
    session.commit()
    with pytest.raises(PinnedVersionAltered, match=fresh.version):
        pinned_item(session, fresh.item_id, fresh.version)


#: (seconds from the deadline to now, the phase): around the deadline and the end of the grace.
PHASES = [
    (-60, Phase.OPEN),
    (-0.000001, Phase.OPEN),
    (0, Phase.IN_GRACE),
    (GRACE, Phase.IN_GRACE),
    (GRACE + 0.000001, Phase.PAST_GRACE),
    (3600, Phase.PAST_GRACE),
]


@pytest.mark.parametrize(("after_deadline", "phase"), PHASES)
def test_the_phase_and_its_sql_form_agree_around_the_deadline_and_the_grace(
    session: Session, attempt: Attempt, after_deadline: float, phase: Phase
) -> None:
    now = attempt.deadline + timedelta(seconds=after_deadline)
    assert phase_of(attempt, now, GRACE) is phase
    assert phase.is_time_up is (seconds_left(attempt, now) == 0)
    this_attempt = select(Attempt.id).where(Attempt.id == attempt.id)
    assert (session.scalar(this_attempt.where(is_open_sql(now))) is not None) is (phase is Phase.OPEN)
    cutoff = {"grace_cutoff": grace_cutoff(now, GRACE)}
    assert (session.scalar(this_attempt.where(PAST_GRACE), cutoff) is not None) is (phase is Phase.PAST_GRACE)
    assert (session.scalar(this_attempt.where(ACCEPTS_SAVES), cutoff) is not None) is (
        phase in (Phase.OPEN, Phase.IN_GRACE)
    )


def test_a_finalized_attempt_is_finalized_in_every_phase_and_takes_no_saves(
    session: Session, attempt: Attempt, clock: ControllableClock
) -> None:
    assert phase_of(None, clock(), GRACE) is Phase.NOT_STARTED
    submit_attempt(session, attempt.id, clock())
    for after_deadline, _ in PHASES:
        now = attempt.deadline + timedelta(seconds=after_deadline)
        assert phase_of(attempt, now, GRACE) is Phase.FINALIZED
        accepting = select(Attempt.id).where(Attempt.id == attempt.id, ACCEPTS_SAVES)
        assert session.scalar(accepting, {"grace_cutoff": grace_cutoff(now, GRACE)}) is None


def test_a_submit_once_the_time_is_up_is_the_deadlines_doing(
    session: Session, session_factory: sessionmaker[Session], attempt: Attempt
) -> None:
    submit_attempt(session, attempt.id, attempt.deadline)
    with session_factory() as fresh:
        assert fresh.get_one(Attempt, attempt.id).finalized_by == "deadline"
