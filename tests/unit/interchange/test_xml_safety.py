"""Malicious XML is refused quickly, reads no file and leaks nothing (billion laughs, external entities)."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest

from interchange import UnsafeXml, import_file

SECRET = "TOP-SECRET-4f9c2e"


def _laughs(root: str) -> str:
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE {root} [\n{chr(10).join(entities)}\n]>\n<{root}>&lol9;</{root}>\n'
    )


def _external(root: str, secret: Path, parameter: bool = False) -> str:
    if parameter:
        doctype = f'<!DOCTYPE {root} [<!ENTITY % leak SYSTEM "file://{secret}"> %leak;]>'
        return f'<?xml version="1.0"?>\n{doctype}\n<{root}>x</{root}>\n'
    doctype = f'<!DOCTYPE {root} [<!ENTITY leak SYSTEM "file://{secret}">]>'
    question = '<question type="essay"><name><text>&leak;</text></name></question>'
    return f'<?xml version="1.0"?>\n{doctype}\n<{root}>{question}</{root}>\n'


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET, encoding="utf-8")
    return path


def _refused(fmt: str, path: Path) -> str:
    started = time.monotonic()
    with pytest.raises(UnsafeXml) as caught:
        import_file(fmt, path)
    assert time.monotonic() - started < 1.0
    message = str(caught.value)
    assert "refused" in message and "entities" in message
    assert SECRET not in message
    return message


@pytest.mark.parametrize(("fmt", "root"), [("qti", "qti-assessment-item"), ("moodle", "quiz")])
def test_billion_laughs_is_refused_within_a_second(tmp_path: Path, fmt: str, root: str) -> None:
    path = tmp_path / "laughs.xml"
    path.write_text(_laughs(root), encoding="utf-8")
    assert _refused(fmt, path).startswith(str(path))


@pytest.mark.parametrize("parameter", [False, True])
@pytest.mark.parametrize(("fmt", "root"), [("qti", "qti-assessment-item"), ("moodle", "quiz")])
def test_external_entities_are_refused_without_reading_the_file(
    tmp_path: Path, secret: Path, fmt: str, root: str, parameter: bool
) -> None:
    path = tmp_path / "xxe.xml"
    path.write_text(_external(root, secret, parameter), encoding="utf-8")
    _refused(fmt, path)


def test_an_unsafe_item_inside_a_package_stops_the_whole_import(tmp_path: Path, secret: Path) -> None:
    package = tmp_path / "package.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("items/a.xml", _external("qti-assessment-item", secret))
        archive.writestr("items/b.xml", _laughs("qti-assessment-item"))
    _refused("qti", package)


def test_entities_hidden_past_the_prolog_check_are_still_refused(tmp_path: Path, secret: Path) -> None:
    padding = "<!-- " + "x" * 70_000 + " -->"
    text = _external("quiz", secret).replace("<!DOCTYPE", padding + "\n<!DOCTYPE", 1)
    path = tmp_path / "late.xml"
    path.write_text(text, encoding="utf-8")
    _refused("moodle", path)


def test_a_dtd_declared_after_a_long_internal_subset_is_refused(tmp_path: Path, secret: Path) -> None:
    filler = "".join(f'<!ATTLIST quiz a{n} CDATA "x">' for n in range(3000))
    doctype = f'<!DOCTYPE quiz [{filler}<!ENTITY leak SYSTEM "file://{secret}">]>'
    path = tmp_path / "long.xml"
    path.write_text(f'<?xml version="1.0"?>\n{doctype}\n<quiz>&leak;</quiz>\n', encoding="utf-8")
    _refused("moodle", path)
