"""An ATS's order for a test as both ATSs' order routes receive it.

Greenhouse's send_test and Ashby's assessment.start are the same call in two dialects: the
connection's key is checked and counted, the JSON body read, and the order placed with the
app's public URL, catalogue and time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from pydantic import BaseModel

from assess.db import app_state
from assess.models.ats import AtsConnection
from assess.partners.calls import connection_for, json_body
from assess.web import current_time
from items.bank import Catalogue

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Order(Generic[M]):
    """An order from a working connection, its body valid, with what placing it needs."""

    connection: AtsConnection
    body: M
    public_url: str
    catalogue: Catalogue
    now: datetime


def received_order(provider: str, model: type[M]) -> Order[M]:
    """This request's order: a 401 or 429 for its key, a 400 or 422 for its body (as ``calls`` says)."""
    connection = connection_for(provider)
    body = json_body(model)
    state = app_state()
    return Order(connection, body, state.settings.public_url, state.catalogue, current_time())


class NamedCandidate(Protocol):
    @property
    def first_name(self) -> str | None: ...

    @property
    def last_name(self) -> str | None: ...


def candidate_name(candidate: NamedCandidate) -> str:
    """The name the invitation greets: whichever of the first and last names the ATS sent."""
    return " ".join(part for part in (candidate.first_name, candidate.last_name) if part)
