"""How text that came from inputs is shown to a person: file names, titles and details escaped before they reach a
terminal or a log.

A file name or a title is data, not output: one with a newline or an escape sequence in it could forge a summary
line ("indexed 1000") or move the cursor. ``printable`` spells every control character (and the invisible format
characters) as an escape, so what a person reads is what the input holds.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=256)
def _escape(ch: str) -> str:
    if ch == "\t":
        return "\\t"
    if ch == "\n":
        return "\\n"
    if ch == "\r":
        return "\\r"
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _needs_escape(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp")


def printable(text: object) -> str:
    """``str(text)`` with control, format and separator characters escaped (``\\n``, ``\\x1b``, ``\\u200b``...)."""
    value = str(text)
    if value.isprintable():
        return value
    return "".join(_escape(ch) if _needs_escape(ch) else ch for ch in value)
