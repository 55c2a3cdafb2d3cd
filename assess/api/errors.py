"""Every error under /api/v1 is a problem document, a 500 included: clients parse one format."""

from __future__ import annotations

import logging

from flask import Response, request
from werkzeug.exceptions import HTTPException, InternalServerError

from assess.api import bp
from assess.api.problems import ApiProblem, Problem, problem_response

log = logging.getLogger(__name__)


def _api_problem(exc: ApiProblem) -> Response:
    return problem_response(exc.problem, exc.headers)


def _http_problem(exc: HTTPException) -> Response:
    status = exc.code or 500
    allowed = getattr(exc, "valid_methods", None)
    headers = {"Allow": ", ".join(allowed)} if allowed else {}
    return problem_response(
        Problem(title=exc.name, status=status, detail=exc.description or exc.name), headers
    )


def _server_problem(exc: InternalServerError) -> Response:
    log.error("unhandled error on %s %s", request.method, request.path, exc_info=exc.original_exception)
    return problem_response(
        Problem(
            title="Internal Server Error",
            status=500,
            detail="Something went wrong on our side; please try again later.",
        )
    )


bp.register_error_handler(ApiProblem, _api_problem)
bp.register_error_handler(HTTPException, _http_problem)
bp.register_error_handler(InternalServerError, _server_problem)
