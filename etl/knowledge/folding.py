"""One comparison form for names, shared by the knowledge base and the gazetteer.

A name and the text it is found in are compared after folding each character the same way: case folded,
diacritics and Arabic vowel marks removed, apostrophe and dash variants unified (dashes become spaces), the Arabic
alef forms made one. Two views of the text use that one character table:

- ``fold_keep_offsets``: exactly one character out per character in, so offsets found in the folded text are
  offsets in the original (the gazetteer scan). A character whose fold is not one character ("ß" -> "ss", a
  tatweel that vanishes) is only lower-cased. Line breaks and tabs are kept: a place name never spans a line break.
- ``fold_with_map``: the full fold, white-space runs collapsed to one space, plus for each output character the
  index of the input character it came from (the knowledge-base scan, whose aliases contain "ss" and tatweel-free
  Arabic).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

APOSTROPHES = "\u2019\u2018`\u02bc\u00b4\u02bb\u02bf\u02be\u2032"
"""Right and left single quotes, grave, modifier apostrophe, acute, turned comma, ayn and hamza half rings, prime."""
POSSESSIVE_AFTER = re.compile(rf"['{APOSTROPHES}]s?(?!\w)")
"""An apostrophe, with or without "s", right after a name: the name owns what follows ("in Obama's speech", "in the
Bidens' deal"), so it is a person's or a company's, not a place's."""
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212_"
"""Hyphen, the Unicode hyphens and dashes, horizontal bar, minus sign, underscore."""
_ARABIC_ALEF = str.maketrans({"\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627"})
_TATWEEL = "\u0640"


@lru_cache(maxsize=8192)
def fold_char(ch: str) -> str:
    """One character folded (cached: news text reuses few distinct characters); may be "" or several characters."""
    if ch in APOSTROPHES:
        return "'"
    if ch in DASHES or ch.isspace():
        return " "
    decomposed = unicodedata.normalize("NFKD", ch)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base.replace(_TATWEEL, "").translate(_ARABIC_ALEF).casefold()


@lru_cache(maxsize=8192)
def _fold_char_one(ch: str) -> str:
    """``fold_char`` when that is one character; else the character lower-cased (or as is). White space kept."""
    if ch.isspace():  # no-break and other wide spaces become " "; line breaks and tabs stay
        spaced = unicodedata.normalize("NFKD", ch)
        return spaced if len(spaced) == 1 else ch
    folded = fold_char(ch)
    if len(folded) == 1:
        return folded
    low = ch.lower()
    return low if len(low) == 1 else ch


def fold_keep_offsets(text: str) -> str:
    """The folded text, one character per input character (see the module docstring)."""
    if text.isascii():  # fast path, same result as the table on ASCII: lower case, "-" and "_" -> " ", "`" -> "'"
        return text.lower().replace("-", " ").replace("_", " ").replace("`", "'")
    return text.translate({ord(c): _fold_char_one(c) for c in set(text)})


_SPACE_RUN = re.compile(r"^ +| {2,}")


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """Fully folded text, white-space runs collapsed, and for each of its characters the index it came from."""
    table = {ord(c): fold_char(c) for c in set(text)}
    if any(len(folded) != 1 for folded in table.values()):
        return _fold_with_map_by_char(text)  # a character folds to none or several ("ß", tatweel)
    folded_text = text.translate(table)  # same length as text: only white-space runs still to collapse
    parts: list[str] = []
    index: list[int] = []
    kept_from = 0
    for run in _SPACE_RUN.finditer(folded_text):
        keep_to = run.start() if run.start() == 0 else run.start() + 1  # a leading run goes, others keep one space
        parts.append(folded_text[kept_from:keep_to])
        index.extend(range(kept_from, keep_to))
        kept_from = run.end()
    parts.append(folded_text[kept_from:])
    index.extend(range(kept_from, len(folded_text)))
    return "".join(parts), index


def _fold_with_map_by_char(text: str) -> tuple[str, list[int]]:
    """``fold_with_map`` one character at a time, for text where folding changes lengths."""
    out: list[str] = []
    index: list[int] = []
    previous = " "
    for i, ch in enumerate(text):
        folded = fold_char(ch)
        if folded == " ":
            if previous == " ":
                continue
        elif len(folded) != 1:
            for f in folded:
                out.append(f)
                index.append(i)
            previous = folded[-1:] or previous
            continue
        out.append(folded)
        index.append(i)
        previous = folded
    return "".join(out), index


def strip_marks_keep_case(text: str) -> str:
    """Diacritics removed and dashes / apostrophes unified, case kept (case-sensitive alias comparison)."""
    return "".join(
        fold_char(c) if not c.isalpha() else c
        for c in unicodedata.normalize("NFKD", text)
        if not unicodedata.combining(c)
    )
