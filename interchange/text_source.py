"""Plain-text question files (GIFT, Aiken) read whole, with a size limit and a clear error."""

from __future__ import annotations

from pathlib import Path

from interchange.results import InterchangeError

MAX_TEXT_BYTES = 20 * 1024 * 1024


def read_text(path: Path) -> str:
    """The file's text (UTF-8, a byte-order mark dropped); ``InterchangeError`` when unreadable."""
    try:
        if path.stat().st_size > MAX_TEXT_BYTES:
            raise InterchangeError(str(path), f"is larger than {MAX_TEXT_BYTES // (1024 * 1024)} MB; refused")
        return path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise InterchangeError(str(path), f"cannot be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise InterchangeError(str(path), f"is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
