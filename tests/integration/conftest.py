"""The real app on a real database (both backends), driven through Flask's test client.

CSRF protection stays on, as in production: the helpers read the token from the
page like a browser would, so a test that leaves it out is testing a real refusal.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from candidate_client import GRACE_SECONDS, Candidate
from flask import Flask
from scorecard_setup import KitCandidate, kit_candidate
from sqlalchemy.orm import Session, sessionmaker
from staff_client import StaffClient, signed_in

from assess import create_app
from assess.config import Settings
from assess.services.campaigns import create_campaign
from assess.services.invitations import create_invitation
from items.bank import Catalogue

CAMPAIGN = "account-manager-test"


@pytest.fixture
def settings(database_url: str, catalogue_path: Path, session_factory: sessionmaker[Session]) -> Settings:
    # session_factory: the schema is built (fast) before the app would run every migration.
    return Settings(
        database_url=database_url,
        secret_key="integration-tests-only",
        bank_paths=(str(catalogue_path),),
        grace_seconds=GRACE_SECONDS,
    )


@pytest.fixture
def app(settings: Settings, clock: Callable[[], Any]) -> Iterator[Flask]:
    # Webhook receivers in the tests listen on 127.0.0.1, which production refuses (SSRF).
    app = create_app(
        {
            "SETTINGS": settings,
            "CLOCK": clock,
            "TESTING": True,
            "START_SWEEP": False,
            "ALLOW_PRIVATE_WEBHOOK_TARGETS": True,
        }
    )
    yield app
    app.extensions["assess"].engine.dispose()


@pytest.fixture
def invite(
    app: Flask, session_factory: sessionmaker[Session], catalogue: Catalogue, clock: Any, form_id: str
) -> Callable[..., str]:
    """Make an invitation to the test campaign and return its token."""
    with session_factory() as session:
        create_campaign(
            session, CAMPAIGN, "Account Manager, spring", "Account Manager (SMB)", form_id, catalogue, clock()
        )

    def make(
        email: str = "candidate@example.com",
        extra_time: Decimal = Decimal(1),
        valid_for: timedelta = timedelta(days=14),
    ) -> str:
        with session_factory() as session:
            # Prepared with the invitation, as the staff pages, the CLI and the API make them.
            return create_invitation(
                session, CAMPAIGN, email, clock(), extra_time, valid_for, catalogue=catalogue
            )[1]

    return make


@pytest.fixture
def candidate(app: Flask, invite: Callable[..., str]) -> Callable[..., Candidate]:
    """A new candidate with a fresh invitation (or the token given) and their own cookies."""

    def make(token: str | None = None, **invite_args: Any) -> Candidate:
        return Candidate(app.test_client(), token or invite(**invite_args))

    return make


@pytest.fixture
def interviewee(
    app: Flask, session_factory: sessionmaker[Session], catalogue: Catalogue, form_id: str, clock: Any
) -> KitCandidate:
    """A candidate invited to a campaign with an interview kit, whose interviews are to be scored."""
    return kit_candidate(session_factory, catalogue, form_id, clock())


@pytest.fixture
def staff_client(app: Flask, session_factory: sessionmaker[Session]) -> Callable[..., StaffClient]:
    """Make a client signed in as a new staff member: ``staff_client(role, name="")``.

    Give ``name`` when the test reads it on a page; the client's ``user`` is the account.
    """
    return functools.partial(signed_in, app, session_factory)


@pytest.fixture
def author(staff_client: Callable[..., StaffClient]) -> StaffClient:
    return staff_client("author")


@pytest.fixture
def recruiter(staff_client: Callable[..., StaffClient]) -> StaffClient:
    return staff_client("recruiter")


@pytest.fixture
def interviewer(staff_client: Callable[..., StaffClient]) -> StaffClient:
    return staff_client("interviewer")


@pytest.fixture
def admin(staff_client: Callable[..., StaffClient]) -> StaffClient:
    return staff_client("admin")
