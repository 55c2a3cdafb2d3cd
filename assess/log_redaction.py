"""Candidate links never reach a log: tokens are redacted from every line the server writes.

A candidate's token is their only credential, and it sits in the URL (``/t/<token>/...``),
so any line that names a path would hand its reader the link: Flask's "Exception on
/t/<token>/answers/3 [POST]", werkzeug's and gunicorn's access lines, gunicorn's "Error
handling request". One filter rewrites such lines, whoever logs them.

Logging filters apply where they are attached: a logger's filters see only the records
logged to that very logger, a handler's see every record it writes. ``redact_logs``
therefore attaches the filter to the app's logger and to each of its modules' loggers,
to werkzeug's and gunicorn's, and to Flask's own handler; ``assess serve`` attaches it to
gunicorn's handlers too.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from flask import Flask
from flask.logging import default_handler

REDACTED = "<redacted>"

#: A token as a path segment after /t/, and a token as a query or form value.
TOKEN_IN_PATH = re.compile(r"(/t/)[^/?#\s\"'<>\\]+")
TOKEN_IN_VALUE = re.compile(r"(\btoken=)[^&#\s\"'<>\\]+", re.IGNORECASE)

#: The loggers whose lines name request paths, besides the app's own.
SERVER_LOGGERS = ("werkzeug", "gunicorn.error", "gunicorn.access")


def redact(text: str) -> str:
    return TOKEN_IN_VALUE.sub(rf"\g<1>{REDACTED}", TOKEN_IN_PATH.sub(rf"\g<1>{REDACTED}", text))


class TokenRedactor(logging.Filter):
    """Rewrites a record's message, traceback and stack with its tokens redacted; drops nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            # Formatted once here, as a handler would, so the traceback's messages are redacted too.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


#: One instance, so attaching it twice (another app, a reload) leaves one on each logger.
REDACTOR = TokenRedactor()


def attach_redactor(loggers: Iterable[logging.Logger]) -> None:
    """The filter on these loggers and on each of their handlers."""
    for logger in loggers:
        logger.addFilter(REDACTOR)
        for handler in logger.handlers:
            handler.addFilter(REDACTOR)


def redact_logs(app: Flask) -> None:
    """Redact tokens from the app's, its modules', werkzeug's and gunicorn's log lines."""
    modules = [
        logging.getLogger(name)
        for name in list(logging.root.manager.loggerDict)
        if name.startswith(f"{app.logger.name}.")
    ]
    attach_redactor([app.logger, *modules, *(logging.getLogger(name) for name in SERVER_LOGGERS)])
    default_handler.addFilter(REDACTOR)
