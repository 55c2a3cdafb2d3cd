"""``assess analyze FILE.csv``: item analysis of a long CSV of scored responses; ``--key-comparison``:
the SJT items' keys against the candidates' consensus, from the database."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import click

from assess.commands import fail, fail_with_problems
from reports.item_analysis import FLAG_RULES, ItemAnalysis, ItemStatistics, analyze_items
from reports.scored_responses import ScoredResponsesInvalid, read_scored_responses

if TYPE_CHECKING:
    from assess.services.item_statistics import ItemKeyComparison


@click.command("analyze")
@click.argument("path", metavar="FILE.csv", type=click.Path(dir_okay=False), required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the analysis as JSON.")
@click.option(
    "--key-comparison",
    is_flag=True,
    help="Compare each SJT item's key with the candidates' consensus key, from the finished "
    "attempts in the database (DATABASE_URL), as the key comparison page does; takes no FILE.csv.",
)
def analyze(path: str | None, as_json: bool, key_comparison: bool) -> None:
    """Item analysis of FILE.csv: candidate_id,item_id,score[,max_score][,response].

    Per item: n, facility, discrimination (item-rest correlation), alpha if deleted,
    flags and, with a response column, a distractor table by upper and lower 27 %.
    Per test: n, mean, SD, Cronbach's alpha (KR-20 for 0/1 items) and SEM.

    With --key-comparison: per SJT item of each form, the author's key and the consensus
    key, each with the item's mean, SD, correlation with the rest of the test and the
    test's alpha with the item scored that way, and which key the data supports.
    """
    if key_comparison:
        if path is not None:
            fail("--key-comparison reads the database, not FILE.csv: give one or the other")
        _print_key_comparison(as_json)
        return
    if path is None:
        raise click.UsageError("Missing argument 'FILE.csv' (or give --key-comparison).")
    try:
        # utf-8-sig: spreadsheets often save CSV with a byte-order mark.
        with open(path, encoding="utf-8-sig", newline="") as stream:
            scored = read_scored_responses(stream, path)
    except ScoredResponsesInvalid as exc:
        fail_with_problems(exc.messages(), "nothing analysed")
    except (OSError, UnicodeDecodeError) as exc:
        click.echo(f"{path}: cannot read: {exc}", err=True)
        sys.exit(1)
    analysis = analyze_items(scored)
    if as_json:
        click.echo(json.dumps(analysis.as_json(), indent=2, allow_nan=False, ensure_ascii=False))
    else:
        click.echo(_table(analysis))


def _print_key_comparison(as_json: bool) -> None:
    # Imported here: the CSV analysis needs no database, and stays as quick to start as before.
    from assess.commands.database import open_database, settings_or_exit
    from assess.services.item_statistics import key_comparisons

    with open_database(settings_or_exit()) as session:
        compared = key_comparisons(session)
    if as_json:
        data = [entry.as_json() for entry in compared]
        click.echo(json.dumps(data, indent=2, allow_nan=False, ensure_ascii=False))
    elif not compared:
        click.echo("No finished attempt has an SJT item yet, so there is nothing to compare.")
    else:
        click.echo("\n\n".join(_key_comparison_lines(entry) for entry in compared))


def _key_text(key: dict[str, Any]) -> str:
    if "ratings" in key:
        return ", ".join(f"{option} {rating}" for option, rating in key["ratings"].items())
    return f"most {key['most']}, least {key['least']}"


def _key_comparison_lines(entry: ItemKeyComparison) -> str:
    data = entry.as_json()
    left_out = f", {entry.unreadable} left out (answer no longer fits)" if entry.unreadable else ""
    lines = [
        f"Form {entry.form_id}, item {entry.item.item_id} ({entry.item.type}): "
        f"{entry.attempts} finished attempt(s){left_out}",
        *(f"  {name} key: {_key_text(key)}" for name, key in data["keys"].items()),
        f"  {'key':<9}  {'n':>4}  {'mean':>6}  {'sd':>6}  {'rest r':>6}  {'alpha':>6}",
    ]
    for row in entry.comparisons:
        lines.append(
            f"  {row.key:<9}  {row.n:>4}  {_number(row.mean):>6}  {_number(row.sd):>6}  "
            f"{_number(row.rest_correlation):>6}  {_number(row.alpha):>6}"
        )
        lines += [f"    {row.key} {name}: undefined, {reason}" for name, reason in row.undefined.items()]
    lines.append(f"  {entry.verdict}")
    return "\n".join(lines)


def _number(value: float | None, places: int = 2) -> str:
    return "-" if value is None else f"{value:.{places}f}"


def _table(analysis: ItemAnalysis) -> str:
    test = analysis.test
    kind = "KR-20" if test.alpha_kind == "kr20" else "alpha"
    lines = [
        f"Test: {test.n} complete candidate(s) ({test.dropped_candidates} dropped), {test.items} item(s), "
        f"mean {_number(test.mean)}, SD {_number(test.sd)}, {kind} {_number(test.alpha)}, "
        f"SEM {_number(test.sem)}",
    ]
    if test.upper_group is not None:
        lines.append(f"  upper and lower 27% groups: {test.upper_group} and {test.lower_group} candidates")
    lines += [f"  {name}: undefined, {reason}" for name, reason in test.undefined.items()]
    lines += [f"  warning: {warning}" for warning in test.warnings]
    width = max([len("item"), *(len(item.item_id) for item in analysis.items)])
    lines += ["", f"{'item':<{width}}  {'n':>5}  {'facility':>8}  {'discrim':>7}  {'a-if-del':>8}  flags"]
    for item in analysis.items:
        lines.append(
            f"{item.item_id:<{width}}  {item.n:>5}  {_number(item.facility):>8}  "
            f"{_number(item.discrimination):>7}  {_number(item.alpha_if_deleted):>8}  {', '.join(item.flags)}"
        )
    flagged = sorted({flag for item in analysis.items for flag in item.flags})
    if flagged:
        lines += ["", "Flags:", *(f"  {flag}: {FLAG_RULES[flag]}" for flag in flagged)]
    for item in analysis.items:
        lines += _distractor_lines(item)
    return "\n".join(line.rstrip() for line in lines)


def _distractor_lines(item: ItemStatistics) -> list[str]:
    if not item.distractors:
        return []
    width = max([len("response"), *(len(choice.response) for choice in item.distractors)])
    lines = [
        "",
        f"Distractors for {item.item_id}:",
        f"  {'response':<{width}}  {'count':>5}  {'all':>5}  {'upper':>5}  {'lower':>5}",
    ]
    for choice in item.distractors:
        lines.append(
            f"  {choice.response:<{width}}  {choice.count:>5}  {_number(choice.proportion):>5}  "
            f"{_number(choice.upper_proportion):>5}  {_number(choice.lower_proportion):>5}"
        )
    return lines
