"""The item templates as the app renders them, for tests that render a macro on its own."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from items.values import TEMPLATE_FILTERS

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def item_templates() -> Environment:
    """A Jinja environment on ``templates/`` with the app's filters, strict about undefined names."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, autoescape=True)
    env.filters.update(TEMPLATE_FILTERS)
    return env
