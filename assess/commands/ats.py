"""``assess ats create|list|revoke``: connections to Greenhouse and Ashby."""

from __future__ import annotations

import click

from assess.clock import system_clock
from assess.commands import fail
from assess.commands.database import open_database, settings_or_exit
from assess.commands.revocable import list_revocable, revoke_by_id
from assess.services.ats_connections import (
    PROVIDERS,
    ConnectionInvalid,
    ats_connections,
    create_connection,
    revoke_connection,
)
from assess.services.campaigns import campaign_by_slug


@click.group()
def ats() -> None:
    """Connections to Greenhouse and Ashby: create, list and revoke them."""


@ats.command("create")
@click.argument("provider", type=click.Choice(list(PROVIDERS)))
@click.option("--name", required=True, help="Whose account it is, e.g. 'Acme Corp'.")
@click.option(
    "--campaign",
    "campaigns",
    multiple=True,
    required=True,
    help="A campaign (slug) the ATS may send as a test; repeat for several.",
)
@click.option(
    "--ashby-api-key",
    envvar="ASHBY_API_KEY",
    default="",
    help="Ashby only: the customer's Ashby API key (candidatesWrite); or set ASHBY_API_KEY.",
)
def ats_create(provider: str, name: str, campaigns: tuple[str, ...], ashby_api_key: str) -> None:
    """Connect PROVIDER (greenhouse or ashby) and print its key: shown this once, stored as a hash."""
    settings = settings_or_exit()
    with open_database(settings) as session:
        ids = []
        for slug in campaigns:
            campaign = campaign_by_slug(session, slug)
            if campaign is None:
                fail(f"--campaign: no campaign {slug!r} (assess campaign list shows them)")
            ids.append(campaign.id)
        try:
            connection, text = create_connection(
                session, provider, name, ids, ashby_api_key, settings.secret_key, None, system_clock()
            )
        except ConnectionInvalid as exc:
            fail(f"{exc.field}: {exc}")
    click.echo(
        f"Created {PROVIDERS[provider]} connection {connection.id} ({connection.name}). Keep its key now:"
    )
    click.echo(text)
    click.echo(f"Its endpoints are under {settings.public_url}/partners/{provider}/ (see the README).")


@ats.command("list")
def ats_list() -> None:
    """List the connections: id, ATS, key prefix, name, campaigns, when made, state; never a key."""
    list_revocable(
        ats_connections,
        lambda connection: (
            connection.provider,
            f"ats_{connection.prefix}_...",
            connection.name,
            f"campaigns {','.join(map(str, connection.campaign_ids))}",
        ),
        "No ATS connections.",
    )


@ats.command("revoke")
@click.argument("connection_id", type=int)
def ats_revoke(connection_id: int) -> None:
    """Revoke the connection CONNECTION_ID (as ``assess ats list`` shows it); its key stops working."""
    revoke_by_id(revoke_connection, connection_id, "ATS connection")
