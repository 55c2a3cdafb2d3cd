"""``assess user create|set-password``: staff accounts."""

from __future__ import annotations

import sys

import click

from assess.clock import system_clock
from assess.commands import fail
from assess.commands.database import open_database, settings_or_exit
from assess.services.staff import ROLES, create_user, set_password, user_by_email


@click.group()
def user() -> None:
    """Staff accounts: create them and set their passwords."""


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@user.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the account may do.")
@click.option("--name", default="", help="The name shown on the staff pages.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
def user_create(email: str, role: str, name: str, password_stdin: bool) -> None:
    """Create a staff account; the password is asked for (or read from stdin), never printed."""
    settings = settings_or_exit()
    password = _read_password(password_stdin)
    with open_database(settings) as session:
        try:
            created = create_user(session, email, role, password, name=name, now=system_clock())
        except ValueError as exc:
            fail(str(exc))
    click.echo(f"Created {created.role} account {created.email}.")


@user.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
def user_set_password(email: str, password_stdin: bool) -> None:
    """Give a staff account a new password; its open sessions end."""
    settings = settings_or_exit()
    password = _read_password(password_stdin)
    with open_database(settings) as session:
        found = user_by_email(session, email)
        if found is None:
            fail(f"no staff account {email.strip().lower()}")
        try:
            set_password(session, found, password, system_clock())
        except ValueError as exc:
            fail(str(exc))
    click.echo(f"Password changed for {found.email}.")
