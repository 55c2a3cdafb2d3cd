"""``assess apikey create|list|revoke``: keys for the REST API."""

from __future__ import annotations

import click

from assess.clock import system_clock
from assess.commands import fail
from assess.commands.database import open_database, settings_or_exit
from assess.commands.revocable import list_revocable, revoke_by_id
from assess.services.api_keys import SCOPES, ApiKeyInvalid, api_keys, create_api_key, revoke_api_key


@click.group()
def apikey() -> None:
    """Keys for the REST API: create, list and revoke them."""


@apikey.command("create")
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice(SCOPES),
    help="What the key may do; repeat for several (read, invite, admin).",
)
def apikey_create(name: str, scopes: tuple[str, ...]) -> None:
    """Create a key named NAME and print it: it is shown this once and stored only as a hash."""
    with open_database(settings_or_exit()) as session:
        try:
            key, text = create_api_key(session, name, scopes, None, system_clock())
        except ApiKeyInvalid as exc:
            fail(str(exc))
    click.echo(f"Created API key {key.id} ({key.name}, scopes: {', '.join(key.scopes)}). Keep it now:")
    click.echo(text)


@apikey.command("list")
def apikey_list() -> None:
    """List the keys: id, prefix, name, scopes, when made, and whether revoked; never a secret."""
    list_revocable(
        api_keys, lambda key: (f"assess_{key.prefix}_...", key.name, ",".join(key.scopes)), "No API keys."
    )


@apikey.command("revoke")
@click.argument("key_id", type=int)
def apikey_revoke(key_id: int) -> None:
    """Revoke the key KEY_ID (as ``assess apikey list`` shows it); it stops working at once."""
    revoke_by_id(revoke_api_key, key_id, "API key")
