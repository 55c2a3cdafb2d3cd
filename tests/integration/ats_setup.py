"""ATS connections for the partner tests, and what an ATS sends: a Basic header and JSON bodies.

Also the fixtures the Greenhouse and Ashby tests share: the fixture bank in place of the shipped
one, and a test client; a test module imports them and names them in its ``__all__``.
"""

from __future__ import annotations

import base64
import random
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assess.models import Attempt, Invitation
from assess.models.ats import AtsAssessment
from assess.services.ats_connections import create_connection
from assess.services.attempt_start import create_attempt
from assess.services.campaigns import campaign_by_slug
from assess.services.finalization import submit_attempt
from items.bank import Catalogue, load_banks

#: What the tests' apps are given as SECRET_KEY (tests/integration/conftest.py).
SECRET_KEY = "integration-tests-only"
#: The campaign the ``invite`` fixture makes (tests/integration/conftest.py). Named here, not
#: imported from ``conftest``: when the browser tests run in the same process, ``conftest`` may
#: be theirs, whose campaign is another.
CAMPAIGN = "account-manager-test"
ASHBY_API_KEY = "ashby-customer-key-0123456789"
FIXTURE_BANKS = Path(__file__).resolve().parents[1] / "fixtures" / "banks"


@pytest.fixture
def catalogue_path() -> Path:
    # Single-choice items only: a submitted attempt is graded at once, with nothing for a reviewer.
    return FIXTURE_BANKS


@pytest.fixture
def catalogue() -> Catalogue:
    return load_banks([FIXTURE_BANKS])


@pytest.fixture
def form_id() -> str:
    return "sample-form"


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def count(session_factory: sessionmaker[Session], model: Any) -> int:
    """How many rows of ``model`` are stored."""
    with session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def connect(
    session_factory: sessionmaker[Session], provider: str, campaign_slug: str, now: Any, name: str = "Acme"
) -> tuple[int, str]:
    """A working connection offering the campaign: (its id, its key)."""
    with session_factory() as session:
        campaign = campaign_by_slug(session, campaign_slug)
        assert campaign is not None, f"no campaign {campaign_slug!r}"
        connection, key = create_connection(
            session, provider, name, [campaign.id], ASHBY_API_KEY, SECRET_KEY, None, now
        )
        return connection.id, key


def basic(key: str) -> dict[str, str]:
    """The Authorization header an ATS sends: the key as the user name, an empty password."""
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


def greenhouse_order(
    test_id: str, take_home_test: str = "12345", email: str = "ada@example.com"
) -> dict[str, Any]:
    """A send_test body as Greenhouse's documentation shows it, with a property it may add later."""
    return {
        "partner_test_id": test_id,
        "candidate": {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": email,
            "resume_url": "https://app.greenhouse.io/resumes/1",
            "phone_number": "+1 555 0100",
            "greenhouse_profile_url": "https://app.greenhouse.io/people/17681532?application_id=26234709",
        },
        "url": f"https://app.greenhouse.io/integrations/testing_partners/take_home_tests/{take_home_test}",
        "a_property_added_later": {"anything": True},
    }


def ashby_order(test_id: str, candidate: str = "cand-1", application: str = "app-1") -> dict[str, Any]:
    """An assessment.start body as Ashby's reference shows it."""
    return {
        "assessment_type_id": test_id,
        "candidate": {
            "ashby_id": candidate,
            "first_name": "Grace",
            "last_name": "Hopper",
            "email": f"{candidate}@example.com",
            "ashby_profile_url": f"https://app.ashbyhq.com/candidates/{candidate}",
        },
        "application": {"ashby_id": application, "status": "Active"},
        "job": {
            "ashby_id": "job-1",
            "name": "Account Manager",
            "ashby_job_url": "https://app.ashbyhq.com/jobs/1",
        },
    }


def start_ordered(
    session_factory: sessionmaker[Session], catalogue: Catalogue, public_id: str, clock: Any
) -> int:
    """The candidate presses Start on the ordered test; the attempt's id."""
    with session_factory() as session:
        invitation = session.scalars(
            select(Invitation)
            .join(AtsAssessment, AtsAssessment.invitation_id == Invitation.id)
            .where(AtsAssessment.public_id == public_id)
        ).one()
        return create_attempt(session, invitation, catalogue, clock(), random.Random(1)).id


def take_and_submit(
    session_factory: sessionmaker[Session], catalogue: Catalogue, public_id: str, clock: Any
) -> int:
    """Start the ordered test, let a few minutes pass, submit it unanswered; the attempt's id."""
    attempt_id = start_ordered(session_factory, catalogue, public_id, clock)
    clock.advance(minutes=7, seconds=10)
    with session_factory() as session:
        submit_attempt(session, attempt_id, clock())
        assert session.get_one(Attempt, attempt_id).finalized_at is not None
    return attempt_id
