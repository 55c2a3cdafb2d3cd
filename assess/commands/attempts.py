"""``assess finalize-expired`` and ``assess grant-time``: attempts past or near their deadline."""

from __future__ import annotations

import click

from assess.clock import system_clock
from assess.commands import fail
from assess.commands.database import open_database, settings_or_exit
from assess.services.attempt_phase import AttemptClosed, NoSuchAttempt
from assess.services.finalization import finalize_expired
from assess.services.time_grants import grant_extra_time


@click.command("finalize-expired")
def finalize_expired_command() -> None:
    """Finalize and grade every attempt past its deadline (for cron; the app also sweeps)."""
    settings = settings_or_exit()
    with open_database(settings) as session:
        count = finalize_expired(session, system_clock(), settings.grace_seconds)
    click.echo(f"Finalized {count} attempt(s) past their deadline.")


@click.command("grant-time")
@click.argument("attempt_id", type=int)
@click.argument("minutes", type=int)
@click.option("--by", "granted_by", required=True, help="Who grants the time (recorded in the log).")
@click.option("--reason", default="", help="Why (recorded in the log).")
def grant_time(attempt_id: int, minutes: int, granted_by: str, reason: str) -> None:
    """Give a running attempt MINUTES more; its open page picks this up within seconds."""
    settings = settings_or_exit()
    with open_database(settings) as session:
        try:
            attempt = grant_extra_time(session, attempt_id, minutes, granted_by, reason, system_clock())
        except (NoSuchAttempt, AttemptClosed, ValueError) as exc:
            fail(str(exc))
    click.echo(
        f"Attempt {attempt.id} now ends at {attempt.deadline:%Y-%m-%d %H:%M:%S} UTC "
        f"(+{minutes} min by {granted_by})."
    )
