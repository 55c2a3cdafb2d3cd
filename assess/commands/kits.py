"""``assess kit validate``: interview kits and interviewer question banks."""

from __future__ import annotations

import click

from assess.commands import fail_with_problems
from items.located_yaml import FilesInvalid
from kits.model import load_kits


@click.group()
def kit() -> None:
    """Validate interview kits and interviewer question banks."""


@kit.command("validate")
@click.argument("paths", nargs=-1, required=True)
def kit_validate(paths: tuple[str, ...]) -> None:
    """Check kit files; print every problem as path:line: field: message."""
    try:
        catalogue = load_kits(paths)
    except FilesInvalid as exc:
        fail_with_problems(exc.errors, "nothing loaded")
    click.echo(f"OK: {len(catalogue.kits)} kit(s), {len(catalogue.question_banks)} question bank(s)")
    for loaded in catalogue.kits.values():
        questions = sum(len(stage.questions) for stage in loaded.stages)
        must_haves = ", ".join(f"{m.competency} >= {m.minimum}" for m in loaded.must_haves) or "none"
        click.echo(
            f"  kit {loaded.id}: {len(loaded.stages)} stage(s), {questions} question(s), "
            f"{len(loaded.competencies)} competencies, {len(loaded.goals)} goal(s), must-haves: {must_haves}"
        )
    for bank_loaded in catalogue.question_banks.values():
        click.echo(
            f"  question bank {bank_loaded.id}: {len(bank_loaded.questions)} question(s), interviewer only"
        )
