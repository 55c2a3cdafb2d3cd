"""The SJT key comparison page: the author's key against the candidates' consensus, in words and numbers."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from authoring_setup import text_of
from flask import Flask
from sjt_answers import FORM, MOST_LEAST, RATE, finish_sjt_attempts, response_of
from sqlalchemy.orm import Session, sessionmaker
from staff_client import StaffClient

from assess.services.item_statistics import form_analyses

PAGE = "/staff/authoring/statistics/key-comparison"


def pearson(x: list[float], y: list[float]) -> float:
    mx, my = sum(x) / len(x), sum(y) / len(y)
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    return sxy / math.sqrt(sum((a - mx) ** 2 for a in x) * sum((b - my) ** 2 for b in y))


def section_of(page: str, item_id: str) -> str:
    return page.split(f"({item_id}, form {FORM})", 1)[1].split("</section>", 1)[0]


def test_the_page_explains_itself_and_compares_each_sjt_key_with_the_consensus(
    session_factory: sessionmaker[Session], clock: Any, tmp_path: Path, author: StaffClient
) -> None:
    abilities = finish_sjt_attempts(session_factory, clock, tmp_path / "banks")
    statistics = author.get("/staff/authoring/statistics").get_data(as_text=True)
    assert f'href="{PAGE}"' in statistics

    response = author.get(PAGE)
    assert response.status_code == 200
    page = " ".join(text_of(response).split())
    for words in ("consensus key", "correlation with the rest of the test", "test's alpha"):
        assert words in page

    most_least = section_of(page, MOST_LEAST)
    assert "8 finished attempts" in most_least
    # Most: the key says c, six of eight candidates said a; least: both d.
    most_row = most_least.split("Most effective</th>", 1)[1].split("</tr>", 1)[0]
    least_row = most_least.split("Least effective</th>", 1)[1].split("</tr>", 1)[0]
    assert "(differs)" in most_row and "(differs)" not in least_row
    assert "review the key with the experts who wrote it" in most_least

    # The rest of the test: the three process questions and the (constant) rating item.
    process = ("process-renewal-first-step", "process-best-upsell-target", "process-feature-request")
    keys = {
        "process-renewal-first-step": "b",
        "process-best-upsell-target": "a",
        "process-feature-request": "c",
    }
    rest = [sum(float(response_of(i, a)["choice"] == keys[i]) for i in process) for a in abilities.values()]
    keyed = [2.0 if a == 0 else 1.0 for a in abilities.values()]
    consensus = [1.0 if a == 0 else 2.0 for a in abilities.values()]
    assert (
        f"{pearson(keyed, rest):.2f}" in most_least.split("Author's key (keyed)", 1)[1].split("</tr>", 1)[0]
    )
    assert (
        f"{pearson(consensus, rest):.2f}"
        in most_least.split('<th scope="row">Consensus</th>', 1)[1].split("</tr>", 1)[0]
    )
    # Scored by its own key the item gives the test the alpha the statistics page shows.
    with session_factory() as session:
        alpha = form_analyses(session)[FORM].analysis.test.alpha  # type: ignore[union-attr]
    keyed_row = most_least.split("Author's key (keyed)", 1)[1].split("</tr>", 1)[0]
    assert keyed_row.rstrip().endswith(f"<td>{alpha:.2f}</td>")

    assert "The candidates' consensus is the key" in section_of(page, RATE)


@pytest.mark.parametrize(
    ("role", "status"), [("author", 200), ("admin", 200), ("recruiter", 403), ("interviewer", 403)]
)
def test_only_authors_and_admins_open_the_key_comparison(
    staff_client: Callable[..., StaffClient], app: Flask, role: str, status: int
) -> None:
    client = staff_client(role)
    response = client.get(PAGE)
    assert response.status_code == status
    if status == 200:
        assert "No finished attempt has an SJT item yet" in text_of(response)
    assert app.test_client().get(PAGE).status_code == 302  # signed out: to the login page
