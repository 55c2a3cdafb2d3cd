"""``assess regrade ITEM_ID``: re-score finished attempts with the key the banks hold now."""

from __future__ import annotations

import click

from assess.clock import system_clock
from assess.commands import fail
from assess.commands.banks import load_or_exit
from assess.commands.database import open_database, settings_or_exit
from assess.services.regrade import NothingToRegrade, RegradeStale, apply_regrade, plan_regrade
from assess.services.staff import user_by_email
from items.values import plain_decimal


@click.command("regrade")
@click.argument("item_id")
@click.option("--dry-run", "mode", flag_value="dry-run", help="Show scores before and after; change nothing.")
@click.option("--apply", "mode", flag_value="apply", help="Store the new scores (needs --by and --reason).")
@click.option("--by", "by_email", default="", help="The staff account that regrades (recorded).")
@click.option("--reason", default="", help="Why the item is regraded (recorded).")
def regrade(item_id: str, mode: str | None, by_email: str, reason: str) -> None:
    """Re-score finished attempts of ITEM_ID with the key the banks hold now (Invariant 3)."""
    if mode is None:
        fail("say --dry-run to see the change or --apply to store it")
    settings = settings_or_exit()
    catalogue = load_or_exit(settings.bank_paths)
    with open_database(settings) as session:
        try:
            plan = plan_regrade(session, catalogue, item_id)
        except NothingToRegrade as exc:
            fail(str(exc))
        click.echo(f"{item_id}: the banks hold version {plan.item.version}")
        for row in plan.rows:
            before, after = plain_decimal(row.before.points), plain_decimal(row.after.points)
            pending = " (awaiting review)" if row.after.pending_review else ""
            click.echo(
                f"  attempt {row.attempt_id} item {row.position + 1} ({row.candidate}), "
                f"key {row.key_version}: {before} -> {after} of {plain_decimal(row.after.max_points)}"
                f"{pending}{' ' + row.note if row.note else ''}"
            )
        for attempt_id, why in plan.refused:
            click.echo(f"  attempt {attempt_id}: not regraded, {why}")
        if plan.running:
            click.echo(f"  {plan.running} running attempt(s) keep their pinned version until they finish")
        if mode == "dry-run":
            click.echo(f"Dry run: {len(plan.rows)} attempt(s) would be regraded; nothing changed.")
            return
        actor = user_by_email(session, by_email) if by_email else None
        if actor is None:
            fail("--apply needs --by EMAIL of an existing staff account")
        try:
            done, applied = apply_regrade(
                session, catalogue, item_id, plan.item.version, actor, reason, system_clock()
            )
        except (NothingToRegrade, RegradeStale, ValueError) as exc:
            fail(str(exc))
    click.echo(f"Regraded {len(applied.rows)} attempt(s) of {item_id} to version {done.to_version}.")
