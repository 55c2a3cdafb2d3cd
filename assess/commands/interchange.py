"""``assess bank import`` and ``assess bank export``: questions from other platforms in, and back out.

Exit codes: 0 when everything was imported or exported, 2 when some questions or items were
reported (the output is still written with the rest), 1 when nothing could be read at all.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from assess.commands import fail_with_problems
from interchange import (
    EXPORTERS,
    IMPORTERS,
    ImportSummary,
    InterchangeError,
    dump_bank,
    export_bank,
    import_file,
    summarise_import,
)
from interchange.bank_items import slug
from items.bank import BankInvalid, load_banks

SOME_REPORTED = 2


class _ProgressBar:
    """A progress bar on stderr, drawn only when stderr is a terminal (never into logs or pipes)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None
        self.shown = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.shown)
        self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@click.command("import")
@click.option(
    "--from", "source_format", type=click.Choice(sorted(IMPORTERS)), required=True, help="SRC's format."
)
@click.argument("source", metavar="SRC", type=click.Path(exists=True))
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="The bank file to write."
)
@click.option("--bank", "bank_id", help="The bank's id (default: from the output file's name).")
@click.option("--title", help="The bank's title (default: where it was imported from).")
def bank_import(source_format: str, source: str, output: str, bank_id: str | None, title: str | None) -> None:
    """Import SRC (a file; for QTI also a folder or zipped package) as a bank YAML file.

    Every question that is not imported, or is imported with something left behind,
    is printed on stderr as SRC:LINE-or-ID: reason. Exits 0 when everything was
    imported, 2 when some questions were reported (the bank holds the rest).
    """
    bar = _ProgressBar(f"Importing {Path(source).name}") if sys.stderr.isatty() else None
    try:
        result = import_file(source_format, source, bar)
    except InterchangeError as exc:
        click.echo(f"{exc}; nothing imported.", err=True)
        sys.exit(1)
    finally:
        if bar is not None:
            bar.close()
    for problem in result.problems:
        click.echo(str(problem), err=True)
    bank = bank_id or slug(Path(output).stem) or "imported"
    comment = f"Imported from {source} ({source_format}) by `assess bank import`."
    text = dump_bank(result.items, bank, title or f"Imported from {Path(source).name}", comment)
    Path(output).write_text(text, encoding="utf-8")
    summary = summarise_import(result.items, result.problems, result.origins)
    _print_summary(summary, source)
    click.echo(
        f"Wrote {len(result.items)} item(s) to {output} (bank {bank}); {summary.not_imported} question(s) "
        f"not imported, {summary.lossy} imported with something left behind."
    )
    sys.exit(SOME_REPORTED if result.problems else 0)


def _print_summary(summary: ImportSummary, source: str) -> None:
    """Every question's outcome as a table on stdout, then the counts."""
    table = Table(title=f"What became of each question of {source}", title_justify="left")
    for heading in ("Question", "Item", "Outcome"):
        table.add_column(heading, overflow="fold")
    for question in summary.questions:
        table.add_row(question.place(source) or "-", question.item_id or "-", question.outcome)
    # Plain text when stdout is a file or a pipe: no colours, no terminal-width guess.
    Console(file=sys.stdout, highlight=False, width=None if sys.stdout.isatty() else 160).print(table)
    click.echo(summary.counts() + ".")


@click.command("export")
@click.option(
    "--to", "target", type=click.Choice(sorted(EXPORTERS)), required=True, help="The format to write."
)
@click.argument("paths", metavar="BANK...", nargs=-1, required=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The file to write.")
def bank_export(target: str, paths: tuple[str, ...], output: str) -> None:
    """Export the items of BANK (files or folders) as QTI 3.0 (a zipped package) or Moodle XML.

    Items with no faithful form in the target, and items that other platforms will treat
    differently, are printed on stderr. Exits 0 when every item was exported as it is,
    2 when some were reported (the file holds the rest).
    """
    try:
        catalogue = load_banks(paths)
    except BankInvalid as exc:
        fail_with_problems(exc.errors, "nothing exported")
    result = export_bank(catalogue.items.values(), target)
    for problem in result.problems:
        click.echo(str(problem), err=True)
    Path(output).write_bytes(result.data)
    left_out = sum(1 for p in result.problems if not p.exported)
    click.echo(f"Wrote {len(result.exported)} item(s) to {output}; {left_out} item(s) not exported.")
    sys.exit(SOME_REPORTED if result.problems else 0)
