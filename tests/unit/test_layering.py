"""The pure packages import no Flask, no database and no app code (style.md, design.md)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PURE = ("items", "interchange", "kits", "scoring", "integrity", "reports")
FORBIDDEN = ("flask", "werkzeug", "sqlalchemy", "alembic", "psycopg", "assess", "wtforms", "flask_wtf")


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_pure_packages_import_no_web_or_database_code() -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for package in PURE
        for path in sorted((ROOT / package).rglob("*.py"))
        for name in _imports(path)
        if name.split(".")[0] in FORBIDDEN
    ]
    assert offenders == []


def test_pure_packages_read_no_clock_or_global_randomness() -> None:
    # `now` and `rng` are arguments in the pure core, so scoring and draws are reproducible.
    offenders = []
    for package in PURE:
        for path in sorted((ROOT / package).rglob("*.py")):
            text = path.read_text()
            for banned in (
                "datetime.now(", "datetime.utcnow(", "time.time(",
                "random.random(", "random.shuffle(", "os.environ",
            ):  # fmt: skip
                if banned in text:
                    offenders.append(f"{path.relative_to(ROOT)} uses {banned}")
    assert offenders == []
