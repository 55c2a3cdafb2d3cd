"""Attempts prepared with their invitation: what a Start stamps, when it draws again, what never counts."""

from __future__ import annotations

import random
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from candidate_client import Candidate
from flask import Flask
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker

from assess.models import Answer, Attempt, AttemptEvent, AttemptItem, Invitation, StoredItemVersion
from assess.services.attempt_phase import NoSuchAttempt, Phase, phase_of
from assess.services.attempt_start import create_attempt
from assess.services.authored_items import set_retired
from assess.services.authoring import live_catalogue
from assess.services.campaigns import CampaignSettings, campaign_by_slug, create_campaign, update_campaign
from assess.services.finalization import finalize_attempt, finalize_expired, submit_attempt
from assess.services.invitation_import import InviteRow, invite_candidates
from assess.services.invitations import (
    InvitationUnusable,
    create_invitation,
    extend_invitation,
    open_attempt,
    resend_invitation,
    revoke_invitation,
)
from assess.services.item_statistics import form_analyses
from assess.services.pipeline import campaign_pipeline, expiring_invitation_ids, invitation_record
from assess.services.report_data import load_campaign
from assess.services.review import attempt_review, attempt_summaries
from assess.services.scorecards import kit_catalogue
from assess.services.staff import create_user
from assess.services.staff_home import campaign_work
from assess.services.time_grants import grant_extra_time
from items.bank import Catalogue, load_banks

if TYPE_CHECKING:
    from conftest import ControllableClock

GRACE = 30
REPO = Path(__file__).resolve().parent.parent.parent
FIXTURE_BANKS = REPO / "tests" / "fixtures" / "banks"
LIMIT = timedelta(minutes=10)  # sample-form's limit


@pytest.fixture
def invite(session: Session, sample_catalogue: Catalogue, clock: ControllableClock) -> Any:
    """A prepared invitation to the sample form (``prepared=False``: one made the old way)."""
    create_campaign(session, "sample", "Sample", "Account Manager", "sample-form", sample_catalogue, clock())

    def make(
        email: str = "cand@example.com", prepared: bool = True, **options: Any
    ) -> tuple[Invitation, str]:
        catalogue = sample_catalogue if prepared else None
        return create_invitation(session, "sample", email, clock(), catalogue=catalogue, **options)

    return make


def attempt_of(session: Session, invitation: Invitation) -> Attempt:
    return session.scalars(
        select(Attempt).where(Attempt.invitation_id == invitation.id),
        execution_options={"populate_existing": True},
    ).one()


def frozen(session: Session, attempt_id: int) -> list[tuple[int, str, str, str, Any]]:
    rows = session.scalars(
        select(AttemptItem).where(AttemptItem.attempt_id == attempt_id).order_by(AttemptItem.position)
    )
    return [(s.position, s.section_id, s.item_id, s.version, s.variant) for s in rows]


@contextmanager
def statements(session: Session) -> Iterator[list[tuple[str, str]]]:
    """(verb, table) of every SQL statement the session's engine sends while the block runs."""
    sent: list[tuple[str, str]] = []
    engine = session.get_bind()

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        words = statement.upper().replace('"', "").split()
        table = words[2] if words[0] == "INSERT" else words[1] if words[0] == "UPDATE" else ""
        sent.append((words[0], table))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_an_invitation_freezes_its_attempt_unstarted(
    session: Session, invite: Any, sample_catalogue: Catalogue, clock: ControllableClock
) -> None:
    invitation, token = invite()
    attempt = attempt_of(session, invitation)
    assert (attempt.started_at, attempt.deadline, attempt.finalized_at) == (None, None, None)
    assert attempt.form_version
    slots = frozen(session, attempt.id)
    assert [s[1] for s in slots] == ["warmup", "warmup", "drawn", "drawn"]
    for _, _, item_id, version, variant in slots:
        item = sample_catalogue.items[item_id]
        assert version == item.version
        assert sorted(variant["order"]) == sorted(o.id for o in item.body.options)  # type: ignore[attr-defined]
        assert session.get_one(StoredItemVersion, (item_id, version)).content == item.content()
    answers = session.scalars(select(Answer).where(Answer.attempt_id == attempt.id)).all()
    assert [(a.response, a.seq, a.saved_at) for a in answers] == [(None, 0, None)] * 4
    # The candidate's link has no attempt yet: the prepared one is not started.
    opened = open_attempt(session, token, clock(), GRACE)
    assert (opened.attempt, opened.phase) == (None, Phase.NOT_STARTED)
    assert phase_of(attempt, clock(), GRACE) is Phase.NOT_STARTED


