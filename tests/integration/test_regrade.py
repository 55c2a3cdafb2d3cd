"""Regrading: a fixed key re-scores finished attempts only on confirmation, and never re-pins them."""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from review_setup import GRACE, invitation_of
from saves import one_device, save_json
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import StaffClient, make_user, post

from assess.cli import main
from assess.config import Settings
from assess.models import Attempt, AttemptItem, AuditEntry, ItemScore, Regrade, RegradedScore
from assess.services.attempt_start import create_attempt
from assess.services.campaigns import create_campaign
from assess.services.catalogue import load_catalogue
from assess.services.finalization import submit_attempt
from assess.services.invitations import create_invitation
from assess.services.regrade import RegradeStale, apply_regrade, plan_regrade

if TYPE_CHECKING:
    from conftest import ControllableClock

FIXTURE_BANK = Path(__file__).resolve().parent.parent / "fixtures" / "banks" / "sample.yaml"
ITEM = "sample-renewal"
CAMPAIGN = "regrade-campaign"


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


def edit_bank(bank_dir: Path, old: str, new: str) -> None:
    path = bank_dir / "sample.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    # The comment changes the size too, so the catalogue cache sees a new file whatever the clock.
    path.write_text(text.replace(old, new) + f"\n# edited after {len(text)} characters\n", encoding="utf-8")


def fix_key(bank_dir: Path) -> None:
    """The renewal item's key named b; the bank's author decides a is right after all."""
    edit_bank(bank_dir, "      correct: b\n      credit:\n        a: 0.25\n", "      correct: a\n")


def finished(
    session_factory: sessionmaker[Session], bank_dir: Path, clock: Any, email: str, choice: str
) -> int:
    """A submitted attempt whose renewal item was answered with ``choice``."""
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


@pytest.fixture
def attempts(
    app: Flask, session_factory: sessionmaker[Session], bank_dir: Path, clock: ControllableClock
) -> dict[str, int]:
    with session_factory() as session:
        catalogue = load_catalogue([str(bank_dir)])
        create_campaign(session, CAMPAIGN, "Regrade", "Account Manager", "sample-form", catalogue, clock())
    return {
        "chose_a": finished(session_factory, bank_dir, clock, "ann@example.com", "a"),
        "chose_b": finished(session_factory, bank_dir, clock, "bob@example.com", "b"),
    }


def renewal_score(session_factory: sessionmaker[Session], attempt_id: int) -> ItemScore:
    with session_factory() as session:
        slot = session.scalars(
            select(AttemptItem).where(AttemptItem.attempt_id == attempt_id, AttemptItem.item_id == ITEM)
        ).one()
        return session.get_one(ItemScore, (attempt_id, slot.position))


def totals(session_factory: sessionmaker[Session]) -> dict[int, Decimal | None]:
    with session_factory() as session:
        return {a.id: a.total_points for a in session.scalars(select(Attempt))}


