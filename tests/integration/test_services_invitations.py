"""Campaigns and invitations on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import random
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assess.models import Invitation
from assess.services.attempt_start import create_attempt
from assess.services.campaigns import campaign_by_slug, create_campaign
from assess.services.finalization import finalize_attempt
from assess.services.invitations import (
    InvitationUnusable,
    create_invitation,
    open_link,
    revoke_invitation,
)
from items.bank import Catalogue

if TYPE_CHECKING:
    from conftest import ControllableClock


@pytest.fixture
def campaign_slug(session: Session, sample_catalogue: Catalogue, clock: ControllableClock) -> str:
    create_campaign(
        session,
        "am-2025",
        "Account Manager 2025",
        "Account Manager",
        "sample-form",
        sample_catalogue,
        clock(),
    )
    return "am-2025"


def test_campaign_is_found_by_slug(session: Session, campaign_slug: str) -> None:
    campaign = campaign_by_slug(session, campaign_slug)
    assert campaign is not None and campaign.form_id == "sample-form"
    assert campaign_by_slug(session, "nope") is None


@pytest.mark.parametrize(
    ("slug", "form", "message"),
    [
        ("am-2025", "sample-form", "already exists"),
        ("other", "no-such-form", "no form 'no-such-form'"),
        ("Bad Slug", "sample-form", "lowercase letters"),
    ],
)
def test_create_campaign_refuses_with_a_clear_message(
    session: Session,
    sample_catalogue: Catalogue,
    clock: ControllableClock,
    campaign_slug: str,
    slug: str,
    form: str,
    message: str,
) -> None:
    with pytest.raises(ValueError, match=message):
        create_campaign(session, slug, "T", "R", form, sample_catalogue, clock())


def test_token_has_at_least_128_bits_and_only_its_hash_is_stored(
    session: Session, session_factory: sessionmaker[Session], campaign_slug: str, clock: ControllableClock
) -> None:
    invitation, token = create_invitation(session, campaign_slug, "ana@example.com", clock())
    assert len(token) * 6 >= 128
    with session_factory() as other:
        stored = other.get_one(Invitation, invitation.id)
        assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in [str(v) for v in vars(stored).values()]
    assert open_link(session, token, clock())[0].id == invitation.id


def test_tokens_differ_between_invitations(
    session: Session, campaign_slug: str, clock: ControllableClock
) -> None:
    tokens = {create_invitation(session, campaign_slug, f"c{i}@example.com", clock())[1] for i in range(20)}
    assert len(tokens) == 20


@pytest.mark.parametrize(
    ("email", "extra_time", "message"),
    [
        ("not-an-email", Decimal(1), "not an email"),
        ("a@example.com", Decimal("0.9"), "from 1 to 3"),
        ("a@example.com", Decimal("3.5"), "from 1 to 3"),
        ("a@example.com", Decimal("1.333"), "two decimals"),
    ],
)
def test_create_invitation_refuses_bad_input_and_stores_nothing(
    session: Session,
    campaign_slug: str,
    clock: ControllableClock,
    email: str,
    extra_time: Decimal,
    message: str,
) -> None:
    with pytest.raises(ValueError, match=message):
        create_invitation(session, campaign_slug, email, clock(), extra_time=extra_time)
    assert session.scalars(select(Invitation)).all() == []


def test_create_invitation_for_an_unknown_campaign_names_it(
    session: Session, clock: ControllableClock
) -> None:
    with pytest.raises(ValueError, match="no campaign 'ghost'"):
        create_invitation(session, "ghost", "a@example.com", clock())


def test_unknown_token_is_unknown(session: Session, campaign_slug: str, clock: ControllableClock) -> None:
    create_invitation(session, campaign_slug, "a@example.com", clock())
    for token in ["x" * 32, "", "../../etc", "a" * 500]:
        with pytest.raises(InvitationUnusable) as caught:
            open_link(session, token, clock())[0]
        assert caught.value.reason == "unknown"


def test_expired_invitation_is_expired(
    session: Session, campaign_slug: str, clock: ControllableClock
) -> None:
    _, token = create_invitation(
        session, campaign_slug, "a@example.com", clock(), valid_for=timedelta(days=1)
    )
    clock.advance(minutes=24 * 60 + 1)
    with pytest.raises(InvitationUnusable) as caught:
        open_link(session, token, clock())[0]
    assert caught.value.reason == "expired"


def test_revoked_invitation_is_revoked(
    session: Session, campaign_slug: str, clock: ControllableClock
) -> None:
    invitation, token = create_invitation(session, campaign_slug, "a@example.com", clock())
    revoke_invitation(session, invitation.id, clock())
    with pytest.raises(InvitationUnusable) as caught:
        open_link(session, token, clock())[0]
    assert caught.value.reason == "revoked"


def test_running_attempt_outlives_its_invitation_and_finished_one_is_finished(
    session: Session, campaign_slug: str, clock: ControllableClock, sample_catalogue: Catalogue
) -> None:
    invitation, token = create_invitation(
        session, campaign_slug, "a@example.com", clock(), valid_for=timedelta(minutes=5)
    )
    clock.advance(minutes=4)
    attempt = create_attempt(session, invitation, sample_catalogue, clock(), random.Random(1))
    clock.advance(minutes=3)
    assert open_link(session, token, clock())[0].id == invitation.id
    finalize_attempt(session, attempt.id, clock(), "candidate")
    with pytest.raises(InvitationUnusable) as caught:
        open_link(session, token, clock())[0]
    assert caught.value.reason == "finished"


def test_start_refuses_an_expired_or_revoked_invitation(
    session: Session, campaign_slug: str, clock: ControllableClock, sample_catalogue: Catalogue
) -> None:
    expired, _ = create_invitation(
        session, campaign_slug, "a@example.com", clock(), valid_for=timedelta(minutes=1)
    )
    revoked, _ = create_invitation(session, campaign_slug, "b@example.com", clock())
    revoke_invitation(session, revoked.id, clock())
    clock.advance(minutes=2)
    for invitation, reason in [(expired, "expired"), (revoked, "revoked")]:
        with pytest.raises(InvitationUnusable) as caught:
            create_attempt(session, invitation, sample_catalogue, clock(), random.Random(1))
        assert caught.value.reason == reason
