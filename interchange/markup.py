"""Plain text from HTML and QTI bodies, and back: assess items hold plain text with paragraphs.

Reading follows how a browser lays text out: whitespace runs are one space, block
elements are paragraphs, ``<br>`` is a line break. Writing puts each paragraph (text
between blank lines) in a ``<p>`` with ``<br/>`` between its lines, so reading what was
written gives the text back with each line's spacing tidied.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import lxml.html
from lxml import etree

from interchange.safe_xml import local_name

LINE = "\ue010"
PARAGRAPH = "\ue011"
BLOCKS = frozenset(
    [
        "p",
        "div",
        "blockquote",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "pre",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "caption",
        "section",
        "article",
        "header",
        "footer",
        "aside",
        "nav",
        "figure",
        "figcaption",
        "address",
        "hr",
        "qti-prompt",
        "qti-content-body",
        "qti-rubric-block",
        "prompt",
        "rubricBlock",
    ]
)
ITEMS = frozenset({"li"})
CELLS = frozenset({"td", "th"})
MEDIA = frozenset(["object", "video", "audio", "iframe", "embed", "svg", "canvas", "math"])
DROPPED = frozenset({"script", "style", "head", "title"})
BREAKS = re.compile(f"[ {LINE}{PARAGRAPH}]*[{LINE}{PARAGRAPH}][ {LINE}{PARAGRAPH}]*")


class TextReader:
    """Reads the plain text of elements, noting what plain text cannot carry (images, media).

    ``skip(element)`` leaves an element out; ``replace(element)`` returns the text that
    stands for it (a blank, a marked hottext) or None to read it as usual.
    """

    def __init__(
        self,
        skip: Callable[[etree._Element], bool] | None = None,
        replace: Callable[[etree._Element], str | None] | None = None,
    ) -> None:
        self.skip = skip or (lambda element: False)
        self.replace = replace or (lambda element: None)
        self.lost: list[str] = []

    def text(self, element: etree._Element) -> str:
        """The text inside ``element`` (its tail excluded)."""
        pieces: list[str] = []
        self._content(element, pieces)
        return tidy("".join(pieces))

    def texts(self, elements: list[etree._Element]) -> str:
        """The text of several elements, one paragraph each."""
        return "\n\n".join(t for t in (self.text(e) for e in elements) if t)

    def _content(self, element: etree._Element, pieces: list[str]) -> None:
        if element.text:
            pieces.append(_spaces(element.text))
        for child in element:
            self._child(child, pieces)
            if child.tail:
                pieces.append(_spaces(child.tail))

    def _child(self, child: etree._Element, pieces: list[str]) -> None:
        name = _tag_name(child)
        if not name or name in DROPPED or self.skip(child):
            return
        replacement = self.replace(child)
        if replacement is not None:
            pieces.append(replacement)
        elif name == "br":
            pieces.append(LINE)
        elif name == "img":
            alt = " ".join((child.get("alt") or "").split())
            pieces.append(f"[image: {alt}]" if alt else "[image]")
            self.lost.append(
                f"the image {child.get('src') or ''} (shown as its description)".replace("  ", " ")
            )
        elif name in MEDIA:
            shown = child.get("data") or child.get("src") or ""
            self.lost.append(f"the embedded {name} {shown} (any text inside it is kept)".replace("  ", " "))
            self._content(child, pieces)
        elif name == "a" and child.get("href"):
            self.lost.append(f"the link to {child.get('href')} (its text is kept)")
            self._content(child, pieces)
        elif name in ITEMS:
            marker = f"{_position(child)}. " if _parent_name(child) == "ol" else "- "
            pieces.extend((LINE, marker))
            self._content(child, pieces)
        elif name in CELLS:
            pieces.append(" | ")
            self._content(child, pieces)
        else:
            block = name in BLOCKS
            if block:
                pieces.append(PARAGRAPH)
            self._content(child, pieces)
            if block:
                pieces.append(PARAGRAPH)


def _tag_name(element: etree._Element) -> str:
    try:
        return local_name(element)
    except ValueError:
        # HTML parsing makes "a<b? c" an element named "b?", which no XML name can be: as a
        # browser does, read it as an unknown element and show the text inside it.
        return str(element.tag)


def _spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _parent_name(element: etree._Element) -> str:
    parent = element.getparent()
    return local_name(parent) if parent is not None else ""


def _position(element: etree._Element) -> int:
    parent = element.getparent()
    if parent is None:
        return 1
    siblings = [e for e in parent if local_name(e) == "li"]
    return siblings.index(element) + 1


def _breaks(match: re.Match[str]) -> str:
    run = match.group()
    if PARAGRAPH in run:
        return "\n\n"
    return "\n" * min(run.count(LINE), 2)


def tidy(text: str) -> str:
    """Paragraph and line markers as newlines; each line's spacing tidied; ends stripped."""
    text = BREAKS.sub(_breaks, text)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def paragraphs(text: str) -> list[list[str]]:
    """Plain text as paragraphs (split at blank lines), each a list of its non-blank lines."""
    found = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [" ".join(line.split()) for line in block.splitlines() if line.strip()]
        if lines:
            found.append(lines)
    return found


def append_paragraphs(parent: etree._Element, text: str, namespace: str | None = None) -> None:
    """``text`` as ``<p>`` elements (lines joined by ``<br/>``) appended to ``parent``."""
    tag = f"{{{namespace}}}" if namespace else ""
    for lines in paragraphs(text):
        paragraph = etree.SubElement(parent, f"{tag}p")
        fill_lines(paragraph, lines, tag)


def fill_lines(element: etree._Element, lines: list[str], tag: str = "") -> None:
    """Lines of text as ``element``'s content, with ``<br/>`` between them."""
    element.text = lines[0] if lines else ""
    for line in lines[1:]:
        etree.SubElement(element, f"{tag}br").tail = line


def html_paragraphs(text: str) -> str:
    """``text`` as an HTML string of ``<p>`` paragraphs, for Moodle's HTML text fields."""
    return "".join(
        "<p>" + "<br>".join(html.escape(line, quote=False) for line in lines) + "</p>"
        for lines in paragraphs(text)
    )


def html_fragment(markup: str) -> etree._Element:
    """An HTML string (a Moodle text field) as one element wrapping its content."""
    wrapper = etree.Element("div")
    if not markup.strip():
        return wrapper
    for piece in lxml.html.fragments_fromstring(markup):
        if isinstance(piece, str):
            _append_text(wrapper, piece)
        else:
            wrapper.append(piece)
    return wrapper


def _append_text(wrapper: etree._Element, text: str) -> None:
    if len(wrapper):
        last = wrapper[-1]
        last.tail = (last.tail or "") + text
    else:
        wrapper.text = (wrapper.text or "") + text


def classes(element: etree._Element) -> set[str]:
    return set((element.get("class") or "").split())


def find_class(root: etree._Element, name: str) -> etree._Element | None:
    """The first element at or below ``root`` with CSS class ``name``."""
    return next((e for e in root.iter() if isinstance(e.tag, str) and name in classes(e)), None)


def plain(element: etree._Element | None) -> str:
    """All the text inside ``element``, spacing tidied; '' for None."""
    return " ".join("".join(element.itertext()).split()) if element is not None else ""
