"""``assess webhooks list|rotate|deliver``: the webhook endpoints and the outbox of deliveries."""

from __future__ import annotations

import click
from sqlalchemy import func, select

from assess.clock import system_clock
from assess.commands import fail
from assess.commands.database import open_database, settings_or_exit
from assess.db import make_session_factory
from assess.models import Delivery
from assess.services.outbox import STATUSES, deliver_due
from assess.services.webhooks import ROTATION_OVERLAP, EndpointNotFound, endpoints, rotate_secret


@click.group()
def webhooks() -> None:
    """Webhook endpoints and the outbox: list them, rotate a secret, send the deliveries that are due."""


@webhooks.command("list")
def webhooks_list() -> None:
    """List the endpoints (id, URL, events, state; never a secret) and the deliveries per status."""
    with open_database(settings_or_exit()) as session:
        found = endpoints(session)
        for endpoint in found:
            state = "active" if endpoint.active else f"disabled: {endpoint.disabled_reason}"
            click.echo(f"{endpoint.id}\t{endpoint.url}\t{','.join(endpoint.events)}\t{state}")
        if not found:
            click.echo("No webhook endpoints.")
        counts = dict(session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())
    click.echo("Deliveries: " + ", ".join(f"{counts.get(status, 0)} {status}" for status in STATUSES))


@webhooks.command("rotate")
@click.argument("endpoint_id", type=int)
def webhooks_rotate(endpoint_id: int) -> None:
    """Give endpoint ENDPOINT_ID a new signing secret, printed once; the old one signs for a day more."""
    settings = settings_or_exit()
    with open_database(settings) as session:
        try:
            endpoint, secret = rotate_secret(
                session, endpoint_id, None, system_clock(), secret_key=settings.secret_key
            )
        except EndpointNotFound:
            fail(f"no webhook endpoint {endpoint_id}: `assess webhooks list` shows their numbers")
        until = endpoint.previous_secret_expires_at
    hours = int(ROTATION_OVERLAP.total_seconds() // 3600)
    click.echo(f"New signing secret of endpoint {endpoint_id} (shown once; give it to the receiver):")
    click.echo(secret)
    if until is None:
        click.echo("The previous secret cannot be opened with this SECRET_KEY: only the new one signs.")
    else:
        click.echo(
            f"The previous secret signs beside it for {hours} hours, until {until:%Y-%m-%d %H:%M} UTC."
        )


@webhooks.command("deliver")
@click.option("--limit", default=100, show_default=True, help="The most deliveries to send in this pass.")
def webhooks_deliver(limit: int) -> None:
    """Send the deliveries that are due, once each, and print what happened (the app also does this)."""
    settings = settings_or_exit()
    with open_database(settings) as session:
        summary = deliver_due(
            make_session_factory(session.get_bind().engine),
            system_clock,
            limit=limit,
            allow_private_targets=settings.allow_private_webhook_targets,
        )
    click.echo(f"Deliveries: {summary}.")
