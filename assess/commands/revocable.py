"""What ``assess apikey`` and ``assess ats`` share: listing credentials that can be revoked, and revoking one.

An API key and an ATS connection are both a named secret that works until it is revoked; both
lists end in when it was made and whether it still works, and both revocations read alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol, TypeVar

import click
from sqlalchemy.orm import Session

from assess.clock import system_clock
from assess.commands import fail
from assess.commands.database import open_database, settings_or_exit


class Revocable(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def created_at(self) -> datetime: ...

    @property
    def revoked_at(self) -> datetime | None: ...


R = TypeVar("R", bound=Revocable)


def list_revocable(
    fetch: Callable[[Session], Sequence[R]], columns: Callable[[R], Sequence[str]], empty: str
) -> None:
    """One tab-separated line each: id, ``columns``, when made, "active" or when revoked; else ``empty``."""
    with open_database(settings_or_exit()) as session:
        found = fetch(session)
        for row in found:
            state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "active"
            click.echo("\t".join([str(row.id), *columns(row), f"{row.created_at:%Y-%m-%d %H:%M}", state]))
    if not found:
        click.echo(empty)


def revoke_by_id(revoke: Callable[[Session, int, None, datetime], R], row_id: int, what: str) -> None:
    """Revoke ``row_id`` as no staff member (the command line) and say so; an unknown id fails."""
    with open_database(settings_or_exit()) as session:
        try:
            row = revoke(session, row_id, None, system_clock())
        except LookupError as exc:
            fail(str(exc))
    click.echo(f"Revoked {what} {row.id} ({row.name}).")