def test_a_bulk_invitation_prepares_every_attempt_in_its_transaction(
    session: Session, invite: Any, sample_catalogue: Catalogue, clock: ControllableClock
) -> None:
    invite("first@example.com", prepared=False)  # the campaign
    campaign = campaign_by_slug(session, "sample")
    assert campaign is not None
    rows = [InviteRow(f"bulk{i}@example.com") for i in range(30)]
    with statements(session) as sent:
        invite_candidates(
            session,
            campaign.id,
            rows,
            timedelta(days=7),
            "https://a.example",
            10,
            None,
            clock(),
            sample_catalogue,
        )
    prepared = session.scalars(select(Attempt).where(Attempt.started_at.is_(None))).all()
    assert len(prepared) == 30
    assert session.scalar(select(func.count()).select_from(AttemptItem)) == 30 * 4
    assert session.scalar(select(func.count()).select_from(Answer)) == 30 * 4
    # Multi-row inserts: the attempts, slots and answers of thirty candidates in one statement each.
    into = [table for verb, table in sent if verb == "INSERT"]
    assert (into.count("ATTEMPTS"), into.count("ATTEMPT_ITEMS"), into.count("ANSWERS")) == (1, 1, 1)


def test_start_stamps_the_prepared_attempt_with_one_update_and_the_started_event(
    session: Session, invite: Any, sample_catalogue: Catalogue, clock: ControllableClock
) -> None:
    invitation, _ = invite()
    prepared = frozen(session, attempt_of(session, invitation).id)
    clock.advance(minutes=90)
    with statements(session) as sent:
        attempt = create_attempt(session, invitation, sample_catalogue, clock(), random.Random(1))
    # The commit is the driver's, not a statement: one UPDATE (RETURNING the attempt) and the event.
    assert sent == [("UPDATE", "ATTEMPTS"), ("INSERT", "ATTEMPT_EVENTS")]
    assert (attempt.started_at, attempt.deadline) == (clock(), clock() + LIMIT)
    assert frozen(session, attempt.id) == prepared
    started = session.scalars(select(AttemptEvent).where(AttemptEvent.attempt_id == attempt.id)).one()
    assert (started.kind, started.at) == ("started", clock())
    assert started.detail == {"deadline": (clock() + LIMIT).isoformat(), "items": 4}
    assert phase_of(attempt, clock(), GRACE) is Phase.OPEN


def test_a_second_start_returns_the_started_attempt_unchanged(
    session: Session, invite: Any, sample_catalogue: Catalogue, clock: ControllableClock
) -> None:
    invitation, _ = invite()
    first = create_attempt(session, invitation, sample_catalogue, clock(), random.Random(1))
    clock.advance(minutes=3)
    again = create_attempt(session, invitation, sample_catalogue, clock(), random.Random(2))
    assert again.id == first.id
    assert (again.started_at, again.deadline) == (first.started_at, first.deadline)
    assert session.scalar(select(func.count()).select_from(AttemptEvent)) == 1


def test_racing_starts_of_a_prepared_invitation_start_it_once(
    session_factory: sessionmaker[Session], invite: Any, sample_catalogue: Catalogue, clock: ControllableClock
) -> None:
    invitation, _ = invite()
    with session_factory() as before:
        prepared = frozen(before, attempt_of(before, invitation).id)
    barrier = threading.Barrier(4)
    started: list[tuple[int, Any]] = []
    failures: list[BaseException] = []

    def press() -> None:
        with session_factory() as own:
            mine = own.get_one(Invitation, invitation.id)
            barrier.wait()
            try:
                attempt = create_attempt(own, mine, sample_catalogue, clock(), random.Random())
                started.append((attempt.id, attempt.started_at))
            except BaseException as exc:
                failures.append(exc)

    presses = [threading.Thread(target=press) for _ in range(4)]
    for thread in presses:
        thread.start()
    for thread in presses:
        thread.join()
    assert failures == []
    assert len(set(started)) == 1
    with session_factory() as fresh:
        assert fresh.scalar(select(func.count()).select_from(Attempt)) == 1
        assert fresh.scalar(select(func.count()).select_from(AttemptEvent)) == 1
        assert frozen(fresh, started[0][0]) == prepared


