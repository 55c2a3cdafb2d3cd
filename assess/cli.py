"""The ``assess`` command line: bank tools, scoring, and the app's commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from items.bank import BankInvalid, Catalogue, load_banks
from items.base import ResponseError
from scoring.items import parse_response, score_item

DEFAULT_BANKS = Path(__file__).resolve().parent.parent / "items" / "banks"


@click.group()
def main() -> None:
    """Online assessments for hiring: banks, attempts, scoring and reports."""


@main.group()
def bank() -> None:
    """Validate and inspect item banks."""


def _load_or_exit(paths: tuple[str, ...]) -> Catalogue:
    try:
        return load_banks(paths)
    except BankInvalid as exc:
        for error in exc.errors:
            click.echo(str(error), err=True)
        click.echo(f"{len(exc.errors)} problem(s) found; nothing loaded.", err=True)
        sys.exit(1)


@bank.command("validate")
@click.argument("paths", nargs=-1, required=True)
def bank_validate(paths: tuple[str, ...]) -> None:
    """Check bank files; print every problem as path:line: field: message."""
    catalogue = _load_or_exit(paths)
    click.echo(f"OK: {len(catalogue.banks)} bank(s), {len(catalogue.items)} item(s), {len(catalogue.forms)} form(s)")
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
    catalogue = _load_or_exit(paths)
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


@main.command("score")
@click.argument("bank_path")
@click.argument("responses", type=click.Path(dir_okay=False))
def score(bank_path: str, responses: str) -> None:
    """Score RESPONSES.jsonl ({"item": ID, "response": ...} per line) against a bank."""
    catalogue = _load_or_exit((bank_path,))
    failed = False
    try:
        lines = Path(responses).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        click.echo(f"{responses}: cannot read: {exc}", err=True)
        sys.exit(1)
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or "item" not in record or "response" not in record:
                raise ValueError('expected an object with "item" and "response"')
            item = catalogue.items.get(record["item"])
            if item is None:
                raise ValueError(f"no item {record['item']!r} in {bank_path}")
            result = score_item(item, parse_response(item, record["response"]), record.get("variant"))
        except (ValueError, ResponseError) as exc:
            click.echo(f"{responses}:{number}: {exc}", err=True)
            failed = True
            continue
        click.echo(json.dumps({"item": item.item_id, "version": item.version, **result.as_json()}))
    sys.exit(1 if failed else 0)
