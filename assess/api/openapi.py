"""The OpenAPI 3.1 document, written from the operations' table and their pydantic models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from assess.api.problems import PROBLEM_TYPE, Problem
from assess.api.registry import IDEMPOTENCY_HEADER, OPERATIONS, Operation
from assess.request_guard import MAX_PATH_INT

REF = "#/components/schemas/{model}"
TITLES = {
    400: "Bad request",
    401: "No working API key",
    403: "The key lacks the scope",
    404: "Not found",
    409: "Conflict",
    415: "The body is not JSON",
    422: "Invalid request",
    429: "Rate limit exceeded",
}


Refs = dict[tuple[Any, JsonSchemaMode], dict[str, Any]]


def _schemas() -> tuple[Refs, dict[str, Any]]:
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [(Problem, "serialization")]
    for found in OPERATIONS:
        models.append((found.response, "serialization"))
        models += [(model, "validation") for model in (found.query, found.body) if model is not None]
    refs, definitions = models_json_schema(list(dict.fromkeys(models)), ref_template=REF)
    defs: dict[str, Any] = definitions.get("$defs", {})
    return dict(refs), defs


def _parameters(found: Operation) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PATH_INT},
        }
        for name in found.path_parameters
    ]
    if found.query is not None:
        schema = found.query.model_json_schema(ref_template=REF)
        for name, field in schema["properties"].items():
            description = field.pop("description", "")
            # Left out is how a query says "none": null is not a value a query string can carry.
            options = [option for option in field.pop("anyOf", []) if option != {"type": "null"}]
            if options:
                field.update(options[0])
            if field.get("default", 0) is None:
                del field["default"]
            parameters.append(
                {
                    "name": name,
                    "in": "query",
                    "required": name in schema.get("required", []),
                    "schema": field,
                    **({"description": description} if description else {}),
                }
            )
    if found.idempotent:
        parameters.append(
            {
                "name": IDEMPOTENCY_HEADER,
                "in": "header",
                "required": False,
                "description": "A unique key per request (a UUID): a retry with the same key and body is "
                "answered with the first answer, a different body with 422.",
                "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x20-\\x7e]+$"},
            }
        )
    return parameters


def _responses(found: Operation, refs: Refs) -> dict[str, Any]:
    statuses = {401, 403, 429, *found.problems}
    if found.query is not None or found.body is not None:
        statuses.add(422)
    if found.body is not None:
        statuses |= {400, 415}
    if found.idempotent:
        statuses.add(400)
    content: dict[str, Any] = {"application/json": {"schema": refs[(found.response, "serialization")]}}
    for media_type in found.media_types:
        content[media_type] = {"schema": {"type": "string"}}
    responses: dict[str, Any] = {
        str(found.status): {"description": "OK" if found.status == 200 else "Created", "content": content}
    }
    problem = refs[(Problem, "serialization")]
    for status in sorted(statuses):
        responses[str(status)] = {
            "description": TITLES[status],
            "content": {PROBLEM_TYPE: {"schema": problem}},
        }
    return responses


def openapi_document() -> dict[str, Any]:
    refs, definitions = _schemas()
    paths: dict[str, dict[str, Any]] = {}
    for found in OPERATIONS:
        entry: dict[str, Any] = {
            "operationId": found.name,
            "summary": found.summary,
            "description": f"Needs a key with the scope `{found.scope}` (or `admin`).",
            "security": [{"apiKey": []}],
            "parameters": _parameters(found),
            "responses": _responses(found, refs),
        }
        if found.body is not None:
            entry["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": refs[(found.body, "validation")]}},
            }
        paths.setdefault("/api/v1" + found.path, {})[found.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "assess",
            "version": "1",
            "description": "Campaigns, invitations, attempts and results of the assess hiring assessments. "
            "Errors are RFC 9457 problem details; lists are paged by an opaque cursor.",
        },
        "paths": paths,
        "components": {
            "schemas": definitions,
            "securitySchemes": {
                "apiKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A key from the staff pages or `assess apikey create`.",
                }
            },
        },
    }
