"""``assess analyze FILE.csv``: item analysis of a long CSV of scored responses."""

from __future__ import annotations

import json
import sys

import click

from reports.item_analysis import FLAG_RULES, ItemAnalysis, ItemStatistics, analyze_items
from reports.scored_responses import ScoredResponsesInvalid, read_scored_responses


@click.command("analyze")
@click.argument("path", metavar="FILE.csv", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the analysis as JSON.")
def analyze(path: str, as_json: bool) -> None:
    """Item analysis of FILE.csv: candidate_id,item_id,score[,max_score][,response].

    Per item: n, facility, discrimination (item-rest correlation), alpha if deleted,
    flags and, with a response column, a distractor table by upper and lower 27 %.
    Per test: n, mean, SD, Cronbach's alpha (KR-20 for 0/1 items) and SEM.
    """
    try:
        # utf-8-sig: spreadsheets often save CSV with a byte-order mark.
        with open(path, encoding="utf-8-sig", newline="") as stream:
            scored = read_scored_responses(stream, path)
    except ScoredResponsesInvalid as exc:
        for message in exc.messages():
            click.echo(message, err=True)
        click.echo(f"{len(exc.problems)} problem(s) found; nothing analysed.", err=True)
        sys.exit(1)
    except (OSError, UnicodeDecodeError) as exc:
        click.echo(f"{path}: cannot read: {exc}", err=True)
        sys.exit(1)
    analysis = analyze_items(scored)
    if as_json:
        click.echo(json.dumps(analysis.as_json(), indent=2, allow_nan=False, ensure_ascii=False))
    else:
        click.echo(_table(analysis))


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
