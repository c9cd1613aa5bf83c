"""Whole-word dictionary scanning for the knowledge base and the gazetteer: every key found in a text, on word
boundaries, in one Aho-Corasick pass.

Why not a plain automaton plus a boundary check per hit: 34,000 place names match some word fragment almost
everywhere ("ati", "tal", "port" inside "important"), about 500 raw hits per news article, each rejected in Python.
Here every character that is not a letter or digit is replaced by a marker, in the text and in the keys alike
(offsets do not move), and each key that starts a word is stored behind that marker, so the automaton only reports
matches that begin a word; each key is stored with a marker after it too, so a key must also end a word (the text
gets a marker at both ends for its edges). Half the raw hits of the first version ended inside a word ("Port" in
"Portugal") and were rejected one by one in Python. Keys that differ only in punctuation share one automaton entry,
and each hit is compared with the text as written, so the result is exactly the plain scan's (the unit tests compare
both).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, Generic, TypeVar

import ahocorasick  # untyped (no stubs): pyproject sets ignore_missing_imports for it

from etl.knowledge.folding import non_ascii_chars, translate_ascii

T = TypeVar("T")

MARK = "\x00"
_ASCII_MARKS = bytes(b if chr(b).isalnum() else 0 for b in range(128)) + bytes(range(128, 256))
"""Each ASCII byte that is not a letter or digit to ``MARK``; the bytes of UTF-8 multi-byte sequences left alone."""
_OTHER_NON_WORD = re.compile(r"[^\w\x00-\x7f]")  # a character beyond ASCII that is not a letter or digit


def mark_non_words(text: str) -> str:
    """``text`` with every character that is not a letter or digit replaced by ``MARK`` (same length).

    Why bytes: one table over the UTF-8 text marks the ASCII characters at C speed; a regular expression
    substitution per word start was a tenth of a knowledge-base scan."""
    marked = translate_ascii(text, _ASCII_MARKS)
    if text.isascii():
        return marked
    # ``_OTHER_NON_WORD.sub(MARK, marked)``, one ``str.replace`` per distinct such character (a curly quote, a dash):
    # the pattern tested every character of the text against the word category
    for ch in set(non_ascii_chars(text)):
        if _OTHER_NON_WORD.match(ch):
            marked = marked.replace(ch, MARK)
    return marked


class WordAutomaton(Generic[T]):
    """Keys (already in the caller's normal form) and their payloads; ``finditer`` yields whole-word matches."""

    def __init__(self) -> None:
        self._keys: dict[str, list[tuple[str, T]]] = {}  # marked key -> [(original key, payload)]
        self._automaton: Any = ahocorasick.Automaton()  # pyahocorasick is untyped
        self._built = False

    def add(self, key: str, payload: T) -> None:
        """Register ``key`` (non-empty); keys differing only in punctuation share one automaton entry."""
        marked = mark_non_words(key) + MARK  # must precede a non-word character (or the end of the text)
        if key[:1].isalnum():
            marked = MARK + marked  # must follow a non-word character (or the start of the text)
        self._keys.setdefault(marked, []).append((key, payload))

    def build(self) -> None:
        for marked, entries in self._keys.items():
            # Keys not starting with a letter or digit ("'ain") get their start boundary checked per hit.
            self._automaton.add_word(marked, tuple((key, payload, not key[:1].isalnum()) for key, payload in entries))
        if self._keys:
            self._automaton.make_automaton()
        self._built = True

    def __len__(self) -> int:
        return sum(len(entries) for entries in self._keys.values())

    def finditer(self, text: str) -> Iterator[tuple[int, int, str, T]]:
        """(start, end, key, payload) for every key occurring in ``text`` as whole words, in order of their ends.

        ``text`` must be in the same normal form as the keys. A match needs a non-alphanumeric character (or the
        text's edge) on both sides.
        """
        if not self._built or not self._keys:
            return
        scanned = MARK + mark_non_words(text) + MARK
        for last, entries in self._automaton.iter(scanned):
            end = last - 1  # scanned is text shifted right by one and the match holds the marker after the key
            for key, payload, check_start in entries:
                start = end - len(key)
                if check_start and start > 0 and text[start - 1].isalnum():
                    continue
                if text[start:end] == key:
                    yield start, end, key, payload


def trie_pattern(words: Iterable[str]) -> str:
    """An alternation of ``words`` as a trie ("s(?:on|ister)..."): Python's ``re`` tries the alternatives of a plain
    alternation one by one, which made the apposition pattern twice as slow.

    The same strings match; where one word begins another ("say", "says") the trie tries the longer first, so it
    picks the same word only where at most one of them can be followed by what comes next (``\\b``, ``\\s+``)."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def pattern(node: dict[str, Any]) -> str:
        branches = [re.escape(ch) + pattern(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return pattern(trie)
