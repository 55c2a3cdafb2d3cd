"""``assess apikey create|list|revoke``: keys for the REST API."""

from __future__ import annotations

import click

from assess.clock import system_clock
from assess.commands import fail
from assess.commands.database import open_database, settings_or_exit
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
    with open_database(settings_or_exit()) as session:
        keys = api_keys(session)
        for key in keys:
            state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
            click.echo(
                f"{key.id}\tassess_{key.prefix}_...\t{key.name}\t{','.join(key.scopes)}"
                f"\t{key.created_at:%Y-%m-%d %H:%M}\t{state}"
            )
    if not keys:
        click.echo("No API keys.")


@apikey.command("revoke")
@click.argument("key_id", type=int)
def apikey_revoke(key_id: int) -> None:
    """Revoke the key KEY_ID (as ``assess apikey list`` shows it); it stops working at once."""
    with open_database(settings_or_exit()) as session:
        try:
            key = revoke_api_key(session, key_id, None, system_clock())
        except LookupError as exc:
            fail(str(exc))
    click.echo(f"Revoked API key {key.id} ({key.name}).")
