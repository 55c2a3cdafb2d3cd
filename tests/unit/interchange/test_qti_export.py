"""Exported QTI 3.0 conforms to the documented structure (no installable package ships the XSD)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from interchange_cases import EXTERNAL, SHIPPED_BANKS
from lxml import etree
from qti_structure import item_problems, package_problems

from interchange import export_bank
from items.bank import load_banks

BANK = Path(__file__).with_name("round_trip_bank.yaml")


def _package(paths: list[Path]) -> dict[str, bytes]:
    catalogue = load_banks(paths)
    data = export_bank(catalogue.items.values(), "qti").data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_structure_check_accepts_the_real_qti30_fixtures() -> None:
    for path in sorted((EXTERNAL / "qti30").glob("*.xml")):
        assert item_problems(etree.parse(str(path)).getroot()) == [], path.name


def test_the_structure_check_catches_what_it_checks() -> None:
    broken = etree.fromstring(
        b'<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="1x"'
        b' adaptive="no">'
        b"<qti-item-body><qti-choice-interaction response-identifier='R' data-x='1'/><blink/></qti-item-body>"
        b'<qti-response-declaration identifier="R" cardinality="some" base-type="identifier"/>'
        b"</qti-assessment-item>"
    )
    assert len(item_problems(broken)) >= 7


def test_every_exported_item_and_the_package_conform_to_the_documented_structure() -> None:
    files = _package([BANK, SHIPPED_BANKS])
    items = sorted(name for name in files if name.startswith("items/"))
    exported = export_bank(load_banks([BANK, SHIPPED_BANKS]).items.values(), "qti").exported
    assert items == sorted(f"items/{item_id}.xml" for item_id in exported)
    for name in items:
        root = etree.fromstring(files[name])
        assert item_problems(root) == [], name
        assert root.get("identifier") and root.get("title")
    assert package_problems(files) == []


def test_exported_items_declare_keys_outside_what_candidates_see() -> None:
    files = _package([BANK])
    choice = etree.fromstring(files["items/choice-credit.xml"])
    ns = {"q": "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"}
    assert choice.xpath(
        "q:qti-response-declaration/q:qti-correct-response/q:qti-value/text()", namespaces=ns
    ) == ["b"]
    assert choice.xpath("q:qti-response-processing/@template", namespaces=ns) == [
        "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/map_response.xml"
    ]
    # A digit-first id gets an underscore, as QTI identifiers are XML names.
    assert etree.fromstring(files["items/2nd-choice.xml"]).get("identifier") == "_2nd-choice"
    proofread = etree.fromstring(files["items/proofread.xml"])
    hottexts = proofread.xpath("//q:qti-hottext/@identifier", namespaces=ns)
    # Every word is markable, and ids say nothing about which words are errors.
    assert hottexts == [f"h{n}" for n in range(1, len(hottexts) + 1)]
    for block in proofread.xpath("//q:qti-rubric-block", namespaces=ns):
        assert block.get("view") == "scorer"
