"""The ``assess`` commands, one module per area, loaded only when one of their commands runs.

This module stays as cheap to import as click itself: ``assess --help`` imports it and
nothing else of ours.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

import click


class LazyGroup(click.Group):
    """A group whose commands are imported when one is run or asked for its help.

    ``lazy`` maps a command's name to ``(module:attribute, summary)``. The summary is what
    the group's ``--help`` lists, so listing imports nothing; it is the first sentence of
    the command's own help, which a test checks. (click's "Lazily Loading Subcommands".)
    """

    def __init__(self, *args: object, lazy: dict[str, tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.lazy:
            return super().get_command(ctx, cmd_name)
        module_name, _, attribute = self.lazy[cmd_name][0].partition(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.lazy[cmd_name][0]} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows: list[tuple[str, str]] = []
        for name in self.list_commands(ctx):
            if name in self.lazy:
                rows.append((name, self.lazy[name][1]))
                continue
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=formatter.width)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def fail(message: str) -> NoReturn:
    """Refuse: the message on stderr, exit status 1."""
    click.echo(message, err=True)
    sys.exit(1)


def fail_with_problems(problems: Sequence[object], consequence: str, where: str = "") -> NoReturn:
    """Refuse: every problem on its own line, then how many there were and what was not done."""
    for problem in problems:
        click.echo(str(problem), err=True)
    fail(f"{len(problems)} problem(s) found{where}; {consequence}.")
