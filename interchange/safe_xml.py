"""XML from other platforms, parsed so that it cannot read files, reach the network or explode.

The parser never expands entities, never loads a DTD and never fetches anything; a
document that declares entities is refused outright, since QTI and Moodle XML need
none and declared entities are how billion-laughs and external-entity attacks work.
"""

from __future__ import annotations

import re

from lxml import etree

from interchange.results import InterchangeError, UnsafeXml

ENTITY_DECLARATION = re.compile(rb"<!DOCTYPE[^>\[]*\[.*?<!ENTITY", re.DOTALL)
REFUSED_ENTITIES = (
    "declares XML entities in its DOCTYPE; refused (entity expansion and external "
    "entities are a known attack, and QTI and Moodle XML need none)"
)

PROLOG_BYTES = 64 * 1024
#: Larger files are refused before parsing; real QTI items and Moodle quizzes are far smaller.
MAX_XML_BYTES = 20 * 1024 * 1024


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def parse_xml(data: bytes, source: str) -> etree._Element:
    """The root element of ``data``; ``InterchangeError`` for unsafe or malformed XML."""
    if len(data) > MAX_XML_BYTES:
        raise UnsafeXml(source, f"is larger than {MAX_XML_BYTES // (1024 * 1024)} MB; refused")
    # The prolog is searched first for a clear message; the checks below catch what it misses.
    if ENTITY_DECLARATION.search(data[:PROLOG_BYTES]):
        raise UnsafeXml(source, REFUSED_ENTITIES)
    try:
        tree = etree.ElementTree(etree.fromstring(data, _parser()))
    except etree.XMLSyntaxError as exc:
        if "amplification" in str(exc).lower():
            raise UnsafeXml(source, REFUSED_ENTITIES) from None
        raise InterchangeError(source, f"is not well-formed XML: {exc}") from None
    dtd = tree.docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise UnsafeXml(source, REFUSED_ENTITIES)
    return tree.getroot()


def local_name(element: etree._Element) -> str:
    """The tag without its namespace; '' for comments and processing instructions."""
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""
