"""``assess score``: score a file of responses against a bank, as the app scores an attempt."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from assess.commands.banks import load_or_exit
from items.base import ResponseError
from scoring.items import parse_response, score_item


@click.command("score")
@click.argument("bank_path", metavar="BANK")
@click.argument("responses", type=click.Path(dir_okay=False))
def score(bank_path: str, responses: str) -> None:
    """Score RESPONSES.jsonl ({"item": ID, "response": ...} per line) against BANK.

    Responses are read as the candidate's page reads them ("$675.00" and "6,000" are
    numbers); a line that cannot be read or scored is reported as RESPONSES:LINE: reason.
    """
    catalogue = load_or_exit((bank_path,))
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
            variant = record.get("variant")
            if not isinstance(variant, dict | None):
                raise ValueError('"variant" must be an object, as an attempt froze it')
            result = score_item(item, parse_response(item, record["response"]), variant)
        except (ValueError, ResponseError) as exc:
            click.echo(f"{responses}:{number}: {exc}", err=True)
            failed = True
            continue
        except RecursionError:
            click.echo(f"{responses}:{number}: nested too deeply to read", err=True)
            failed = True
            continue
        click.echo(json.dumps({"item": item.item_id, "version": item.version, **result.as_json()}))
    sys.exit(1 if failed else 0)
