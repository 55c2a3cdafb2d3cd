"""Every error under /api/v1 is a problem document, a 500 included: clients parse one format."""

from __future__ import annotations

import logging
from http import HTTPStatus

from flask import Response, request
from werkzeug.exceptions import HTTPException, InternalServerError

from assess.api import bp
from assess.api.problems import PROBLEM_TYPE, ApiProblem, Problem, problem_response

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


@bp.after_request
def _refusals_as_problems(response: Response) -> Response:
    """A refusal made before the view (the request guard's 400/413/415/422) becomes a problem too.

    The guard answers the app's pages and scripts in their formats; an API client parses one.
    """
    if response.status_code < 400 or response.mimetype == PROBLEM_TYPE:
        return response
    said = response.get_json(silent=True) if response.is_json else None
    detail = ""
    if isinstance(said, dict):
        detail = str(said.get("reason") or said.get("hint") or said.get("message") or "")
    status = HTTPStatus(response.status_code)
    kept = {name: value for name, value in response.headers.items() if name in ("Retry-After", "Allow")}
    problem = Problem(title=status.phrase, status=status.value, detail=detail or status.description)
    return problem_response(problem, kept)
