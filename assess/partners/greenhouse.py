"""Greenhouse's Assessment Partner API, the partner side: what Greenhouse calls on us.

Built from Greenhouse's own documentation (developers.greenhouse.io/assessment.html): a bare
JSON array from ``list_tests``, ``partner_interview_id`` a string, ``partner_score`` a number,
flat ``metadata``, absent values ``null``. Greenhouse may add properties to what it sends, so
unknown fields are accepted and ignored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from flask import Response, current_app, jsonify, request
from pydantic import BaseModel, ConfigDict, Field

from assess.db import app_state, db_session
from assess.partners import bp
from assess.partners.calls import PartnerError, connection_for, json_body
from assess.partners.orders import candidate_name, received_order
from assess.services.ats_connections import offered_campaigns, record_response_error
from assess.services.ats_greenhouse import CallbackRefused, send_test
from assess.services.ats_orders import OrderRefused, UnknownAssessment, assessment_of, assessment_state
from assess.web import current_time


class Candidate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    email: str = Field(min_length=1, max_length=320)
    phone_number: str | None = None
    resume_url: str | None = None
    greenhouse_profile_url: str | None = None


class SendTest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    partner_test_id: str = Field(min_length=1, max_length=64)
    candidate: Candidate
    #: Where Greenhouse wants the completion PATCH; its trailing id names the take-home test.
    url: str = Field(min_length=1, max_length=2000)


class ResponseError(BaseModel):
    model_config = ConfigDict(extra="ignore")

    api_call: str = Field(min_length=1, max_length=200)
    errors: list[Annotated[str, Field(max_length=2000)]] = Field(min_length=1, max_length=50)
    partner_test_id: str | None = Field(default=None, max_length=200)
    partner_test_name: str | None = Field(default=None, max_length=200)
    partner_interview_id: str | None = Field(default=None, max_length=200)
    candidate_email: str | None = Field(default=None, max_length=320)


def allowed_hosts() -> frozenset[str]:
    """GREENHOUSE_ALLOWED_HOSTS: the hosts a completion PATCH may go to."""
    return frozenset(current_app.config["GREENHOUSE_ALLOWED_HOSTS"])


@bp.get("/greenhouse/list_tests")
def greenhouse_list_tests() -> Response:
    connection = connection_for("greenhouse")
    tests = [
        {"partner_test_id": campaign.slug, "partner_test_name": campaign.title}
        for campaign in offered_campaigns(db_session(), connection)
    ]
    return jsonify(tests)


@bp.post("/greenhouse/send_test")
def greenhouse_send_test() -> Response:
    order = received_order("greenhouse", SendTest)
    try:
        assessment = send_test(
            db_session(),
            order.connection,
            order.body.partner_test_id,
            order.body.candidate.email,
            candidate_name(order.body.candidate),
            order.body.url,
            allowed_hosts(),
            order.public_url,
            order.catalogue,
            order.now,
        )
    except UnknownAssessment as exc:
        raise PartnerError(404, f"partner_test_id: {exc}; list_tests names the tests offered") from None
    except CallbackRefused as exc:
        raise PartnerError(422, f"url: {exc}") from None
    except OrderRefused as exc:
        raise PartnerError(409 if exc.conflict else 422, f"candidate: {exc}") from None
    return jsonify({"partner_interview_id": assessment.public_id})


def _stamp(at: datetime | None) -> str | None:
    return at.isoformat().replace("+00:00", "Z") if at is not None else None


@bp.get("/greenhouse/test_status")
def greenhouse_test_status() -> Response:
    connection = connection_for("greenhouse")
    public_id = request.args.get("partner_interview_id", "").strip()
    if not public_id:
        raise PartnerError(400, "partner_interview_id: give the id send_test answered, as a query parameter")
    session = db_session()
    try:
        assessment = assessment_of(session, connection, public_id, app_state().settings.public_url)
    except UnknownAssessment as exc:
        raise PartnerError(404, f"partner_interview_id: {exc}") from None
    state = assessment_state(session, assessment, current_time())
    complete = state.status == "complete"
    metadata: dict[str, Any] = {
        "Started At": _stamp(state.started_at),
        "Completed At": _stamp(state.completed_at),
        "Time Used (minutes)": state.minutes_used,
    }
    return jsonify(
        {
            "partner_status": state.status,
            "partner_profile_url": state.profile_url if complete else None,
            # A number, as Greenhouse's contract says: the test's percent of its points.
            "partner_score": float(state.percent) if complete and state.percent is not None else None,
            "metadata": metadata,
        }
    )


@bp.post("/greenhouse/response_error")
def greenhouse_response_error() -> Response:
    connection = connection_for("greenhouse")
    body = json_body(ResponseError)
    record_response_error(
        db_session(),
        connection,
        body.api_call,
        body.errors,
        body.partner_test_id or "",
        body.partner_interview_id or "",
        body.candidate_email or "",
        current_time(),
    )
    return jsonify({})
