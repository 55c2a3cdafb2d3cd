"""``assess campaign create|list`` and ``assess invite``: campaigns and their candidates' links."""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal, InvalidOperation

import click

from assess.clock import system_clock
from assess.commands import fail
from assess.commands.banks import load_or_exit
from assess.commands.database import open_database, settings_or_exit
from assess.config import DEMO_PUBLIC_URL
from assess.services.authoring import live_catalogue
from assess.services.campaigns import campaign_by_slug, campaigns_with_counts, create_campaign
from assess.services.invitations import MAX_VALID_DAYS, InvitationConflict, create_invitation, expiry
from assess.services.mail import candidate_link

#: The help of every CAMPAIGN argument.
CAMPAIGN_HELP = "CAMPAIGN is the campaign's slug, as `assess campaign list` shows it."


@click.group()
def campaign() -> None:
    """Create and list campaigns: a role and the assessment form its candidates take."""


@campaign.command("create")
@click.argument("slug")
@click.option("--title", required=True, help="What the hiring team calls this campaign.")
@click.option("--role", required=True, help="The role being hired for.")
@click.option("--form", "form_id", required=True, help="The id of an assessment form in the banks.")
def campaign_create(slug: str, title: str, role: str, form_id: str) -> None:
    """Create campaign SLUG on an assessment form of the configured banks.

    SLUG names the campaign in links and commands: lowercase letters, digits and hyphens.
    """
    settings = settings_or_exit()
    catalogue = load_or_exit(settings.bank_paths)
    with open_database(settings) as session:
        try:
            created = create_campaign(session, slug, title, role, form_id, catalogue, system_clock())
        except ValueError as exc:
            fail(str(exc))
    click.echo(f"Created campaign {created.slug}: {created.title} ({created.role}), form {created.form_id}")


@campaign.command("list")
def campaign_list() -> None:
    """List the campaigns, newest first: slug, title, role, form, invitations, status."""
    settings = settings_or_exit()
    now = system_clock()
    with open_database(settings) as session:
        rows = []
        for found, invitations in campaigns_with_counts(session):
            try:
                expiry(found, timedelta(days=1), now)
                status = "inviting"
            except InvitationConflict as exc:
                status = f"not inviting: {exc}"
            rows.append((found.slug, found.title, found.role, found.form_id, str(invitations), status))
    if not rows:
        click.echo("No campaigns yet; `assess campaign create` makes one.")
        return
    header = ("slug", "title", "role", "form", "invitations", "status")
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header) - 1)]
    for row in (header, *rows):
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        click.echo("  ".join([*cells, row[-1]]))


@click.command("invite", epilog=CAMPAIGN_HELP)
@click.argument("campaign_slug", metavar="CAMPAIGN")
@click.argument("email")
@click.option("--extra-time", default="1", show_default=True, help="Time limit multiplier, e.g. 1.25 or 1.5.")
@click.option(
    "--assistive-technology",
    is_flag=True,
    help="The candidate uses a screen reader, dictation or word prediction: focus changes, timing "
    "and pastes are then shown to reviewers but never counted against them.",
)
@click.option(
    "--valid-days",
    default=14,
    show_default=True,
    type=click.IntRange(1, MAX_VALID_DAYS),
    help="Days the link can be started.",
)
def invite(
    campaign_slug: str, email: str, extra_time: str, assistive_technology: bool, valid_days: int
) -> None:
    """Invite EMAIL to CAMPAIGN and print the candidate's single-use link.

    The link is shown once and cannot be recovered: only its hash is stored. It starts
    with ASSESS_PUBLIC_URL, the address candidates open (default: where `assess demo` serves).
    """
    settings = settings_or_exit()
    try:
        multiplier = Decimal(extra_time)
    except InvalidOperation:
        fail(f"--extra-time must be a number such as 1.25, got {extra_time!r}")
    with open_database(settings) as session:
        campaign = campaign_by_slug(session, campaign_slug)
        if campaign is None:
            fail(f"no campaign {campaign_slug!r}; `assess campaign list` shows the campaigns")
        # Prepared now, from the catalogue a Start reads, so the candidate's Start only stamps the time.
        catalogue = live_catalogue(session, load_or_exit(settings.bank_paths), campaign.form_id)
        try:
            invitation, token = create_invitation(
                session,
                campaign_slug,
                email,
                system_clock(),
                multiplier,
                timedelta(days=valid_days),
                catalogue=catalogue,
                assistive_technology=assistive_technology,
            )
        except ValueError as exc:
            fail(str(exc))
    assisted = ", assistive technology" if invitation.assistive_technology else ""
    click.echo(
        f"Invitation {invitation.id} for {invitation.email} to {campaign_slug}, "
        f"extra time x{invitation.extra_time}{assisted}, "
        f"valid until {invitation.expires_at:%Y-%m-%d %H:%M} UTC:",
        err=True,
    )
    if not os.environ.get("ASSESS_PUBLIC_URL", "").strip():
        # The link works only where the app is served; say what it assumed, not just print it.
        click.echo(
            f"(ASSESS_PUBLIC_URL is not set, so the link assumes `assess demo` at {DEMO_PUBLIC_URL}; "
            "set it to the address candidates open)",
            err=True,
        )
    click.echo(candidate_link(settings.public_url, token))
