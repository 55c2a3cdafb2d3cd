"""The served OpenAPI document is valid OpenAPI 3.1, and the app answers as it says.

schemathesis generates requests from the document (a bounded number per operation) and checks
every answer: no 5xx, a documented status and content type, a body that fits its schema. The
same checks run on requests for rows that exist, which random ids would rarely hit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from openapi_spec_validator import validate
from review_setup import finished_attempt, invitation_of
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session, sessionmaker

from assess.api.registry import OPERATIONS
from assess.errors import JSON_BODY_ENDPOINTS
from assess.services.api_keys import create_api_key
from items.bank import Catalogue

#: Not schemathesis's "positive data acceptance": a cursor is opaque, so a schema-valid string that
#: this API never gave is rightly refused (422), and no schema can say which strings it gave.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
EXAMPLES = 25


def test_the_document_is_valid_openapi_3_1_and_lists_every_operation(app: Flask) -> None:
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    validate(document)
    assert document["openapi"] == "3.1.0"
    operations = {
        operation["operationId"] for path in document["paths"].values() for operation in path.values()
    }
    assert operations == {operation.name for operation in OPERATIONS}


def test_the_request_guard_admits_every_operations_json_body() -> None:
    """Else the guard answers the body with its own 415 and the operation is never exercised."""
    refused = [
        op.name for op in OPERATIONS if op.body is not None and f"api.{op.name}" not in JSON_BODY_ENDPOINTS
    ]
    assert refused == [], "add them to assess.errors.JSON_BODY_ENDPOINTS"


def test_every_operation_answers_as_its_document_says(
    app: Flask,
    invite: Callable[..., str],
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    clock: Any,
) -> None:
    token = invite()
    attempt_id = finished_attempt(session_factory, catalogue, token, clock)
    with session_factory() as session:
        invitation_id = invitation_of(session, token).id
        _, key = create_api_key(session, "schemathesis", ["admin"], None, clock())
    headers = {"Authorization": f"Bearer {key}"}
    existing = {"campaign_id": 1, "invitation_id": invitation_id, "attempt_id": attempt_id}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        checked += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            # The same examples on every run: CI fails for a change, never for a draw.
            derandomize=True,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        def generated(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        generated()
        names = [parameter.name for parameter in operation.path_parameters]
        real = operation.Case(path_parameters={name: existing[name] for name in names})
        real.call_and_validate(headers=headers, checks=CHECKS)
    assert checked == len(OPERATIONS)
