"""A regrade or a re-mark that changes a graded attempt's score announces ``attempt.graded`` again."""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from review_setup import GRACE, invitation_of
from saves import one_device, save_json
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import make_user
from webhook_receiver import Receiver, running_receiver, verify

from assess.config import Settings
from assess.models import AttemptItem
from assess.services.attempt_start import create_attempt
from assess.services.campaigns import create_campaign
from assess.services.catalogue import load_catalogue
from assess.services.finalization import submit_attempt
from assess.services.invitations import create_invitation
from assess.services.outbox import deliver_due
from assess.services.regrade import apply_regrade
from assess.services.webhooks import create_endpoint

if TYPE_CHECKING:
    from conftest import ControllableClock

FIXTURE_BANK = Path(__file__).resolve().parent.parent / "fixtures" / "banks" / "sample.yaml"
ITEM = "sample-renewal"
CAMPAIGN = "regrade-webhooks"


@pytest.fixture
def bank_dir(tmp_path: Path) -> Path:
    banks = tmp_path / "banks"
    banks.mkdir()
    shutil.copy(FIXTURE_BANK, banks / "sample.yaml")
    return banks


@pytest.fixture
def settings(database_url: str, bank_dir: Path) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key="integration-tests-only",
        bank_paths=(str(bank_dir),),
        grace_seconds=GRACE,
    )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


def finished(
    session_factory: sessionmaker[Session], bank_dir: Path, clock: Any, email: str, choice: str
) -> int:
    catalogue = load_catalogue([str(bank_dir)])
    with session_factory() as session:
        _, token = create_invitation(session, CAMPAIGN, email, clock())
        attempt = create_attempt(session, invitation_of(session, token), catalogue, clock(), random.Random(3))
        slot = session.scalars(
            select(AttemptItem).where(AttemptItem.attempt_id == attempt.id, AttemptItem.item_id == ITEM)
        ).one()
        save_json(session, attempt.id, slot.position, {"choice": choice}, one_device(1), clock(), GRACE)
        submit_attempt(session, attempt.id, clock())
        return attempt.id


def test_a_regrade_that_changes_a_score_sends_attempt_graded_again_marked_regraded(
    app: Flask,
    session_factory: sessionmaker[Session],
    bank_dir: Path,
    receiver: Receiver,
    clock: ControllableClock,
) -> None:
    with session_factory() as session:
        create_campaign(
            session,
            CAMPAIGN,
            "Regrade",
            "Account Manager",
            "sample-form",
            load_catalogue([str(bank_dir)]),
            clock(),
        )
        _, secret = create_endpoint(
            session,
            receiver.url,
            ["attempt.graded"],
            None,
            clock(),
            allow_private=True,
            secret_key=app.extensions["assess"].settings.secret_key,
        )
    # Ann chose a (0.25 under the old key, 1 under the fixed one); Bob chose b (1, then 0).
    ann = finished(session_factory, bank_dir, clock, "ann@example.com", "a")
    bob = finished(session_factory, bank_dir, clock, "bob@example.com", "b")
    assert deliver_due(session_factory, clock, allow_private_targets=True).delivered == 2
    first = {r.json()["data"]["attempt_id"]: r for r in receiver.received}
    assert {a: r.json()["data"]["regraded"] for a, r in first.items()} == {ann: False, bob: False}

    path = bank_dir / "sample.yaml"
    text = path.read_text(encoding="utf-8")
    old_key = "      correct: b\n      credit:\n        a: 0.25\n"
    assert text.count(old_key) == 1
    path.write_text(text.replace(old_key, "      correct: a\n") + "\n# key fixed\n", encoding="utf-8")
    catalogue = load_catalogue([str(bank_dir)])
    recruiter = make_user(session_factory, "recruiter")
    with session_factory() as session:
        apply_regrade(
            session, catalogue, ITEM, catalogue.items[ITEM].version, recruiter, "the key was wrong", clock()
        )

    assert deliver_due(session_factory, clock, allow_private_targets=True).delivered == 2
    again = {r.json()["data"]["attempt_id"]: r for r in receiver.received[2:]}
    for attempt_id, request in again.items():
        payload = verify(secret, request.headers, request.body, int(clock().timestamp()))
        assert payload["type"] == "attempt.graded" and payload["data"]["regraded"] is True
        before = first[attempt_id]
        assert request.headers["webhook-id"] != before.headers["webhook-id"], "a new message, not a retry"
        change = payload["data"]["points"] - before.json()["data"]["points"]
        assert change == {ann: 0.75, bob: -1.0}[attempt_id]
