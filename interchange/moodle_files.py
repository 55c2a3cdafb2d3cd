"""The images and files a Moodle XML question carries, each named so that none is left behind unsaid.

A bank item holds plain text and no files (``items/bank.py`` has no asset store), so an image
cannot travel with its question: ``<img>`` in a text is shown as its description and
reported by the text reader; this names what no text shows: Moodle 1.x's legacy
``<image>`` / ``<image_base64>`` elements and ``<file>`` elements no text refers to.
"""

from __future__ import annotations

from urllib.parse import unquote

from lxml import etree

PLUGINFILE = "@@PLUGINFILE@@/"
# The texts the importer reads, whose images the text reader reports; feedback is not read.
READ_TEXTS = ("questiontext/text", "answer/text", "generalfeedback/text", "graderinfo/text")


def _referenced(question: etree._Element) -> set[str]:
    """File names the texts that are read point at through ``@@PLUGINFILE@@`` (URL-decoded)."""
    names: set[str] = set()
    for holder in (h for path in READ_TEXTS for h in question.iterfind(path)):
        raw = "".join(holder.itertext())
        for piece in raw.split(PLUGINFILE)[1:]:
            end = min((i for i in (piece.find(c) for c in "\"'?# <>") if i >= 0), default=len(piece))
            names.add(unquote(piece[:end]))
    return names


def unshown_files(question: etree._Element) -> list[str]:
    """What the question carries that no text shows, one phrase per image or file."""
    lost: list[str] = []
    legacy = " ".join("".join(e.itertext()).split()) if (e := question.find("image")) is not None else ""
    data = question.find("image_base64")
    if legacy:
        lost.append(f"the image {legacy} (the question's legacy <image>; assess banks hold no images)")
    elif data is not None and "".join(data.itertext()).strip():
        lost.append("the image embedded in <image_base64> (assess banks hold no images)")
    referenced = _referenced(question)
    for file in question.iter("file"):
        name = file.get("name") or ""
        if name in referenced:
            continue
        parent = file.getparent()
        where = parent.tag if parent is not None and isinstance(parent.tag, str) else "question"
        lost.append(f"the file {name or '(unnamed)'} embedded in its <{where}> (assess banks hold no files)")
    return lost
