"""Quote attribution: which quoted passages an article holds and who says each one.

Separate from ``etl.entities`` because it is a concern of its own (issue 10: modules cut by concern): it reads the
linker's finished mentions (where each actor is named, its type and display name) and the text's quotation marks
and reporting verbs, and changes none of them. The linker decides who is in an article; this decides who speaks.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from itertools import accumulate
from typing import Protocol

from etl.knowledge.actors import Actor
from etl.knowledge.wordscan import trie_pattern
from etl.records import Quote


class Found(Protocol):
    """A linked mention as the linker records it: where it stands and the entity key it resolved to."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...

    @property
    def key(self) -> str: ...


_VERBS = (
    r"says|said|say|explains|explained|comments|commented|continues|continued|adds|added|notes|noted|argues|argued|"
    r"warns|warned|insists|insisted|stresses|stressed|states|stated|reckons|recalls|recalled|concludes|concluded|"
    r"asserts|asserted|believes|points out|pointed out|"
    r"explique|a expliqué|déclare|a déclaré|affirme|a affirmé|ajoute|a ajouté|estime|a estimé|souligne|a souligné|"
    r"poursuit|dit|a dit|indique|a indiqué|précise|a précisé|assure|a assuré|commente|note|confie|raconte|insiste"
)
_SUBJECT_VERBS = _VERBS + r"|told|tells|tell|a confié|a raconté"
_IGNORECASE_ALSO = {"i": "\u0130\u0131", "k": "\u212a", "s": "\u017f"}
"""The non-ASCII letters ``re.IGNORECASE`` also matches for these ASCII ones (dotted and dotless I, Kelvin, long s)."""


def _words_at_word_start(alternatives: str) -> str:
    r"""``\b(?i:alternatives)`` (ASCII-lettered words) written so that the regex engine scans for the first letters.

    Why: a pattern that opens with ``\b`` is tried at every position of the text; one that opens with a character
    class is scanned for in a tight loop. So: the first letter (either case), the word boundary as a look back at the
    character before it, then per first letter that letter's words less their first letter, in their order (only
    words with that first letter can match there, so the alternative chosen is the same). The unit tests compare
    both."""
    words = alternatives.split("|")
    by_first: dict[str, list[str]] = {}
    for word in words:
        by_first.setdefault(word[0].lower(), []).append(word[1:])
    if not all(first.isascii() and first.isalpha() for first in by_first):
        raise ValueError("only words that start with an ASCII letter")

    def cased(first: str) -> str:
        return first + first.upper() + _IGNORECASE_ALSO.get(first, "")

    branches = "|".join(f"(?<=[{cased(first)}])(?i:{'|'.join(rest)})" for first, rest in by_first.items())
    return rf"[{''.join(cased(first) for first in by_first)}](?<!\w.)(?:{branches})"


_INVERTED = re.compile(_words_at_word_start(rf"{_VERBS}|according to|selon|d'après") + r"\s+")
_SUBJECT = re.compile(rf"(?:\s*,[^,\"“”«»]{{1,90}},)?\s+(?:has\s+|had\s+|also\s+|then\s+)?(?:{_SUBJECT_VERBS})\b")
_PRONOUN = re.compile(
    rf"\b(?:he|she|He|She|il|elle|Il|Elle)\s+(?:has\s+|had\s+|also\s+)?{trie_pattern(_SUBJECT_VERBS.split('|'))}\b"
    rf"|\b{trie_pattern(_VERBS.split('|'))}\s+(?:he|she)\b|\b\w++-t-(?:il|elle)\b"
    r"|\b(?:dit|ajoute|poursuit|explique|estime)-(?:il|elle)\b"
)
r"""The pronoun next to a reporting verb: ``\b(?:he|she|He|She|il|elle|Il|Elle)\s+(?:has\s+|had\s+|also\s+)?
(?:{_SUBJECT_VERBS})\b|\b(?:{_VERBS})\s+(?:he|she)\b|\b\w+-t-(?:il|elle)\b|\b(?:dit|...)-(?:il|elle)\b``, with
the verbs as tries (no verb begins another and can also be followed by a white space or a word boundary, so the same
verb is read) and ``\w++`` (a word never holds the "-" after it: giving characters back never helps). Tried at every
word boundary, the plain alternations took half as long again. The unit tests compare both."""
_REPORTING = re.compile(
    rf"\s+(?:{_SUBJECT_VERBS}|doubts|doubted|thinks|thought|fears|feared|hopes|hoped|suggests|suggested|predicts|"
    r"expects|expected|doute|pense|craint|espère)\b"
)
_SKIP_BEFORE_NAME = re.compile(r"(?:(?:the|le|la|l')\s+)?(?:[A-Z][a-z]+\s+){0,3}?")
_QUOTE_CHARS = '"“”«»„'
_QUOTE_MARK = re.compile("[" + re.escape(_QUOTE_CHARS) + "]")


def _quoted_segments(paragraph: str) -> list[tuple[int, int]]:
    """Spans inside quotation marks: straight or curly, mixed pairs allowed (« opens, » closes)."""
    segments: list[tuple[int, int]] = []
    open_at: int | None = None
    for mark in _QUOTE_MARK.finditer(paragraph):  # only the marks, not every character, go through Python
        i, ch = mark.start(), mark.group()
        if ch == "«" or (open_at is None and ch != "»"):
            open_at = i + 1
        elif open_at is not None:
            segments.append((open_at, i))
            open_at = None
    return segments


