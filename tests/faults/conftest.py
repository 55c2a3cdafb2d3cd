"""The fault tests' marker, until pyproject.toml registers it (then this file goes)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "faults: kills server processes mid-load (bench/faults.py, CI-sized)")
