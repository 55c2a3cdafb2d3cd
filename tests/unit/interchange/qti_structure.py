"""QTI 3.0 checked against the documented structure, since no installable package ships the 1EdTech XSD.

What is checked, from the QTI 3.0 ASI information model and best-practice guide: the root
element and namespace; the item's required attributes; the order of its top-level parts
(declarations, body, response processing, modal feedback); every declaration's required
attributes and allowed values; every interaction answering a declared response; choice and
hottext identifiers unique and valid; correct values naming existing choices; rubric blocks
with a ``view`` and a ``qti-content-body``; response processing by template or rules;
only QTI and XHTML elements in the body and no ``data-`` attributes. The package: the
manifest's resources and files, and the assessment test's parts, sections and item refs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree

QTI3 = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
CP = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"
NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
ORDER = [
    "qti-context-declaration",
    "qti-response-declaration",
    "qti-outcome-declaration",
    "qti-template-declaration",
    "qti-template-processing",
    "qti-assessment-stimulus-ref",
    "qti-companion-materials-info",
    "qti-stylesheet",
    "qti-item-body",
    "qti-catalog-info",
    "qti-response-processing",
    "qti-modal-feedback",
]
CARDINALITIES = {"single", "multiple", "ordered", "record"}
BASE_TYPES = {
    "boolean", "directedPair", "duration", "file", "float", "identifier",
    "integer", "pair", "point", "string", "uri",
}  # fmt: skip
VIEWS = {"author", "candidate", "proctor", "scorer", "testConstructor", "tutor"}
XHTML = {
    "a", "abbr", "address", "article", "aside", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite",
    "code", "col", "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "i", "img", "ins", "kbd", "label", "li",
    "nav", "ol", "p", "pre", "q", "rb", "rp", "rt", "rtc", "ruby", "samp", "section", "small", "span",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var",
}  # fmt: skip
CHOICE_HOLDERS = {
    "qti-choice-interaction": "qti-simple-choice",
    "qti-order-interaction": "qti-simple-choice",
    "qti-hottext-interaction": "qti-hottext",
    "qti-inline-choice-interaction": "qti-inline-choice",
}


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _elements(root: etree._Element) -> Iterable[etree._Element]:
    return (e for e in root.iter() if isinstance(e.tag, str))


def item_problems(root: etree._Element) -> list[str]:
    """Every way ``root`` departs from the documented QTI 3.0 item structure; [] when it conforms."""
    problems: list[str] = []
    if root.tag != f"{{{QTI3}}}qti-assessment-item":
        return [f"root is {root.tag}, not qti-assessment-item in the QTI 3.0 namespace"]
    if not NCNAME.match(root.get("identifier") or ""):
        problems.append("identifier is missing or not an NCName")
    for name in ("title",):
        if not root.get(name):
            problems.append(f"{name} is missing")
    for name in ("adaptive", "time-dependent"):
        if root.get(name) not in {"true", "false"}:
            problems.append(f"{name} must be true or false")
    positions = [ORDER.index(_local(c)) if _local(c) in ORDER else -1 for c in root if isinstance(c.tag, str)]
    if -1 in positions:
        problems.append("an unknown element sits directly in the item")
    if positions != sorted(positions):
        problems.append("top-level parts are out of order (declarations, body, processing, feedback)")
    if [_local(c) for c in root].count("qti-item-body") != 1:
        problems.append("there must be exactly one qti-item-body")
    responses = _declarations(root, "qti-response-declaration", problems)
    _declarations(root, "qti-outcome-declaration", problems)
    for element in _elements(root):
        problems.extend(_element_problems(element, responses))
    processing = root.find(f"{{{QTI3}}}qti-response-processing")
    if processing is not None and not processing.get("template") and not len(processing):
        problems.append("qti-response-processing has neither a template nor rules")
    return problems


def _declarations(root: etree._Element, tag: str, problems: list[str]) -> dict[str, etree._Element]:
    found: dict[str, etree._Element] = {}
    for declaration in root.findall(f"{{{QTI3}}}{tag}"):
        identifier = declaration.get("identifier") or ""
        if not NCNAME.match(identifier) or identifier in found:
            problems.append(f"{tag} identifier {identifier!r} is missing, invalid or repeated")
        if declaration.get("cardinality") not in CARDINALITIES:
            problems.append(f"{tag} {identifier}: cardinality must be one of {sorted(CARDINALITIES)}")
        if declaration.get("base-type") not in BASE_TYPES:
            problems.append(f"{tag} {identifier}: base-type must be one of the QTI base types")
        for values in declaration.iter(f"{{{QTI3}}}qti-correct-response", f"{{{QTI3}}}qti-default-value"):
            if not values.findall(f"{{{QTI3}}}qti-value"):
                problems.append(f"{tag} {identifier}: {_local(values)} holds no qti-value")
        for entry in declaration.iter(f"{{{QTI3}}}qti-map-entry"):
            if entry.get("map-key") is None or not _is_float(entry.get("mapped-value")):
                problems.append(
                    f"{tag} {identifier}: a qti-map-entry needs map-key and a numeric mapped-value"
                )
        found[identifier] = declaration
    return found


def _is_float(text: str | None) -> bool:
    try:
        float(text or "")
    except ValueError:
        return False
    return True


def _element_problems(element: etree._Element, responses: dict[str, etree._Element]) -> list[str]:
    problems = [
        f"attribute {a} on {_local(element)}: data- attributes are not in the schema"
        for a in element.attrib
        if a.startswith("data-")
    ]
    name = etree.QName(element)
    if name.namespace == QTI3 and not name.localname.startswith("qti-") and name.localname not in XHTML:
        problems.append(f"<{name.localname}> is neither a QTI nor an XHTML element")
    local = name.localname
    if local.endswith("-interaction"):
        response = responses.get(element.get("response-identifier") or "")
        if response is None:
            problems.append(f"{local} answers {element.get('response-identifier')!r}, which is not declared")
        choice_tag = CHOICE_HOLDERS.get(local)
        if choice_tag is not None:
            choices = [c.get("identifier") or "" for c in element.iter(f"{{{QTI3}}}{choice_tag}")]
            if len(set(choices)) != len(choices) or not all(NCNAME.match(c) for c in choices):
                problems.append(f"{local}: choice identifiers must be unique NCNames")
            if response is not None:
                keyed = ["".join(v.itertext()).strip() for v in response.iter(f"{{{QTI3}}}qti-value")]
                if response.find(f"{{{QTI3}}}qti-correct-response") is not None and not set(keyed) <= set(
                    choices
                ):
                    problems.append(f"{local}: the correct response names choices it does not have")
        prompts = [
            i for i, c in enumerate(c for c in element if isinstance(c.tag, str)) if _local(c) == "qti-prompt"
        ]
        if prompts not in ([], [0]):
            problems.append(f"{local}: qti-prompt may only be its first child")
    if local == "qti-rubric-block":
        if not set((element.get("view") or "").split()) or not set(element.get("view", "").split()) <= VIEWS:
            problems.append("qti-rubric-block needs a view from the QTI vocabulary")
        if element.find(f"{{{QTI3}}}qti-content-body") is None:
            problems.append("qti-rubric-block keeps its content in qti-content-body")
    return problems


def package_problems(files: dict[str, bytes]) -> list[str]:
    """The content package: manifest resources and files, and the test's structure."""
    problems: list[str] = []
    manifest = etree.fromstring(files["imsmanifest.xml"])
    if manifest.tag != f"{{{CP}}}manifest" or not manifest.get("identifier"):
        return ["imsmanifest.xml is not a QTI 3.0 content package manifest with an identifier"]
    resources = manifest.findall(f"{{{CP}}}resources/{{{CP}}}resource")
    identifiers = {r.get("identifier") for r in resources}
    for resource in resources:
        if not NCNAME.match(resource.get("identifier") or "") or not resource.get("type"):
            problems.append("a resource needs an NCName identifier and a type")
        hrefs = [f.get("href") for f in resource.findall(f"{{{CP}}}file")]
        if resource.get("href") not in hrefs or not all(h in files for h in hrefs):
            problems.append(f"resource {resource.get('identifier')}: its files are not all in the package")
        for dependency in resource.findall(f"{{{CP}}}dependency"):
            if dependency.get("identifierref") not in identifiers:
                problems.append(f"resource {resource.get('identifier')}: depends on a missing resource")
    tests = [r.get("href") for r in resources if r.get("type") == "imsqti_test_xmlv3p0"]
    for href in tests:
        test = etree.fromstring(files[str(href)])
        if (
            test.tag != f"{{{QTI3}}}qti-assessment-test"
            or not test.get("identifier")
            or not test.get("title")
        ):
            problems.append("the test is not a qti-assessment-test with identifier and title")
        for part in test.findall(f"{{{QTI3}}}qti-test-part"):
            if part.get("navigation-mode") not in {"linear", "nonlinear"}:
                problems.append("qti-test-part navigation-mode must be linear or nonlinear")
            if part.get("submission-mode") not in {"individual", "simultaneous"}:
                problems.append("qti-test-part submission-mode must be individual or simultaneous")
        for section in test.iter(f"{{{QTI3}}}qti-assessment-section"):
            if (
                not NCNAME.match(section.get("identifier") or "")
                or not section.get("title")
                or not section.get("visible")
            ):
                problems.append("qti-assessment-section needs identifier, title and visible")
        for ref in test.iter(f"{{{QTI3}}}qti-assessment-item-ref"):
            if not NCNAME.match(ref.get("identifier") or "") or ref.get("href") not in files:
                problems.append(f"item ref {ref.get('identifier')}: bad identifier or missing file")
    return problems
