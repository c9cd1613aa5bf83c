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
from bisect import bisect_right
from collections.abc import Iterator
from functools import lru_cache

APOSTROPHES = "\u2019\u2018`\u02bc\u00b4\u02bb\u02bf\u02be\u2032"
"""Right and left single quotes, grave, modifier apostrophe, acute, turned comma, ayn and hamza half rings, prime."""
POSSESSIVE_AFTER = re.compile(rf"['{APOSTROPHES}]s?(?!\w)")
"""An apostrophe, with or without "s", right after a name: the name owns what follows ("in Obama's speech", "in the
Bidens' deal"), so it is a person's or a company's, not a place's."""
LOWER_WORD = re.compile(r"[a-z](?<![\w'’-][a-z])[a-z'’-]*")
"""A lower-case word not glued to one before it: what an article writes as a plain word ("summit", "learn"), to
tell a common word opening a sentence or a menu from a name. (The letter first, then a look back at the character
before it: a pattern that opens with a character class is scanned for in a tight loop, one that opens with a
look-around is tried at every position.)"""
_LOWER_TOKEN = re.compile(r"[a-z][a-z'’-]*")
_LOWER_TOKEN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz'’-")  # what continues a LOWER_WORD


class LowerWords:
    """Whether a text writes a word as a ``LOWER_WORD`` of its own (``word in LowerWords(text)``), asked word by word.

    Why not the set of every such word: building it cost about 0.1 ms per article, once in the entities stage and
    once in the regions stage, for the handful of capitalised words either ever asks about. Each question finds the
    word's occurrences with ``str.find`` and checks the characters around them, the same rule as the pattern's (the
    unit tests compare both)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._answers: dict[str, bool] = {}

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        answer = self._answers.get(word)
        if answer is None:
            answer = self._answers[word] = _LOWER_TOKEN.fullmatch(word) is not None and self._occurs(word)
        return answer

    def _occurs(self, word: str) -> bool:
        text, size = self._text, len(word)
        at = text.find(word)
        while at >= 0:
            before = text[at - 1] if at else " "
            after = text[at + size : at + size + 1]
            if not (before.isalnum() or before in "_'’-") and after not in _LOWER_TOKEN_CHARS:
                return True
            at = text.find(word, at + 1)
        return False


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
    """The folded text, one character per input character (see the module docstring).

    ASCII characters go through one byte table over the UTF-8 text, the few others one by one (see
    ``fold_with_map`` for why)."""
    folded = translate_ascii(text, _ASCII_FOLD_ONE)
    if text.isascii():
        return folded
    found = non_ascii_chars(text)
    others = {c: _fold_char_one(c) for c in set(found)}
    return _fold_others(folded, others, len(found))


def translate_ascii(text: str, table: bytes) -> str:
    """``text`` with its ASCII characters mapped by ``table`` (one byte each), the others left as they are."""
    return text.encode("utf-8", "surrogatepass").translate(table).decode("utf-8", "surrogatepass")


_ASCII_BYTES = bytes(range(128))


def non_ascii_chars(text: str) -> str:
    """The characters of ``text`` beyond ASCII, in order (``"".join(_NON_ASCII.findall(text))``): its UTF-8 bytes
    less the ASCII ones, which leaves whole multi-byte sequences. In C throughout, a third of the pattern's time."""
    return text.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")


def _fold_others(text: str, others: dict[str, str], count: int) -> str:
    """``text`` with each of its non-ASCII characters (``count`` of them) replaced by its fold: character by
    character when they are few (Latin text), by one table over the whole text when they are many (Arabic).

    Few: only the characters the fold changes (of some 17 in a news article, the two or three curly apostrophes and
    dashes) are replaced, each by ``str.replace``, which is replacing them all at once when no fold holds a character
    replaced (else one substitution pass does it)."""
    if not others:
        return text
    if count * 8 < len(text):
        changed = {c: folded for c, folded in others.items() if folded != c}
        if changed.keys().isdisjoint("".join(changed.values())):
            for c, folded in changed.items():
                text = text.replace(c, folded)
            return text
        return _NON_ASCII.sub(lambda m: others[m.group()], text)
    return text.translate({ord(c): folded for c, folded in others.items()})