def test_an_invitation_without_a_preparation_draws_at_the_press(
    session: Session, invite: Any, sample_catalogue: Catalogue, clock: ControllableClock
) -> None:
    invitation, _ = invite(prepared=False)
    assert session.scalar(select(func.count()).select_from(Attempt)) == 0
    attempt = create_attempt(session, invitation, sample_catalogue, clock(), random.Random(5))
    assert (attempt.started_at, attempt.deadline) == (clock(), clock() + LIMIT)
    assert len(frozen(session, attempt.id)) == 4
    assert session.scalar(select(func.count()).select_from(Answer)) == 4


def test_an_item_given_a_new_version_after_the_invitation_is_shown_in_its_new_version(
    session: Session, invite: Any, sample_catalogue: Catalogue, clock: ControllableClock, tmp_path: Path
) -> None:
    invitation, _ = invite()
    prepared_id = attempt_of(session, invitation).id
    edited_dir = tmp_path / "banks"
    shutil.copytree(FIXTURE_BANKS, edited_dir)
    bank = edited_dir / "sample.yaml"
    text = bank.read_text(encoding="utf-8")
    old_key = "      correct: b\n      credit:\n        a: 0.25\n"
    assert old_key in text
    bank.write_text(text.replace(old_key, "      correct: c\n      points: 3\n"), encoding="utf-8")
    edited = load_banks([edited_dir])
    new_version = edited.items["sample-renewal"].version
    assert new_version != sample_catalogue.items["sample-renewal"].version

    attempt = create_attempt(session, invitation, edited, clock(), random.Random(3))
    # Drawn again at the press, into the prepared row: still one attempt, one event, four answers.
    assert attempt.id == prepared_id and attempt.started_at == clock()
    slots = frozen(session, attempt.id)
    assert [s[2] for s in slots[:2]] == ["sample-renewal", "sample-upsell"]
    assert slots[0][3] == new_version
    assert all(version == edited.items[item_id].version for _, _, item_id, version, _ in slots)
    assert session.get_one(StoredItemVersion, ("sample-renewal", new_version)).content == (
        edited.items["sample-renewal"].content()
    )
    assert session.scalar(select(func.count()).select_from(Answer)) == 4
    assert session.scalar(select(func.count()).select_from(AttemptEvent)) == 1


def test_an_item_retired_after_the_invitation_is_never_shown(
    session: Session, invite: Any, sample_catalogue: Catalogue, clock: ControllableClock
) -> None:
    author = create_user(session, "author@example.com", "author", "a long passphrase", "Author", clock())
    # Prepare until a candidate has drawn pool item 1, then retire it.
    invitations = [invite(f"cand{i}@example.com")[0] for i in range(8)]
    drawn = [
        inv
        for inv in invitations
        if "sample-pool-1" in [s[2] for s in frozen(session, attempt_of(session, inv).id)]
    ]
    assert drawn
    set_retired(session, sample_catalogue, "sample-pool-1", True, author, clock())

    live = live_catalogue(session, sample_catalogue, "sample-form")
    attempt = create_attempt(session, drawn[0], live, clock(), random.Random(4))
    assert "sample-pool-1" not in [s[2] for s in frozen(session, attempt.id)]
    assert len(frozen(session, attempt.id)) == 4


@pytest.mark.parametrize("how", ["revoked", "expired"])
def test_a_revoked_or_expired_invitation_never_starts_its_prepared_attempt(
    session: Session,
    session_factory: sessionmaker[Session],
    invite: Any,
    sample_catalogue: Catalogue,
    clock: ControllableClock,
    how: str,
) -> None:
    invitation, _ = invite(valid_for=timedelta(days=1))
    # Loaded before the change, as by a request that opened the link a moment earlier.
    earlier = session_factory()
    stale = earlier.get_one(Invitation, invitation.id)
    if how == "revoked":
        revoke_invitation(session, invitation.id, clock())
    else:
        clock.advance(minutes=24 * 60)
    for own, seen in ((session, invitation), (earlier, stale)):
        with pytest.raises(InvitationUnusable) as refused:
            create_attempt(own, seen, sample_catalogue, clock(), random.Random())
        assert refused.value.reason == how
    earlier.close()
    assert attempt_of(session, invitation).started_at is None
    assert session.scalar(select(func.count()).select_from(AttemptEvent)) == 0


