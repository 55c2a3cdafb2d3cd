"""Errors as RFC 9457 problem details: ``application/problem+json`` with type, title, status, detail."""

from __future__ import annotations

from flask import Response, jsonify
from pydantic import BaseModel, ValidationError

PROBLEM_TYPE = "application/problem+json"
#: The ``type`` URIs name our kinds of problem; "about:blank" means the status says it all.
TYPE_BASE = "https://assess.invalid/problems/"


class FieldProblem(BaseModel):
    """One invalid input: a JSON pointer into the body, or the name of a query parameter or header."""

    pointer: str | None = None
    parameter: str | None = None
    header: str | None = None
    detail: str


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = None


class ApiProblem(Exception):
    """Raised by the API's views and services' callers; answered as problem details."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        kind: str = "",
        errors: list[FieldProblem] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.problem = Problem(
            type=TYPE_BASE + kind if kind else "about:blank",
            title=title,
            status=status,
            detail=detail,
            errors=errors,
        )
        self.headers = headers or {}


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> Response:
    response = jsonify(problem.model_dump(exclude_none=True))
    response.status_code = problem.status
    response.mimetype = PROBLEM_TYPE
    response.headers.update(headers or {})
    return response


def invalid_input(exc: ValidationError, where: str) -> ApiProblem:
    """A 422 naming every invalid field: ``where`` is "body" (JSON pointers) or "query" (parameters)."""
    errors = []
    for error in exc.errors(include_url=False):
        location = [str(part) for part in error["loc"]]
        if where == "body":
            errors.append(FieldProblem(pointer="#/" + "/".join(location), detail=error["msg"]))
        else:
            errors.append(FieldProblem(parameter=location[0] if location else "", detail=error["msg"]))
    noun = "request body" if where == "body" else "query parameters"
    return ApiProblem(422, "Invalid request", f"The {noun} did not validate.", "invalid-request", errors)


def not_found(exc: LookupError) -> ApiProblem:
    """A 404 problem from a service's ``NotFound`` ("no campaign 7" -> "No campaign 7.")."""
    text = str(exc)
    return ApiProblem(404, "Not Found", text[:1].upper() + text[1:] + ".")
