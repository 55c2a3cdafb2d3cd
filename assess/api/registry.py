"""The API's operations in one table: each route with its scope and its request and response models.

``operation`` registers a view on the blueprint and wraps it: the key is checked (and counted
against its rate limit), the query and body are validated by their models, and what the view
returns is shaped by the response model. ``assess.api.openapi`` writes the OpenAPI document
from the same table, so what is documented is what is enforced.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Response, jsonify, request
from pydantic import BaseModel, ValidationError

from assess.api import bp
from assess.api.problems import ApiProblem, FieldProblem, invalid_input
from assess.api.quota import count_request
from assess.db import db_session
from assess.models.api_key import ApiKey
from assess.services.api_keys import allows, authenticate


@dataclass(frozen=True)
class StoredReply:
    """An answer given before, replayed as it was (``Idempotency-Key``)."""

    status: int
    body: dict[str, Any]


JSON = "application/json"


@dataclass(frozen=True)
class FileReply:
    """An answer in one of the operation's other media types (``Operation.media_types``)."""

    body: bytes
    #: As sent, parameters included: "text/csv; charset=utf-8".
    content_type: str
    filename: str


@dataclass(frozen=True)
class Call:
    """What a view gets besides its path arguments: the key, and the validated query and body."""

    key: ApiKey
    query: Any
    body: Any
    #: The ``Idempotency-Key`` header of an operation that takes one, else None.
    idempotency_key: str | None
    #: The media type ``Accept`` prefers among the operation's; JSON when it names none of them.
    media_type: str = JSON


View = Callable[..., BaseModel | StoredReply | FileReply]


@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    rule: str
    summary: str
    scope: str
    response: type[BaseModel]
    status: int = 200
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    #: Error statuses this operation answers besides those every operation may (401, 403, 429).
    problems: tuple[int, ...] = ()
    idempotent: bool = False
    #: Media types the answer may take besides JSON, chosen by ``Accept`` or ``?format=``.
    media_types: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        """The rule as OpenAPI writes it: ``/campaigns/{campaign_id}``."""
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", self.rule)

    @property
    def path_parameters(self) -> list[str]:
        return re.findall(r"<(?:\w+:)?(\w+)>", self.rule)


OPERATIONS: list[Operation] = []
IDEMPOTENCY_HEADER = "Idempotency-Key"


def operation(
    method: str,
    rule: str,
    *,
    summary: str,
    scope: str,
    response: type[BaseModel],
    status: int = 200,
    query: type[BaseModel] | None = None,
    body: type[BaseModel] | None = None,
    problems: tuple[int, ...] = (),
    idempotent: bool = False,
    media_types: tuple[str, ...] = (),
) -> Callable[[View], View]:
    def register(view: View) -> View:
        found = Operation(
            view.__name__,
            method,
            rule,
            summary,
            scope,
            response,
            status,
            query,
            body,
            problems,
            idempotent,
            media_types,
        )
        OPERATIONS.append(found)
        served = functools.update_wrapper(functools.partial(_serve, found, view), view)
        bp.add_url_rule(rule, found.name, served, methods=[method])
        return view

    return register


def bearer_key() -> ApiKey:
    """The working key of ``Authorization: Bearer``, else a 401 problem."""
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    key = authenticate(db_session(), presented.strip()) if scheme.lower() == "bearer" else None
    if key is None:
        raise ApiProblem(
            401,
            "Unauthorized",
            "Send a working API key as 'Authorization: Bearer <key>'; admins make keys on the staff pages.",
            headers={"WWW-Authenticate": 'Bearer realm="assess"'},
        )
    return key


def _validated(model: type[BaseModel] | None, data: Any, where: str) -> Any:
    if model is None:
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_input(exc, where) from None


def _body(found: Operation) -> Any:
    if found.body is None:
        return None
    if not request.is_json:
        raise ApiProblem(
            415, "Unsupported Media Type", "Send the body as JSON (Content-Type: application/json)."
        )
    data = request.get_json(silent=True)
    if data is None:
        raise ApiProblem(400, "Bad Request", "The body is not valid JSON.")
    return _validated(found.body, data, "body")


def _idempotency_key() -> str | None:
    value = request.headers.get(IDEMPOTENCY_HEADER)
    if value is None:
        return None
    if not 1 <= len(value) <= 255 or not value.isprintable() or not value.isascii():
        raise ApiProblem(
            400,
            "Bad Request",
            f"{IDEMPOTENCY_HEADER} must be 1 to 255 printable ASCII characters, e.g. a UUID.",
            errors=[FieldProblem(header=IDEMPOTENCY_HEADER, detail="1 to 255 printable ASCII characters")],
        )
    return value


def _serve(found: Operation, view: View, **path: Any) -> Response:
    key = bearer_key()
    count_request(key)
    if not allows(key, found.scope):
        raise ApiProblem(403, "Forbidden", f"This key lacks the scope {found.scope!r} this operation needs.")
    query = _validated(found.query, request.args.to_dict(), "query")
    idempotency_key = _idempotency_key() if found.idempotent else None
    # Lenient: an Accept naming none of the operation's types gets JSON rather than a 406.
    media_type = request.accept_mimetypes.best_match([JSON, *found.media_types]) or JSON
    result = view(Call(key, query, _body(found), idempotency_key, media_type), **path)
    if isinstance(result, FileReply):
        return Response(
            result.body,
            status=found.status,
            content_type=result.content_type,
            headers={"Content-Disposition": f'attachment; filename="{result.filename}"'},
        )
    if isinstance(result, StoredReply):
        response = jsonify(result.body)
        response.status_code = result.status
        response.headers["Idempotent-Replayed"] = "true"
        return response
    response = jsonify(result.model_dump(mode="json"))
    response.status_code = found.status
    return response