def test_a_prepared_attempt_counts_as_started_or_finished_nowhere(
    session: Session, invite: Any, sample_catalogue: Catalogue, clock: ControllableClock
) -> None:
    waiting, _ = invite("waiting@example.com", valid_for=timedelta(hours=24))
    revoked, _ = invite("revoked@example.com")
    expired, _ = invite("expired@example.com", valid_for=timedelta(hours=1))
    taking, _ = invite("taking@example.com")
    revoke_invitation(session, revoked.id, clock())
    running = create_attempt(session, taking, sample_catalogue, clock(), random.Random(1))
    clock.advance(minutes=2 * 60)
    campaign = campaign_by_slug(session, "sample")
    assert campaign is not None
    prepared = {inv.email: attempt_of(session, inv) for inv in (waiting, revoked, expired)}
    assert all(a.started_at is None for a in prepared.values())

    statuses = {
        row.invitation.email: (row.status, row.attempt)
        for row in campaign_pipeline(session, campaign.id, clock())
    }
    assert statuses["waiting@example.com"] == ("invited", None)
    assert statuses["revoked@example.com"] == ("revoked", None)
    assert statuses["expired@example.com"] == ("expired", None)
    assert statuses["taking@example.com"][0] == "started"
    assert invitation_record(session, waiting.id).attempt is None
    assert expiring_invitation_ids(session, campaign.id, clock()) == {waiting.id}
    # The running attempt's time is up by now: nothing runs, nothing prepared waits on staff.
    assert [(work.running, work.expiring) for work in campaign_work(session, clock(), True)] == [(1, 1)]

    assert [summary.attempt.id for summary in attempt_summaries(session)] == [running.id]
    for attempt in prepared.values():
        with pytest.raises(NoSuchAttempt):
            attempt_review(session, attempt.id, clock())
        with pytest.raises(NoSuchAttempt):
            submit_attempt(session, attempt.id, clock())
        with pytest.raises(NoSuchAttempt):
            finalize_attempt(session, attempt.id, clock(), "deadline")
        with pytest.raises(NoSuchAttempt):
            grant_extra_time(session, attempt.id, 5, "A recruiter", "lost connection", clock())

    # The sweep, long after every deadline, finalizes the one started attempt only.
    clock.advance(minutes=60 * 24 * 30)
    assert finalize_expired(session, clock(), GRACE) == 1
    assert all(attempt_of(session, inv).finalized_at is None for inv in (waiting, revoked, expired))
    assert {a.form_id: a.attempts for a in form_analyses(session).values()} == {"sample-form": 1}
    statuses_after = {
        row.invitation.email: row.status for row in campaign_pipeline(session, campaign.id, clock())
    }
    assert statuses_after == {
        "waiting@example.com": "expired",
        "revoked@example.com": "revoked",
        "expired@example.com": "expired",
        "taking@example.com": "reviewed",
    }
    loaded = load_campaign(session, campaign, kit_catalogue())
    funnel = loaded.statuses.set_index("candidate_id")
    assert funnel.loc[waiting.id, "started"] == False  # noqa: E712 (a numpy bool)
    assert funnel.loc[taking.id, "started"] == True  # noqa: E712
    assert int(funnel["started"].sum()) == 1 and int(funnel["finished"].sum()) == 1


def test_a_prepared_invitation_may_still_be_resent_and_extended(
    session: Session, invite: Any, sample_catalogue: Catalogue, clock: ControllableClock
) -> None:
    invitation, _ = invite(valid_for=timedelta(days=1))
    resend_invitation(session, invitation.id, "https://assess.example.com", 10, None, clock())
    extended = extend_invitation(session, invitation.id, timedelta(days=7), None, clock())
    assert extended.expires_at == clock() + timedelta(days=7)
    attempt = create_attempt(session, invitation, sample_catalogue, clock(), random.Random())
    assert attempt.started_at == clock()


