"""``assess report CAMPAIGN --format csv|xlsx|html -o FILE``: the campaign report the web shows, as a file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from assess.clock import system_clock
from assess.commands import fail
from assess.commands.campaigns import CAMPAIGN_HELP
from assess.commands.database import open_database, settings_or_exit
from assess.services.campaigns import campaign_by_slug
from assess.services.report_data import campaign_report_of, load_campaign
from assess.services.scorecards import kit_catalogue
from reports.campaign_report import CampaignReport
from reports.exports import campaign_html, campaign_xlsx, ranking_csv

WRITERS: dict[str, Callable[[CampaignReport], bytes | str]] = {
    "csv": ranking_csv,
    "xlsx": campaign_xlsx,
    "html": campaign_html,
}


@click.command("report", epilog=CAMPAIGN_HELP)
@click.argument("campaign_slug", metavar="CAMPAIGN")
@click.option(
    "--format",
    "file_format",
    type=click.Choice(sorted(WRITERS)),
    required=True,
    help="csv: the ranking; xlsx: every table, formatted; html: the print-ready page.",
)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The file to write.")
def report(campaign_slug: str, file_format: str, output: str) -> None:
    """Write CAMPAIGN's report (ranking, sections, funnel; charts in html) to a file."""
    with open_database(settings_or_exit()) as session:
        campaign = campaign_by_slug(session, campaign_slug)
        if campaign is None:
            fail(f"no campaign {campaign_slug!r}; `assess campaign list` shows the campaigns")
        loaded = load_campaign(session, campaign, kit_catalogue())
        made = campaign_report_of(loaded, system_clock())
    content = WRITERS[file_format](made)
    try:
        Path(output).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    except OSError as exc:
        fail(f"{output}: cannot write: {exc.strerror or exc}")
    click.echo(f"Wrote {output}: the {file_format} report of {campaign_slug}, {len(made.ranking)} candidates")
