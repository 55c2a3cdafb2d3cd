"""What we tell the ATS that ordered a test, through the outbox, in the transaction of the change.

``attempt.graded`` (finalized with nothing left for a reviewer, or the last written answer
marked) queues Greenhouse's completion PATCH or Ashby's result update; ``attempt.finalized``
first tells Ashby when the candidate started. The outbox sends them later and retries; each
carries Basic authentication added at send time from the connection's encrypted key, never
stored in the delivery.

The key that opens those encrypted keys is derived from the SECRET_KEY of the app serving the
database, which the app registers here at start (``register_app``), keyed by its database URL.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assess.models import Attempt, Delivery, ItemScore
from assess.models.ats import AtsAssessment, AtsConnection
from assess.services import ats_ashby, ats_greenhouse
from assess.services.app_keys import register_secret_key, secret_key_for
from assess.services.ats_connections import outbound_key
from assess.services.ats_orders import assessment_state
from assess.services.ats_secrets import SecretUnreadable
from assess.services.domain_events import listen
from assess.services.outbox import AuthUnavailable, register_auth


def basic_auth(session: Session, suffix: str, delivery: Delivery, now: datetime) -> Mapping[str, str]:
    """``Authorization: Basic`` with the connection's outbound key as the user name, empty password."""
    connection = session.get(AtsConnection, int(suffix)) if suffix.isdigit() else None
    if connection is None or connection.revoked_at is not None:
        raise AuthUnavailable(f"ATS connection {suffix} was revoked: nothing is sent for it any more")
    secret_key = secret_key_for(session)
    if secret_key is None:
        raise AuthUnavailable("this process has no SECRET_KEY for the ATS connections of this database")
    try:
        key = outbound_key(connection, secret_key)
    except SecretUnreadable as exc:
        raise AuthUnavailable(str(exc)) from None
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


def _ordered(session: Session, invitation_id: int) -> tuple[AtsAssessment, AtsConnection] | None:
    row = session.execute(
        select(AtsAssessment, AtsConnection)
        .join(AtsConnection, AtsConnection.id == AtsAssessment.connection_id)
        .where(AtsAssessment.invitation_id == invitation_id, AtsConnection.revoked_at.is_(None))
    ).one_or_none()
    return None if row is None else (row[0], row[1])


def notify_finalized(session: Session, event: str, data: dict[str, Any], at: datetime) -> None:
    """On ``attempt.finalized``: tell Ashby when the candidate started, with the Start's own time.

    Not sent at the Start itself: a Start is one UPDATE and one INSERT, its cost measured and
    kept (tests/integration/test_attempt_preparation.py), and no event is published there.
    Ashby stores the start time the update carries, so its record is the same.
    """
    found = _ordered(session, int(data["invitation_id"]))
    if found is None or found[1].provider != "ashby":
        return
    started_at = session.scalar(select(Attempt.started_at).where(Attempt.id == int(data["attempt_id"])))
    if started_at is not None:
        update = ats_ashby.started_update(found[0], started_at)
        ats_ashby.enqueue_update(session, found[0], update, "started", at)


def notify_graded(session: Session, event: str, data: dict[str, Any], at: datetime) -> None:
    """On ``attempt.graded``: tell the ATS that ordered this test, if one did."""
    found = _ordered(session, int(data["invitation_id"]))
    if found is None:
        return
    assessment, connection = found
    if connection.provider == "greenhouse":
        ats_greenhouse.enqueue_completion(session, assessment, "completed", at)
        return
    # The finalization and review services update totals in bulk, unseen by loaded rows: reload them.
    session.flush()
    attempt_id = int(data["attempt_id"])
    for stale in (
        select(Attempt).where(Attempt.id == attempt_id),
        select(ItemScore).where(ItemScore.attempt_id == attempt_id),
    ):
        session.execute(stale.execution_options(populate_existing=True)).all()
    state = assessment_state(session, assessment, at)
    ats_ashby.enqueue_update(
        session, assessment, ats_ashby.result_update(assessment, state, at), "completed", at
    )


def register_app(database_url: str, secret_key: str) -> None:
    """Let this process authenticate ATS deliveries of ``database_url`` and queue them on its events."""
    register_secret_key(database_url, secret_key)
    register_auth(ats_greenhouse.AUTH_PREFIX, basic_auth)
    register_auth(ats_ashby.AUTH_PREFIX, basic_auth)
    listen("attempt.finalized", notify_finalized)
    listen("attempt.graded", notify_graded)
