"""QTI sources (one item file, a folder, or a zipped content package) and package metadata.

A package's ``imsmanifest.xml`` gives each item's expected time (LOM
``typicalLearningTime``) and keywords (tags); an assessment test gives the section each
item sits in. QTI 2.1 documents are renamed into QTI 3.0's vocabulary on reading
(``choiceInteraction`` -> ``qti-choice-interaction``, ``responseIdentifier`` ->
``response-identifier``), so one importer reads both versions.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from lxml import etree

from interchange.bank_items import slug
from interchange.results import InterchangeError, UnsafeXml
from interchange.safe_xml import MAX_XML_BYTES, local_name, parse_xml

QTI3 = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
QTI2 = frozenset(
    {
        "http://www.imsglobal.org/xsd/imsqti_v2p0",
        "http://www.imsglobal.org/xsd/imsqti_v2p1",
        "http://www.imsglobal.org/xsd/imsqti_v2p2",
    }
)
LOM = "http://ltsc.ieee.org/xsd/LOM"
MANIFEST = "imsmanifest.xml"
MAX_MEMBERS = 5000
# XHTML elements keep their names in QTI 3.0; every other QTI 2.x element gains "qti-" and kebab case.
HTML_NAMES = frozenset(
    [
        "a",
        "abbr",
        "acronym",
        "address",
        "article",
        "aside",
        "audio",
        "b",
        "bdi",
        "bdo",
        "big",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "details",
        "dfn",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "label",
        "li",
        "nav",
        "object",
        "ol",
        "p",
        "param",
        "picture",
        "pre",
        "q",
        "rb",
        "rp",
        "rt",
        "rtc",
        "ruby",
        "samp",
        "section",
        "small",
        "source",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "track",
        "tt",
        "u",
        "ul",
        "var",
        "video",
        "wbr",
    ]
)
DURATION = re.compile(
    r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)


@dataclass(frozen=True)
class QtiFile:
    """One XML file of a source; ``path`` is relative to the package root."""

    path: str
    shown: str
    data: bytes


@dataclass
class PackageInfo:
    """What a package says about its items beyond the items themselves, by item path."""

    sections: dict[str, str] = field(default_factory=dict)
    minutes: dict[str, Decimal] = field(default_factory=dict)
    tags: dict[str, list[str]] = field(default_factory=dict)


def read_source(path: Path) -> list[QtiFile]:
    """Every XML file of a QTI source, in a stable order."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".xml")
        return [QtiFile(p.relative_to(path).as_posix(), str(p), _read(p)) for p in files]
    if zipfile.is_zipfile(path):
        return _read_zip(path)
    return [QtiFile(path.name, str(path), _read(path))]


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_XML_BYTES:
            raise InterchangeError(str(path), f"is larger than {MAX_XML_BYTES // (1024 * 1024)} MB; refused")
        return path.read_bytes()
    except OSError as exc:
        raise InterchangeError(str(path), f"cannot be read: {exc.strerror or exc}") from None


def _read_zip(path: Path) -> list[QtiFile]:
    files = []
    try:
        with zipfile.ZipFile(path) as archive:
            members = [
                m for m in archive.infolist() if m.filename.lower().endswith(".xml") and not m.is_dir()
            ]
            if len(members) > MAX_MEMBERS:
                raise InterchangeError(str(path), f"holds more than {MAX_MEMBERS} XML files; refused")
            for member in sorted(members, key=lambda m: m.filename):
                shown = f"{path}:{member.filename}"
                # Sizes in the directory can lie (zip bombs): read at most one byte past the limit.
                if member.file_size > MAX_XML_BYTES:
                    raise InterchangeError(shown, "is too large; refused")
                with archive.open(member) as stream:
                    data = stream.read(MAX_XML_BYTES + 1)
                if len(data) > MAX_XML_BYTES:
                    raise InterchangeError(shown, "is too large; refused")
                files.append(QtiFile(member.filename, shown, data))
    except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
        raise InterchangeError(str(path), f"is not a readable zip package: {exc}") from None
    return files


def _kebab(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", name).lower()


def as_qti3(root: etree._Element) -> etree._Element:
    """A QTI 2.x document renamed in place into QTI 3.0's vocabulary; 3.0 documents are unchanged."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element)
        if name.namespace not in QTI2:
            continue
        local = name.localname
        element.tag = f"{{{QTI3}}}{local if local in HTML_NAMES else 'qti-' + _kebab(local)}"
        for attribute, value in list(element.attrib.items()):
            if "{" not in attribute and _kebab(attribute) != attribute:
                del element.attrib[attribute]
                element.set(_kebab(attribute), value)
    return root


def minutes_from_duration(text: str) -> Decimal | None:
    """An ISO 8601 duration ("PT1M30S") in minutes, or None when it is not one."""
    match = DURATION.match(text.strip())
    if not match or not any(match.groups()):
        return None
    days, hours, minutes, seconds = (Decimal(g) if g else Decimal(0) for g in match.groups())
    return days * 1440 + hours * 60 + minutes + seconds / 60


def duration_from_minutes(minutes: Decimal) -> str:
    seconds = (minutes * 60).normalize()
    return f"PT{format(seconds, 'f')}S"


def package_info(files: list[QtiFile], roots: dict[str, etree._Element]) -> PackageInfo:
    """Sections from assessment tests and times and tags from the manifest, keyed by item path."""
    info = PackageInfo()
    for file in files:
        root = roots.get(file.path)
        if root is None:
            continue
        if local_name(root) == "qti-assessment-test":
            _read_sections(root, posixpath.dirname(file.path), info)
        elif local_name(root) == "manifest":
            _read_manifest(root, posixpath.dirname(file.path), info)
    return info


def _read_sections(test: etree._Element, base: str, info: PackageInfo) -> None:
    for ref in test.iter(f"{{{QTI3}}}qti-assessment-item-ref"):
        section = ref.getparent()
        href = ref.get("href")
        if section is None or not href:
            continue
        name = slug(section.get("title") or "") or slug(section.get("identifier") or "")
        if name:
            info.sections[posixpath.normpath(posixpath.join(base, href))] = name


def _read_manifest(manifest: etree._Element, base: str, info: PackageInfo) -> None:
    for resource in manifest.iter():
        if local_name(resource) != "resource" or not (resource.get("type") or "").startswith("imsqti_item"):
            continue
        href = resource.get("href")
        if not href:
            continue
        path = posixpath.normpath(posixpath.join(base, href))
        for element in resource.iter(f"{{{LOM}}}duration"):
            found = minutes_from_duration("".join(element.itertext()))
            parent = element.getparent()
            if found is not None and parent is not None and local_name(parent) == "typicalLearningTime":
                info.minutes[path] = found
        keywords = [
            " ".join("".join(s.itertext()).split())
            for keyword in resource.iter(f"{{{LOM}}}keyword")
            for s in keyword.iter(f"{{{LOM}}}string")
        ]
        if keywords:
            info.tags[path] = [k for k in keywords if k]


def parse_all(files: list[QtiFile]) -> tuple[dict[str, etree._Element], dict[str, InterchangeError]]:
    """Every file parsed (and renamed into QTI 3.0), and the files that could not be."""
    roots: dict[str, etree._Element] = {}
    failed: dict[str, InterchangeError] = {}
    for file in files:
        try:
            roots[file.path] = as_qti3(parse_xml(file.data, file.shown))
        except UnsafeXml:
            raise
        except InterchangeError as exc:
            failed[file.path] = exc
    return roots, failed