@pytest.fixture
def prepared_link(
    app: Flask, session_factory: sessionmaker[Session], catalogue: Catalogue, form_id: str, clock: Any
) -> Any:
    """A candidate whose invitation was prepared as the staff's invitation pages prepare it."""
    with session_factory() as session:
        create_campaign(session, "prepared", "Prepared", "Account Manager", form_id, catalogue, clock())

    def make(email: str = "candidate@example.com") -> tuple[Candidate, int]:
        with session_factory() as session:
            invitation, token = create_invitation(
                session, "prepared", email, clock(), catalogue=app.extensions["assess"].catalogue
            )
            return Candidate(app.test_client(), token), invitation.id

    return make


def test_a_candidate_sees_exactly_the_attempt_prepared_for_them(
    prepared_link: Any, session_factory: sessionmaker[Session], clock: Any
) -> None:
    person, invitation_id = prepared_link()
    with session_factory() as session:
        attempt_id = session.scalars(select(Attempt.id).where(Attempt.invitation_id == invitation_id)).one()
        prepared = frozen(session, attempt_id)
    page = person.get()
    assert page.status_code == 200 and "/start" in page.get_data(as_text=True)
    # Before the Start nothing saves, however the request is made.
    assert person.autosave(1, {"choice": ["a"]}, edit=1).status_code == 409
    assert person.get("/status").status_code == 409
    assert person.get("/items/1").status_code == 302
    assert person.start().headers["Location"].endswith("/items/1")
    with session_factory() as session:
        attempt = session.get_one(Attempt, attempt_id)
        assert attempt.started_at == clock()
        assert frozen(session, attempt_id) == prepared
    shown = person.get("/items/1").get_data(as_text=True)
    with session_factory() as session:
        first = session.get_one(AttemptItem, (attempt_id, 0))
        title = session.get_one(StoredItemVersion, (first.item_id, first.version)).content["title"]
    assert title in shown


def test_a_revoked_prepared_link_refuses_the_start(
    prepared_link: Any, session_factory: sessionmaker[Session], clock: Any
) -> None:
    person, invitation_id = prepared_link()
    person.get()
    with session_factory() as session:
        revoke_invitation(session, invitation_id, clock())
    assert person.post("/start").status_code == 410
    with session_factory() as session:
        attempt = session.scalars(select(Attempt).where(Attempt.invitation_id == invitation_id)).one()
        assert attempt.started_at is None


def test_an_invitation_whose_form_cannot_be_drawn_is_left_unprepared_and_still_starts_later(
    session: Session, invite: Any, sample_catalogue: Catalogue, clock: ControllableClock
) -> None:
    author = create_user(session, "author@example.com", "author", "a long passphrase", "Author", clock())
    invite("first@example.com", prepared=False)  # the campaign
    set_retired(session, sample_catalogue, "sample-renewal", True, author, clock())  # always shown
    invitation, _ = invite()
    assert session.scalar(select(func.count()).select_from(Attempt)) == 0
    set_retired(session, sample_catalogue, "sample-renewal", False, author, clock())
    live = live_catalogue(session, sample_catalogue, "sample-form")
    attempt = create_attempt(session, invitation, live, clock(), random.Random(6))
    assert attempt.started_at == clock() and len(frozen(session, attempt.id)) == 4


def test_a_campaign_moved_to_another_form_after_the_invitation_starts_on_the_new_form(
    session: Session, clock: ControllableClock
) -> None:
    banks = load_banks([REPO / "items" / "banks", REPO / "bench" / "banks"])
    create_campaign(session, "moving", "Moving", "Account Manager", "account-manager-smb", banks, clock())
    invitation, _ = create_invitation(session, "moving", "cand@example.com", clock(), catalogue=banks)
    assert attempt_of(session, invitation).form_id == "account-manager-smb"
    campaign = campaign_by_slug(session, "moving")
    assert campaign is not None
    update_campaign(
        session,
        campaign.id,
        CampaignSettings("Moving", "Account Manager", "bench-deadline"),
        banks,
        None,
        None,
        clock(),
    )
    attempt = create_attempt(session, invitation, banks, clock(), random.Random(8))
    assert attempt.form_id == "bench-deadline"
    assert attempt.deadline == clock() + timedelta(minutes=banks.forms["bench-deadline"].time_limit_minutes)
    assert {s[2] for s in frozen(session, attempt.id)} <= set(banks.forms["bench-deadline"].item_ids())
