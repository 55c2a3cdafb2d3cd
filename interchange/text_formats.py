"""Text fields in the formats Moodle and GIFT write them, as the plain text bank items hold.

Every text field of a question (prompt, answers, feedback) goes through ``bank_text``, so
an answer written in HTML is read exactly as a prompt written in HTML: candidates see its
words, never its tags. No markup is kept: the bank holds plain text with paragraphs, and
the pages escape it, so nothing here needs a sanitiser.
"""

from __future__ import annotations

from typing import Literal

from markdown_it import MarkdownIt

from interchange.markup import LINE, TextReader, html_fragment, tidy

TextFormat = Literal["html", "moodle", "plain", "markdown"]
#: Moodle XML's ``format`` attribute values; an unknown one is read as HTML, Moodle's default.
MOODLE_XML_FORMATS: dict[str, TextFormat] = {
    "html": "html",
    "moodle_auto_format": "moodle",
    "plain_text": "plain",
    "markdown": "markdown",
}
# CommonMark with raw HTML, as Moodle's Markdown allows; its nesting limit bounds the work per text.
MARKDOWN = MarkdownIt("commonmark")


def bank_text(raw: str, text_format: TextFormat, reader: TextReader) -> str:
    """``raw`` in ``text_format`` as bank text; ``reader`` notes what plain text cannot carry.

    ``moodle`` is Moodle's auto-format: HTML in which a line break in the source is a line
    break on the page. ``plain`` shows every character as typed, tags included.
    """
    if text_format == "plain":
        return tidy(raw.replace("\n", LINE))
    if text_format == "markdown":
        markup = MARKDOWN.render(raw)
    elif text_format == "moodle":
        markup = raw.replace("\n", "<br>")
    else:
        markup = raw
    return reader.text(html_fragment(markup))
