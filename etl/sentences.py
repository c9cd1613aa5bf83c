"""Words, sentences and paragraphs of plain text, in any script.

Why: text reaches the clean stage in shapes its line-by-line labelling cannot read as they are: a whole article on one
line (pasted from an API, a feed, a PDF), or in a script written without spaces (Chinese, Japanese), where "words
separated by spaces" counts three for three paragraphs. This module gives those shapes back their units:

- ``count_words``: one word per CJK character (Han, kana), as word processors count these scripts, plus one per
  space-separated token of every other script (a Korean or Thai text counts its spaced units);
- ``split_sentences``: sentence ends (``. ! ? …`` followed by a space and a capital, a digit, a quote or another
  script's letter; ``。！？`` anywhere), not after an initial ("J. Smith") or a common title or abbreviation;
- ``paragraphs``: sentences grouped into paragraphs of about ``PARAGRAPH_WORDS`` words, never splitting a sentence.

All linear in the length of the text (regex scans, no backtracking over the whole text).
"""

from __future__ import annotations

import re

PARAGRAPH_WORDS = 60  # a grouped paragraph ends at the first sentence end past this many words
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0002ffff"
_CJK_RE = re.compile(f"[{_CJK}]")
_NOT_CJK_LEAD_BYTES = bytes(b for b in range(256) if not (0xE3 <= b <= 0xE9 or b in (0xEF, 0xF0)))
"""Every byte but those opening a ``_CJK`` character in UTF-8: E3-E9 (U+3040-U+9FFF), EF (U+F900-U+FAFF, U+FF66-U+FF9F),
F0 (U+20000-U+2FFFF)."""
_TOKEN_START_RE = re.compile(r"(?<!\S)\S*?\w")  # one match per space-separated token holding a letter or digit
_WORDLESS_TOKEN_RE = re.compile(r"[^\s\w](?<!\S[^\s\w])[^\s\w]*(?!\S)")  # a token of only punctuation ("—", "|")
# A candidate sentence end: closing punctuation (and closing quotes/brackets), then space, then what may start a
# sentence; or CJK full stops, which need no space.
_END_RE = re.compile(
    r"(?<=[.!?…])[\"'”’»)\]]*\s+(?=[\"'“‘(\[¿¡]?[^\W\d_a-zß-ÿ]|«\s?[^\W\d_a-zß-ÿ]|\d)"
    r"|(?<=[。！？])[」』”’）]*\s*"
)
# Words after which a full stop does not end the sentence (titles, initials, frequent abbreviations).
_ABBREVIATIONS = frozenset(
    (
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "cmdr",
        "adm",
        "gov",
        "sen",
        "rep",
        "rev",
        "st",
        "jr",
        "sr",
        "mt",
        "ft",
        "no",
        "nos",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "u.s",
        "u.k",
        "u.n",
        "a.m",
        "p.m",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "fig",
        "al",
        "approx",
        "dept",
        "est",
        "inc",
        "ltd",
        "co",
        "corp",
        "mme",
        "mlle",
        "m",
        "me",
        "dr",
        "sra",
        "sres",
        "srta",
        "hr",
        "fr",
        "nr",
        "bzw",
        "z.b",
        "u.a",
        "ca",
    )
)


def _may_hold_cjk(text: str) -> bool:
    """False when ``text`` surely holds no ``_CJK`` character: none of its UTF-8 bytes opens one (Western text's curly
    quotes, dashes and accented letters open with C2-E2). Two passes in C, a fifth of the pattern's scan of the text,
    which tests each character against the ranges."""
    return not text.isascii() and bool(text.encode("utf-8", "surrogatepass").translate(None, _NOT_CJK_LEAD_BYTES))


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds a Chinese, Japanese or Korean character (each counts as a word)."""
    return _may_hold_cjk(text) and _CJK_RE.search(text) is not None


def count_words(text: str) -> int:
    """Words in ``text``: each CJK character is one, every other space-separated token with a letter or digit one."""
    if _may_hold_cjk(text) and (cjk := len(_CJK_RE.findall(text))):
        return cjk + len(_TOKEN_START_RE.findall(_CJK_RE.sub(" ", text)))
    # The tokens less those of punctuation alone: what ``_TOKEN_START_RE`` counts, for a quarter less time (a
    # pattern opening with a look-behind is tried at every position; this one opens with the rare punctuation).
    return len(text.split()) - len(_WORDLESS_TOKEN_RE.findall(text))


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text`` (whitespace collapsed), in order; the text itself when it has no sentence end."""
    text = " ".join(text.split())
    out: list[str] = []
    start = 0
    for m in _END_RE.finditer(text):
        candidate = text[start : m.start()].rstrip()
        last = candidate.rsplit(" ", 1)[-1].rstrip(".!?…\"'”’»)]").lower()
        if not candidate or (candidate.endswith(".") and _is_abbreviation(last)):
            continue
        out.append(candidate)
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def _is_abbreviation(word: str) -> bool:
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def paragraphs(sentences: list[str], target_words: int = PARAGRAPH_WORDS) -> list[str]:
    """Consecutive sentences joined into paragraphs of about ``target_words`` words (never fewer than one sentence)."""
    out: list[str] = []
    current: list[str] = []
    size = 0
    for sentence in sentences:
        current.append(sentence)
        size += count_words(sentence)
        if size >= target_words:
            out.append(" ".join(current))
            current, size = [], 0
    if current:
        out.append(" ".join(current))
    return out
