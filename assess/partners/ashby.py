"""Ashby's Assessments Partner API, the partner side: assessment.list, .start and .cancel.

Ashby posts JSON and reads ``{"success": true, "results": ...}``; a 409 means the candidate is
already being assessed, and a 422's ``message`` is shown to the Ashby user as it is.
"""

from __future__ import annotations

from flask import Response, current_app, jsonify
from pydantic import BaseModel, ConfigDict, Field

from assess.db import app_state, db_session
from assess.partners import bp
from assess.partners.calls import PartnerError, connection_for, json_body
from assess.partners.orders import candidate_name, received_order
from assess.services.ats_ashby import start_assessment
from assess.services.ats_connections import offered_campaigns
from assess.services.ats_orders import OrderRefused, UnknownAssessment, cancel_order
from assess.web import current_time

Id = Field(min_length=1, max_length=100)


class Candidate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    ashby_id: str = Id
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    email: str = Field(min_length=1, max_length=320)
    ashby_profile_url: str | None = None


class Application(BaseModel):
    model_config = ConfigDict(extra="ignore")

    ashby_id: str = Id
    status: str | None = None


class Start(BaseModel):
    model_config = ConfigDict(extra="ignore")

    assessment_type_id: str = Field(min_length=1, max_length=64)
    candidate: Candidate
    application: Application


class Cancel(BaseModel):
    model_config = ConfigDict(extra="ignore")

    assessment_id: str = Field(min_length=1, max_length=100)


@bp.post("/ashby/assessment.list")
def ashby_assessment_list() -> Response:
    connection = connection_for("ashby")
    state = app_state()
    results = []
    for campaign in offered_campaigns(db_session(), connection):
        form = state.catalogue.forms.get(campaign.form_id)
        minutes = f", {form.time_limit_minutes} minutes" if form is not None else ""
        results.append(
            {
                "assessment_type_id": campaign.slug,
                "name": campaign.title,
                "description": f"Timed assessment for the {campaign.role} role{minutes}.",
            }
        )
    return jsonify({"success": True, "results": results})


@bp.post("/ashby/assessment.start")
def ashby_assessment_start() -> Response:
    order = received_order("ashby", Start)
    candidate = order.body.candidate
    try:
        assessment = start_assessment(
            db_session(),
            order.connection,
            order.body.assessment_type_id,
            candidate.ashby_id,
            order.body.application.ashby_id,
            candidate.email,
            candidate_name(candidate),
            str(current_app.config["ASHBY_API_URL"]),
            order.public_url,
            order.catalogue,
            order.now,
        )
    except UnknownAssessment as exc:
        raise PartnerError(422, f"assessment_type_id: {exc}; assessment.list names those offered") from None
    except OrderRefused as exc:
        raise PartnerError(409 if exc.conflict else 422, str(exc)) from None
    return jsonify({"success": True, "results": {"assessment_id": assessment.public_id}})


@bp.post("/ashby/assessment.cancel")
def ashby_assessment_cancel() -> Response:
    connection = connection_for("ashby")
    body = json_body(Cancel)
    try:
        assessment = cancel_order(
            db_session(), connection, body.assessment_id, app_state().settings.public_url, current_time()
        )
    except UnknownAssessment as exc:
        raise PartnerError(404, f"assessment_id: {exc}") from None
    return jsonify({"success": True, "results": {"assessment_id": assessment.public_id}})