def test_regrade_shows_before_and_after_and_changes_nothing_until_confirmed(
    session_factory: sessionmaker[Session], bank_dir: Path, attempts: dict[str, int], recruiter: StaffClient
) -> None:
    assert renewal_score(session_factory, attempts["chose_a"]).points == Decimal("0.25")
    assert renewal_score(session_factory, attempts["chose_b"]).points == 1
    assert ITEM not in recruiter.get("/staff/review/regrade").get_data(as_text=True)

    fix_key(bank_dir)
    new_version = load_catalogue([str(bank_dir)]).items[ITEM].version
    listing = recruiter.get("/staff/review/regrade").get_data(as_text=True)
    assert f"/staff/review/regrade/{ITEM}" in listing and new_version in listing
    before_totals = totals(session_factory)

    preview = recruiter.get(f"/staff/review/regrade/{ITEM}")
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "ann@example.com" in text and "bob@example.com" in text
    assert "0.25 / 1" in text and "changed" in text
    assert totals(session_factory) == before_totals
    with session_factory() as session:
        assert session.scalars(select(Regrade)).all() == []

    response = post(
        recruiter, f"/staff/review/regrade/{ITEM}", {"to_version": new_version, "reason": "Key named b"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert renewal_score(session_factory, attempts["chose_a"]).points == 1
    assert renewal_score(session_factory, attempts["chose_b"]).points == 0
    after_totals = totals(session_factory)
    assert after_totals[attempts["chose_a"]] == before_totals[attempts["chose_a"]] + Decimal("0.75")
    assert after_totals[attempts["chose_b"]] == before_totals[attempts["chose_b"]] - 1
    with session_factory() as session:
        regrade = session.scalars(select(Regrade)).one()
        assert (regrade.item_id, regrade.to_version, regrade.by_id, regrade.reason) == (
            ITEM,
            new_version,
            recruiter.user.id,
            "Key named b",
        )
        rows = session.scalars(select(RegradedScore).order_by(RegradedScore.attempt_id)).all()
        assert [(r.attempt_id, r.key_version, r.points_before, r.points_after) for r in rows] == [
            (attempts["chose_a"], new_version, Decimal("0.25"), 1),
            (attempts["chose_b"], new_version, 1, 0),
        ]
        # Invariant 3: the attempts still pin, and show, the version the candidates saw.
        pinned = session.scalars(select(AttemptItem.version).where(AttemptItem.item_id == ITEM)).all()
        assert set(pinned) == {regrade.from_version} != {new_version}
        actions = sorted(
            e.action
            for e in session.scalars(select(AuditEntry).where(AuditEntry.actor_id == recruiter.user.id))
        )
        assert actions == ["attempt.regrade", "attempt.regrade", "item.regrade"]

    page = recruiter.get(f"/staff/review/attempts/{attempts['chose_a']}").get_data(as_text=True)
    assert f"scored with the key of version {new_version} (regraded)" in page
    assert f"version {regrade.from_version}" in page
    # Nothing is left to regrade.
    assert ITEM not in recruiter.get("/staff/review/regrade").get_data(as_text=True)


def test_a_stale_confirmation_is_refused(
    session_factory: sessionmaker[Session], bank_dir: Path, attempts: dict[str, int], admin: StaffClient
) -> None:
    fix_key(bank_dir)
    previewed = load_catalogue([str(bank_dir)]).items[ITEM].version
    edit_bank(
        bank_dir, "reach out.\n    key:\n      correct: a\n", "reach out.\n    key:\n      correct: c\n"
    )
    response = post(admin, f"/staff/review/regrade/{ITEM}", {"to_version": previewed, "reason": "fix"})
    assert response.status_code == 409
    assert "review the change again" in response.get_data(as_text=True)
    with session_factory() as session:
        assert session.scalars(select(Regrade)).all() == []
        assert session.scalars(select(RegradedScore)).all() == []
    assert renewal_score(session_factory, attempts["chose_a"]).points == Decimal("0.25")


@pytest.mark.parametrize(
    ("data", "status"), [({"to_version": "", "reason": "x"}, 400), ({"to_version": "abc", "reason": ""}, 422)]
)
def test_a_bad_confirmation_changes_nothing(
    staff_client: Callable[..., StaffClient],
    session_factory: sessionmaker[Session],
    bank_dir: Path,
    attempts: dict[str, int],
    data: dict[str, str],
    status: int,
) -> None:
    client = staff_client("recruiter")
    fix_key(bank_dir)
    assert post(client, f"/staff/review/regrade/{ITEM}", data).status_code == status
    interviewer = staff_client("interviewer")
    version = load_catalogue([str(bank_dir)]).items[ITEM].version
    assert (
        post(interviewer, f"/staff/review/regrade/{ITEM}", {"to_version": version, "reason": "x"}).status_code
        == 403
    )
    with session_factory() as session:
        assert session.scalars(select(Regrade)).all() == []
    assert renewal_score(session_factory, attempts["chose_a"]).points == Decimal("0.25")


def test_a_version_that_changes_what_candidates_saw_is_not_used(
    session_factory: sessionmaker[Session],
    bank_dir: Path,
    attempts: dict[str, int],
    clock: Any,
    recruiter: StaffClient,
) -> None:
    edit_bank(bank_dir, "Send the renewal contract now.", "Send the renewal contract today.")
    catalogue = load_catalogue([str(bank_dir)])
    with session_factory() as session:
        plan = plan_regrade(session, catalogue, ITEM)
        assert plan.rows == []
        assert sorted(a for a, _ in plan.refused) == sorted(attempts.values())
    text = recruiter.get(f"/staff/review/regrade/{ITEM}").get_data(as_text=True)
    assert "changes what the candidate saw" in text
    with session_factory() as session:
        with pytest.raises(Exception, match="no finished attempt"):
            apply_regrade(
                session, catalogue, ITEM, catalogue.items[ITEM].version, recruiter.user, "reason", clock()
            )
        with pytest.raises(RegradeStale):
            apply_regrade(session, catalogue, ITEM, "0000", recruiter.user, "reason", clock())
        assert session.scalars(select(Regrade)).all() == []


@pytest.fixture
def cli(database_url: str, bank_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.chdir(tmp_path)
    env = {"DATABASE_URL": database_url, "ASSESS_BANKS": str(bank_dir), "SECRET_KEY": ""}

    def run(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    yield run


def test_cli_regrade_dry_run_then_apply(
    cli: Any, session_factory: sessionmaker[Session], bank_dir: Path, attempts: dict[str, int]
) -> None:
    staff = make_user(session_factory, "recruiter")
    fix_key(bank_dir)
    dry = cli("regrade", ITEM, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f"attempt {attempts['chose_a']} item" in dry.output and "0.25 -> 1 of 1" in dry.output
    assert "1 -> 0 of 1" in dry.output and "nothing changed" in dry.output
    assert renewal_score(session_factory, attempts["chose_a"]).points == Decimal("0.25")

    assert cli("regrade", ITEM).exit_code == 1
    refused = cli("regrade", ITEM, "--apply", "--by", "nobody@example.com", "--reason", "fix")
    assert refused.exit_code == 1 and "existing staff account" in refused.output
    assert cli("regrade", ITEM, "--apply", "--by", staff.email).exit_code == 1
    assert cli("regrade", "no-such-item", "--dry-run").exit_code == 1

    applied = cli("regrade", ITEM, "--apply", "--by", staff.email, "--reason", "Key named b")
    assert applied.exit_code == 0, applied.output
    assert "Regraded 2 attempt(s)" in applied.output
    assert renewal_score(session_factory, attempts["chose_a"]).points == 1
    with session_factory() as session:
        assert session.scalars(select(Regrade)).one().by_id == staff.id