def attributed_quotes(
    text: str, found: Sequence[Found], types: Mapping[str, str], names: Mapping[str, str], actors: Mapping[str, Actor]
) -> tuple[Quote, ...]:
    """Quotes with speakers: each quoted segment takes the nearest attribution in the text around it (up to the
    neighbouring segments); consecutive segments of one speaker are one quote ("A," continues Belfer, "B.");
    pronoun speakers point back to the last named speaker, also one named in indirect speech ("Belfer doubts").

    ``found``: the linker's mentions in order of discovery; ``types``, ``names``, ``actors``: its entity key ->
    type, display name, knowledge-base actor."""
    speakers = [f for f in found if types[f.key] in ("person", "organization", "armed_group")]
    by_start = {f.start: f for f in speakers}
    paragraphs = text.split("\n")
    near_paragraph = _by_paragraph(speakers, paragraphs)
    quotes: list[Quote] = []
    last_speaker: str | None = None
    offset = 0
    for number, paragraph in enumerate(paragraphs):
        base = offset
        offset += len(paragraph) + 1
        segments = _quoted_segments(paragraph)
        nearby = near_paragraph.get(number, [])
        if not segments:
            named = [f for f in nearby if _REPORTING.match(text, f.end)]
            if named and types[named[-1].key] == "person":  # "But Belfer doubts whether ..." sets up "he says"
                last_speaker = named[-1].key
            continue
        pieces: list[str] = []  # the paragraph with its quoted text blanked (same length), by slices not characters
        kept_to = 0
        for s, e in segments:
            pieces += (paragraph[kept_to:s], " " * (e - s))
            kept_to = e
        frame = "".join(pieces) + paragraph[kept_to:]
        candidates = _attributions(frame, base, by_start, nearby, segments)
        groups: list[tuple[str | None, list[str]]] = []
        for i, (s, e) in enumerate(segments):
            lo = segments[i - 1][1] if i else 0
            hi = segments[i + 1][0] if i + 1 < len(segments) else len(paragraph)
            near = [c for c in candidates if lo <= c[0] <= hi]
            speaker: str | None = None
            if near:

                def rank(c: tuple[int, str | None], s: int = s, e: int = e) -> tuple[int, bool, bool]:
                    distance = c[0] - e if c[0] >= e else s - c[0]
                    return distance, c[1] is None, types.get(c[1] or "", "") != "person"

                speaker = min(near, key=rank)[1] or last_speaker
                if speaker is not None:
                    last_speaker = speaker
            segment = paragraph[s:e].strip()
            if groups and groups[-1][0] == speaker:
                groups[-1][1].append(segment)
            else:
                groups.append((speaker, [segment]))
        for speaker, parts in groups:
            quote_text = _tidy(" ".join(parts))
            if speaker is None and len(quote_text.split()) < 6:
                continue  # scare quotes and titles, not speech
            actor = actors.get(speaker) if speaker else None
            quotes.append(
                Quote(
                    speaker=names[speaker] if speaker else None,
                    text=quote_text,
                    speaker_kb_id=actor.id if actor else None,
                )
            )
    return tuple(quotes)


def _by_paragraph(speakers: Sequence[Found], paragraphs: Sequence[str]) -> dict[int, list[Found]]:
    """Paragraph number -> the speakers whose mention ends in it or on its edges (its start, or just past its line
    break), in order: each paragraph then looks only at its own speakers (linear, not paragraphs x speakers)."""
    starts = list(accumulate((len(p) + 1 for p in paragraphs[:-1]), initial=0))
    out: dict[int, list[Found]] = {}
    for f in speakers:
        number = bisect_right(starts, f.end) - 1
        if number > 0 and f.end == starts[number]:
            out.setdefault(number - 1, []).append(f)  # also just past the previous paragraph's line break
        out.setdefault(number, []).append(f)
    return out


def _attributions(
    frame: str,
    base: int,
    by_start: Mapping[int, Found],
    speakers: Sequence[Found],
    segments: Sequence[tuple[int, int]],
) -> list[tuple[int, str | None]]:
    """Attribution points in a paragraph's unquoted text: (position, speaker key, or None for a pronoun)."""
    candidates: list[tuple[int, str | None]] = []
    for m in _INVERTED.finditer(frame):  # "explains Umberto Profazio", "comments Belfer"
        rest = _SKIP_BEFORE_NAME.match(frame, m.end())
        for pos in (m.end(), rest.end() if rest else m.end()):
            f = by_start.get(base + pos)
            if f is not None:
                candidates.append((m.start(), f.key))
                break
    for f in speakers:  # "Profazio told RFI", "Belfer, an analyst, said"
        end = f.end - base
        if 0 <= end <= len(frame) and not any(s <= end <= e for s, e in segments) and _SUBJECT.match(frame, end):
            candidates.append((end, f.key))
    candidates.extend((m.start(), None) for m in _PRONOUN.finditer(frame))  # "he told RFI", "a-t-il ajouté"
    return candidates


def _tidy(quote: str) -> str:
    """White space collapsed (``re.sub(r"\\s+", " ", quote).strip()``: ``\\s`` is ``str.split``'s white space); a
    final comma made a full stop."""
    quote = " ".join(quote.split())
    return quote[:-1] + "." if quote.endswith(",") else quote