_SPACE_RUN = re.compile(r"  +")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_ASCII_FOLD = bytes(ord(fold_char(chr(i))) for i in range(128)) + bytes(range(128, 256))
"""``fold_char`` of every ASCII byte (lower case; white space, "-" and "_" to " "; "`" to "'"), one byte each; the
bytes of UTF-8 multi-byte sequences (all 0x80 or more) left alone."""
_ASCII_FOLD_ONE = bytes(ord(_fold_char_one(chr(i))) for i in range(128)) + bytes(range(128, 256))
"""``_fold_char_one`` of every ASCII byte: as ``_ASCII_FOLD`` but line breaks and tabs kept."""


class OffsetMap:
    """For each character of a folded text, the index of the input character it came from.

    Why not a list: a list of every offset (one Python int per character) cost more than the folding itself; where
    each folded character is one input character, the offsets are runs shifted by the white space dropped before
    them, so a lookup is a bisection over the runs (a list is kept only for text folded one character at a time)."""

    __slots__ = ("_length", "_run_starts", "_shifts", "_table")

    def __init__(self, length: int, run_starts: list[int], shifts: list[int], table: list[int] | None = None) -> None:
        self._length, self._run_starts, self._shifts, self._table = length, run_starts, shifts, table

    @classmethod
    def of_list(cls, table: list[int]) -> OffsetMap:
        return cls(len(table), [], [], table)

    def __getitem__(self, position: int) -> int:
        if self._table is not None:
            return self._table[position]
        if not -self._length <= position < self._length:
            raise IndexError(position)
        if position < 0:
            position += self._length
        return position + self._shifts[bisect_right(self._run_starts, position) - 1]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The input span a folded span [start, end) came from: ``(self[start], self[end - 1] + 1)`` for
        ``0 <= start < end <= len(self)``, without ``__getitem__``'s checks (the knowledge-base scan asks it of
        every hit)."""
        if self._table is not None:
            return self._table[start], self._table[end - 1] + 1
        run_starts, shifts = self._run_starts, self._shifts
        return start + shifts[bisect_right(run_starts, start) - 1], end + shifts[bisect_right(run_starts, end - 1) - 1]

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[int]:
        return (self[i] for i in range(self._length))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, OffsetMap):
            return NotImplemented
        return list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]  # mutable-looking sequence: compared by value, not hashed


def fold_with_map(text: str) -> tuple[str, OffsetMap]:
    """Fully folded text, white-space runs collapsed, and for each of its characters the index it came from.

    Why in two steps: news text is mostly ASCII with a few curly quotes, dashes and accented letters. The ASCII
    characters are folded by one byte table over the UTF-8 text, the few others one by one; a per-character table
    over the whole text (``str.translate``'s slow path once one character is not ASCII) was a quarter of the
    knowledge-base scan. Each character is still folded exactly once, by ``fold_char``."""
    found = non_ascii_chars(text)
    others = {c: fold_char(c) for c in set(found)}
    if any(len(folded) != 1 for folded in others.values()):
        return _fold_with_map_by_char(text)  # a character folds to none or several ("ß", tatweel)
    folded_text = _fold_others(translate_ascii(text, _ASCII_FOLD), others, len(found))
    kept_from = len(folded_text) - len(folded_text.lstrip(" "))  # a leading run goes, others keep one space
    parts: list[str] = []
    run_starts, shifts = [0], [kept_from]  # output position where a run of kept characters starts; input - output
    out = 0
    for run in _SPACE_RUN.finditer(folded_text, kept_from):
        keep_to = run.start() + 1
        parts.append(folded_text[kept_from:keep_to])
        out += keep_to - kept_from
        kept_from = run.end()
        run_starts.append(out)
        shifts.append(kept_from - out)
    parts.append(folded_text[kept_from:])
    folded = "".join(parts)
    return folded, OffsetMap(len(folded), run_starts, shifts)


def _fold_with_map_by_char(text: str) -> tuple[str, OffsetMap]:
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
    return "".join(out), OffsetMap.of_list(index)


@lru_cache(maxsize=8192)
def strip_marks_keep_case(text: str) -> str:
    """Diacritics removed and dashes / apostrophes unified, case kept (case-sensitive alias comparison).

    Cached: the knowledge-base scan asks it of the same short aliases and matched words in every article."""
    return "".join(
        fold_char(c) if not c.isalpha() else c
        for c in unicodedata.normalize("NFKD", text)
        if not unicodedata.combining(c)
    )
