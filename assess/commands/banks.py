"""``assess bank``: validate, list, import and export item banks."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import click

from assess.commands import LazyGroup, fail_with_problems
from items.bank import BankInvalid, Catalogue, load_banks


def load_or_exit(paths: Iterable[str | Path]) -> Catalogue:
    """The banks at ``paths``, or every problem printed as path:line: field: message and exit 1."""
    try:
        return load_banks(paths)
    except BankInvalid as exc:
        fail_with_problems(exc.errors, "nothing loaded")


@click.group(
    cls=LazyGroup,
    lazy={
        "import": (
            "assess.commands.interchange:bank_import",
            "Import SRC (a file; for QTI also a folder or zipped package) as a bank YAML file.",
        ),
        "export": (
            "assess.commands.interchange:bank_export",
            "Export the items of BANK (files or folders) as QTI 3.0 (a zipped package) or Moodle XML.",
        ),
    },
)
def bank() -> None:
    """Validate, list, import and export item banks."""


@bank.command("validate")
@click.argument("paths", nargs=-1, required=True)
def bank_validate(paths: tuple[str, ...]) -> None:
    """Check bank files; print every problem as path:line: field: message."""
    catalogue = load_or_exit(paths)
    click.echo(
        f"OK: {len(catalogue.banks)} bank(s), {len(catalogue.items)} item(s), {len(catalogue.forms)} form(s)"
    )
    for form in catalogue.forms.values():
        click.echo(
            f"  form {form.id}: {len(form.sections)} section(s), {len(form.item_ids())} item(s), "
            f"{form.budget_minutes} of {form.time_limit_minutes} minutes budgeted"
        )


@bank.command("list")
@click.argument("paths", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the items as a JSON array.")
def bank_list(paths: tuple[str, ...], as_json: bool) -> None:
    """List the items of bank files."""
    catalogue = load_or_exit(paths)
    rows = [
        {
            "id": item.item_id,
            "version": item.version,
            "type": item.type,
            "section": item.section,
            "title": item.title,
            "prompt": getattr(item.body, "prompt", ""),
        }
        for item in catalogue.items.values()
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        click.echo(f"{row['id']:<32} {row['type']:<16} {row['section']:<22} {row['title']}")
