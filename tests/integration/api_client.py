"""A program holding an API key, for the API's integration tests: the client and its fixture.

A test module imports ``api_key`` and names it in its ``__all__``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.test import TestResponse

from assess.services.api_keys import create_api_key

PROBLEM = "application/problem+json"


class Api:
    """A program holding an API key, calling /api/v1 as an ATS would."""

    def __init__(self, client: FlaskClient, key: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {key}"}

    def get(self, path: str, headers: dict[str, str] | None = None, **query: Any) -> TestResponse:
        return self.client.get(f"/api/v1{path}", query_string=query, headers=self.headers | (headers or {}))

    def post(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> TestResponse:
        return self.client.post(f"/api/v1{path}", json=body, headers=self.headers | (headers or {}))


def key_maker(app: Flask, session_factory: sessionmaker[Session], clock: Any) -> Callable[..., Api]:
    """``make(*scopes)``: a client with a new key holding those scopes (``read`` by default)."""

    def make(*scopes: str) -> Api:
        with session_factory() as session:
            _, text = create_api_key(session, "ATS", scopes or ("read",), None, clock())
        return Api(app.test_client(), text)

    return make


@pytest.fixture
def api_key(app: Flask, session_factory: sessionmaker[Session], clock: Any) -> Callable[..., Api]:
    """``api_key(*scopes)``: a client with a new key holding those scopes (``read`` by default)."""
    return key_maker(app, session_factory, clock)


def problem_of(response: TestResponse, status: int) -> dict[str, Any]:
    """The problem document of a refusal with this status, its required members checked."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body: dict[str, Any] = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body
