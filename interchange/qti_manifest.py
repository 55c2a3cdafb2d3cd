"""The QTI 3.0 package around exported items: ``imsmanifest.xml``, the assessment test, identifiers.

Each item is a manifest resource whose LOM metadata carries the item's expected time
(``typicalLearningTime``) and tags (keywords); the test's sections are the items' sections.
``qti_package`` reads both back.
"""

from __future__ import annotations

import re

from lxml import etree

from interchange.qti_package import LOM, QTI3, duration_from_minutes
from interchange.results import NoTarget
from items.bank import ItemVersion

XSI = "http://www.w3.org/2001/XMLSchema-instance"
CP = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"
ITEM_SCHEMA = "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_asiv3p0_v1p0.xsd"
CP_SCHEMA = "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqtiv3p0_imscpv1p2_v1p0.xsd"
NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
TEST_FILE = "assessment.xml"


def qti_id(value: str) -> str:
    """A QTI identifier (an XML NCName) for an assess id; ids starting with a digit gain a '_'."""
    candidate = value if NCNAME.match(value) else f"_{value}"
    if not NCNAME.match(candidate):
        raise NoTarget(f"{value!r} cannot be a QTI identifier (letters, digits, '_', '-', '.' only)")
    return candidate


def manifest_xml(entries: list[ItemVersion]) -> etree._Element:
    """The manifest: one resource per item (with its time and tags as LOM), and the test."""
    manifest = etree.Element(f"{{{CP}}}manifest", nsmap={None: CP, "imsmd": LOM, "xsi": XSI})
    manifest.set("identifier", "MANIFEST-assess")
    manifest.set(f"{{{XSI}}}schemaLocation", f"{CP} {CP_SCHEMA}")
    metadata = etree.SubElement(manifest, f"{{{CP}}}metadata")
    etree.SubElement(metadata, f"{{{CP}}}schema").text = "QTI Package"
    etree.SubElement(metadata, f"{{{CP}}}schemaversion").text = "3.0.0"
    etree.SubElement(manifest, f"{{{CP}}}organizations")
    resources = etree.SubElement(manifest, f"{{{CP}}}resources")
    for item in entries:
        href = f"items/{item.item_id}.xml"
        resource = etree.SubElement(
            resources, f"{{{CP}}}resource", {"identifier": f"RES-{qti_id(item.item_id)}"}
        )
        resource.set("type", "imsqti_item_xmlv3p0")
        resource.set("href", href)
        lom = etree.SubElement(etree.SubElement(resource, f"{{{CP}}}metadata"), f"{{{LOM}}}lom")
        general = etree.SubElement(lom, f"{{{LOM}}}general")
        for tag in item.tags:
            etree.SubElement(etree.SubElement(general, f"{{{LOM}}}keyword"), f"{{{LOM}}}string").text = tag
        educational = etree.SubElement(lom, f"{{{LOM}}}educational")
        time = etree.SubElement(
            etree.SubElement(educational, f"{{{LOM}}}typicalLearningTime"), f"{{{LOM}}}duration"
        )
        time.text = duration_from_minutes(item.minutes)
        etree.SubElement(resource, f"{{{CP}}}file", {"href": href})
    test = etree.SubElement(
        resources, f"{{{CP}}}resource", {"identifier": "RES-TEST", "type": "imsqti_test_xmlv3p0"}
    )
    test.set("href", TEST_FILE)
    etree.SubElement(test, f"{{{CP}}}file", {"href": TEST_FILE})
    for item in entries:
        etree.SubElement(test, f"{{{CP}}}dependency", {"identifierref": f"RES-{qti_id(item.item_id)}"})
    return manifest


def _q(tag: str) -> str:
    return f"{{{QTI3}}}{tag}"


def test_xml(entries: list[ItemVersion]) -> etree._Element:
    """A test with one part and a section per item section, in the order items come."""
    test = etree.Element(_q("qti-assessment-test"), nsmap={None: QTI3, "xsi": XSI})
    test.set(f"{{{XSI}}}schemaLocation", f"{QTI3} {ITEM_SCHEMA}")
    test.set("identifier", "assess-export")
    test.set("title", "Items exported from assess")
    part = etree.SubElement(
        test, _q("qti-test-part"), {"identifier": "part-1", "navigation-mode": "nonlinear"}
    )
    part.set("submission-mode", "individual")
    sections: dict[str, etree._Element] = {}
    for item in entries:
        if item.section not in sections:
            # Sections are free text in a bank; the title carries it, the identifier only has to be unique.
            attributes = {
                "identifier": f"section-{len(sections) + 1}",
                "title": item.section,
                "visible": "true",
            }
            sections[item.section] = etree.SubElement(part, _q("qti-assessment-section"), attributes)
        ref = {"identifier": qti_id(item.item_id), "href": f"items/{item.item_id}.xml"}
        etree.SubElement(sections[item.section], _q("qti-assessment-item-ref"), ref)
    return test
