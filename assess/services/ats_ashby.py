"""Ashby orders (``assessment.start``, ``assessment.cancel``) and the updates we push to it.

An order is the same one for the same Ashby candidate and application, so a retried start
answers the same ``assessment_id``; a start for a candidate with another assessment still open
(link working, or test running) is refused as a conflict, Ashby's 409.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from assess.models.ats import AtsAssessment, AtsConnection
from assess.services.ats_orders import AssessmentState, Order, offered_campaign, place_order
from assess.services.outbox import enqueue
from items.bank import Catalogue

#: Ashby's API (config ASHBY_API_URL); assessment.update is posted there.
DEFAULT_API_URL = "https://api.ashbyhq.com"
#: The outbox's auth prefix: Basic with the customer's Ashby API key.
AUTH_PREFIX = "ashby"


def update_url(api_url: str) -> str:
    return f"{api_url.rstrip('/')}/assessment.update"


def start_assessment(
    session: Session,
    connection: AtsConnection,
    assessment_type_id: str,
    candidate_id: str,
    application_id: str,
    email: str,
    name: str,
    api_url: str,
    public_url: str,
    file_catalogue: Catalogue,
    now: datetime,
) -> AtsAssessment:
    """Invite the candidate (once per candidate and application) and email them the link."""
    campaign = offered_campaign(session, connection, assessment_type_id)
    order = Order(
        connection=connection,
        campaign=campaign,
        order_ref=f"candidate:{candidate_id}:application:{application_id}",
        email=email,
        name=name,
        candidate_ref=candidate_id,
        callback_url=update_url(api_url),
    )
    return place_order(session, order, public_url, file_catalogue, now)


def _field(identifier: str, label: str, kind: str, value: Any, description: str = "") -> dict[str, Any]:
    """One of Ashby's typed fields: ``{identifier, label, description, type, value}``."""
    field = {"identifier": identifier, "label": label, "type": kind, "value": value}
    return {**field, "description": description} if description else field


def started_update(assessment: AtsAssessment, started_at: datetime) -> dict[str, Any]:
    """assessment.update for a Start: Ashby keeps the time it is told."""
    return {
        "assessment_id": assessment.public_id,
        "timestamp": _millis(started_at),
        "assessment_status": _field("status", "Status", "string", "Started"),
    }


def result_update(assessment: AtsAssessment, state: AssessmentState, at: datetime) -> dict[str, Any]:
    """assessment.update with the result, which tells Ashby the assessment is complete."""
    percent = state.percent if state.percent is not None else Decimal(0)
    update: dict[str, Any] = {
        "assessment_id": assessment.public_id,
        "timestamp": _millis(at),
        "assessment_status": _field("status", "Status", "string", "Completed"),
        "assessment_result": _field(
            "score",
            "Score",
            "numeric_score",
            float(percent),
            "Percent of the test's points, sections weighted equally",
        ),
        "assessment_profile_url": _field("report", "Report", "url", state.profile_url),
        "metadata": [],
    }
    if state.minutes_used is not None:
        update["metadata"].append(
            _field("duration", "Time used", "numeric_duration_minutes", state.minutes_used)
        )
    return update


def _millis(at: datetime) -> int:
    return int(at.astimezone(UTC).timestamp() * 1000)


def enqueue_update(
    session: Session, assessment: AtsAssessment, update: dict[str, Any], event: str, now: datetime
) -> None:
    """Queue a POST of ``update`` to the assessment.update URL stored with the order, and only there."""
    enqueue(
        session,
        url=assessment.callback_url,
        body=json.dumps(update, separators=(",", ":")).encode(),
        event=f"ashby.{event}",
        auth=f"{AUTH_PREFIX}:{assessment.connection_id}",
        headers={"Content-Type": "application/json", "Accept": "application/json; version=1"},
        allowed_hosts=frozenset({(urlsplit(assessment.callback_url).hostname or "").lower()}),
        at=now,
    )
