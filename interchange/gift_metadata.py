"""GIFT's question metadata: ``[id:...]`` and ``[tag:...]`` in the ``//`` comments above a question.

Read as Moodle reads them: the first ``[id:...]`` is the question's id number, every
``[tag:...]`` a tag, and ``\\]`` stands for a ``]`` inside either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from items.bank import ID_PATTERN

ID = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f\x7f])+)\]")
TAG = re.compile(r"\[tag:((?:\\\]|[^\]<>\x00-\x1f\x7f])+)\]")
BANK_ID = re.compile(ID_PATTERN)


@dataclass(frozen=True)
class Metadata:
    """The id the comments give ('' for none) and their tags, in order."""

    item_id: str
    tags: tuple[str, ...]

    def id_problem(self) -> str:
        """Why the given id cannot be a bank item's id, or '' when it can (or none was given)."""
        if not self.item_id or BANK_ID.match(self.item_id):
            return ""
        return (
            f"its id {self.item_id!r} is not a bank id (lower-case letters, digits, '_', '.' and '-', "
            "starting with a letter or digit)"
        )


def read_metadata(comments: list[str]) -> Metadata:
    """The metadata in a question's comment lines."""
    text = "\n".join(comments)
    found = ID.search(text)
    item_id = found.group(1).replace("\\]", "]").strip() if found else ""
    tags = (tag.replace("\\]", "]").strip() for tag in TAG.findall(text))
    return Metadata(item_id, tuple(dict.fromkeys(tag for tag in tags if tag)))
