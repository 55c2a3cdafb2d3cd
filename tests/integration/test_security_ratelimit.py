"""Token guessing is rate-limited; candidates with real links, even many behind one address, never are."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from candidate_client import Candidate
from flask import Flask

from assess.ratelimit import LINK_GUESSES, storage_uri

ALLOWED = int(LINK_GUESSES.split()[0])
ELSEWHERE = {"REMOTE_ADDR": "198.51.100.7"}


def _guess() -> str:
    return secrets.token_urlsafe(24)


def test_an_address_that_keeps_guessing_links_is_refused_on_every_candidate_route(
    app: Flask, candidate: Callable[..., Candidate]
) -> None:
    real = candidate()
    guesser = app.test_client()
    for _ in range(ALLOWED):
        assert guesser.get(f"/t/{_guess()}").status_code == 404
    refused = guesser.get(f"/t/{_guess()}")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "60"
    assert "Too many links that do not work" in refused.get_data(as_text=True)
    status = guesser.get(f"/t/{_guess()}/status")
    assert status.status_code == 429 and status.is_json
    # The whole address waits out the window, a real link included: a guesser cannot
    # dodge the limit by mixing in a link it holds.
    assert real.get().status_code == 429
    assert real.client.get(real.base, environ_overrides=ELSEWHERE).status_code == 200


def test_a_test_centre_behind_one_address_opens_starts_and_saves_freely(
    candidate: Callable[..., Candidate],
) -> None:
    """Only unknown links count: more candidates than the limit, all on one address, are served."""
    people = [candidate(email=f"centre{i}@example.com") for i in range(ALLOWED + 5)]
    for person in people:
        person.start()
        assert person.get("/items/1").status_code == 200
        assert person.get("/status").status_code == 200
    assert all(r.status_code != 429 for person in people for r in person.responses)


def test_a_few_mistyped_links_do_not_lock_a_test_centre_out(
    app: Flask, candidate: Callable[..., Candidate]
) -> None:
    person = candidate()
    typist = app.test_client()
    for _ in range(ALLOWED // 3):
        assert typist.get(f"/t/{person.token[:-2]}").status_code == 404
    person.start()
    assert person.get("/items/1").status_code == 200


def test_counts_live_in_the_configured_storage_or_in_memory(app: Flask) -> None:
    bare = Flask(__name__)
    assert storage_uri(bare, {}) == "memory://"
    assert (
        storage_uri(bare, {"ASSESS_RATELIMIT_STORAGE": "redis://127.0.0.1:6379"}) == "redis://127.0.0.1:6379"
    )
    bare.config["RATELIMIT_STORAGE_URI"] = "memory://"
    assert storage_uri(bare, {"ASSESS_RATELIMIT_STORAGE": "redis://127.0.0.1:6379"}) == "memory://"
    assert app.config["RATELIMIT_STORAGE_URI"]
