"""What a change of knowledge can touch: which documents a relink must re-derive, and which only need the new
version stamped.

Each knowledge version leaves a snapshot of its fingerprints under ``NEWSFACET_DATA_DIR/knowledge/``
(``KnowledgeBase.fingerprints`` and ``Gazetteer.fingerprints``: lookup key -> hash of everything linking and place
resolution read under that key). Comparing a document's version with the current one gives the keys whose answers
differ. Linking and place resolution only ever consult the knowledge through keys made of the words of the text
(an alias or place name found by the scanners, the normal form of an NER span, a nationality adjective), plus the
country and region records behind the locations a document already has. So a document none of whose words makes up
a changed key, and whose countries and regions did not change, is re-derived into exactly what it holds: only its
version changes. ``tests/unit/test_relink_changes.py`` checks that against full re-derivation on random edits.

When the old version left no snapshot (documents made before snapshots were kept, or a snapshot deleted), every
document of that version is re-derived.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from etl.knowledge.folding import fold_char, fold_keep_offsets
from etl.knowledge.loader import Knowledge
from etl.settings import Settings

_RUN = re.compile(r"[^\W_]+")  # an alphanumeric run: the scanners' word boundaries are alphanumeric
_NOT_RUN = re.compile(r"[\W_]+")
_ARABIC_ARTICLE = "ال"
KEEP_SNAPSHOTS = 50
AUTOMATON_WORDS = 20_000
"""Up to this many changed words, a document's are found by one Aho-Corasick pass over each folding of its text
(``Changes._words_in``); past it (a rebuilt gazetteer), from its whole word set (``document_words``)."""


def snapshot_dir(settings: Settings) -> Path:
    return settings.data_dir / "knowledge"


def _path(settings: Settings, kind: str, version: str) -> Path:
    return snapshot_dir(settings) / f"{kind}-{version}.json.gz"


def ensure_snapshots(settings: Settings, knowledge: Knowledge) -> None:
    """Leave the fingerprints of this knowledge version for future relinks (once per version; a lost snapshot
    only costs a full re-derivation of that version's documents)."""
    for kind, version, source in (
        ("kb", knowledge.kb.version, knowledge.kb),
        ("gaz", knowledge.gazetteer.version, knowledge.gazetteer),
    ):
        path = _path(settings, kind, version)
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{id(source):x}.tmp")
        tmp.write_bytes(gzip.compress(json.dumps(source.fingerprints(), separators=(",", ":")).encode(), 1))
        tmp.replace(path)
    _prune(settings)


def _prune(settings: Settings) -> None:
    """Keep the ``KEEP_SNAPSHOTS`` newest snapshots of each kind: older versions' documents were relinked long
    ago (and if not, they are re-derived in full)."""
    for kind in ("kb", "gaz"):
        found = sorted(snapshot_dir(settings).glob(f"{kind}-*.json.gz"), key=lambda p: p.stat().st_mtime)
        for old in found[:-KEEP_SNAPSHOTS]:
            old.unlink(missing_ok=True)


def load_fingerprints(settings: Settings, kind: str, version: str) -> dict[str, str] | None:
    try:
        data = json.loads(gzip.decompress(_path(settings, kind, version).read_bytes()))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


@dataclass(frozen=True)
class Changes:
    """The difference between one (kb, gazetteer) version pair and the current knowledge."""

    everything: bool = False  # no snapshot of the old version: re-derive every document
    keys: tuple[tuple[str, ...], ...] = ()  # changed keys as their words in order: a document writing one is touched
    countries: frozenset[str] = frozenset()  # country names whose record changed
    regions: frozenset[str] = frozenset()  # analyst regions whose record changed
    districts: frozenset[str] = frozenset()  # districts whose record changed
    _by_word: dict[str, list[frozenset[str]]] = field(default_factory=dict, compare=False, repr=False)
    _built: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for key in self.keys:
            words = frozenset(key)
            self._by_word.setdefault(min(words) if words else "", []).append(words)

    @property
    def nothing(self) -> bool:
        """True when no document can change (versions differ, answers do not: a comment edited)."""
        return not (self.everything or self.keys or self.countries or self.regions or self.districts)

    def touches(
        self, text: str, countries: Iterable[str], regions: Iterable[str], districts: Iterable[str] = ()
    ) -> bool:
        """Whether a document with this analysed text and these facets may be re-derived differently.

        A key is only ever consulted for words written one after the other in the text (an alias or place name the
        scanners find, the normal form of an NER span: the span's words, some leading ones or an Arabic article
        dropped), so the key's words must follow each other, with nothing but spaces and punctuation between, in
        one of the text's foldings (``Changes._written``). Past ``AUTOMATON_WORDS`` changed words (a rebuilt
        gazetteer), the looser test of every word anywhere in the text is used (``document_words``)."""
        if self.everything or "" in self._by_word:
            return True
        if (
            self.countries.intersection(countries)
            or self.regions.intersection(regions)
            or self.districts.intersection(districts)
        ):
            return True
        if not self.keys:
            return False
        if len(self._by_word) <= AUTOMATON_WORDS:
            return self._written(text)
        words = document_words(text)
        return any(ks <= words for w in words.intersection(self._by_word) for ks in self._by_word[w])

    def _written(self, text: str) -> bool:
        """Whether some changed key is written in the text: one Aho-Corasick pass over each folding of it, reduced
        to its words with one space between (so punctuation and line breaks between a key's words do not hide it)."""
        automaton = self._automaton()
        for variant in _foldings(text):
            words = " " + _NOT_RUN.sub(" ", variant).strip() + " "
            for _ in automaton.iter(words):
                return True
        return False

    def _automaton(self) -> Any:
        built = self._built.get("automaton")
        if built is None:
            import ahocorasick  # untyped (no stubs)

            built = ahocorasick.Automaton()
            for key in self.keys:
                phrase = " ".join(key)
                for form in (f" {phrase} ", f" {_ARABIC_ARTICLE}{phrase} "):  # "الحفتر" is looked up as "حفتر"
                    built.add_word(form, form)
            built.make_automaton()
            self._built["automaton"] = built
        return built

    @property
    def size(self) -> int:
        return len(self.keys) + len(self.countries) + len(self.regions) + len(self.districts)


_FACETS = ("country", "region", "district")
"""Fingerprint kinds about what a document holds through a roll-up: the changed names are matched to its facets."""


def _diff(old: dict[str, str], new: dict[str, str]) -> tuple[set[tuple[str, ...]], dict[str, set[str]]]:
    """The keys whose fingerprints differ (as their words), and per facet the names whose record differs."""
    keys: set[tuple[str, ...]] = set()
    facets: dict[str, set[str]] = {kind: set() for kind in _FACETS}
    for key in old.keys() | new.keys():
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        kind, _, rest = key.partition(":")
        if kind in facets:
            facets[kind].update(v.split("|", 1)[0] for v in (before, after) if v)
            continue
        if kind not in ("demonym", "place"):
            rest = key
        keys.add(tuple(_RUN.findall(rest)))
    return keys, facets


def changes_between(settings: Settings, old_versions: tuple[str, str], knowledge: Knowledge) -> Changes:
    """What differs between the knowledge of ``old_versions`` and ``knowledge``.

    The current knowledge's fingerprints come from its snapshot when there is one (``ensure_snapshots`` leaves it:
    reading it is faster than computing the gazetteer's again in every worker)."""
    keys: set[tuple[str, ...]] = set()
    facets: dict[str, set[str]] = {kind: set() for kind in _FACETS}
    for kind, old_version, source in (
        ("kb", old_versions[0], knowledge.kb),
        ("gaz", old_versions[1], knowledge.gazetteer),
    ):
        if old_version == source.version:
            continue
        old = load_fingerprints(settings, kind, old_version)
        if old is None:
            return Changes(everything=True)
        new = _current.get((kind, source.version))
        if new is None:
            new = load_fingerprints(settings, kind, source.version) or source.fingerprints()
            _current[(kind, source.version)] = new
        k, f = _diff(old, new)
        keys |= k
        for name, changed in f.items():
            facets[name] |= changed
    return Changes(
        keys=tuple(sorted(keys)),
        countries=frozenset(facets["country"]),
        regions=frozenset(facets["region"]),
        districts=frozenset(facets["district"]),
    )


_current: dict[tuple[str, str], dict[str, str]] = {}  # the current knowledge's fingerprints, read once per process


@lru_cache(maxsize=4096)
def _table(chars: frozenset[str]) -> tuple[dict[int, str], bool]:
    table = {ord(c): fold_char(c) for c in chars}
    return table, any(len(v) != 1 for v in table.values())


def _strip_combining(text: str) -> str:
    return "".join(c for c in text if not unicodedata.combining(c))


def _foldings(text: str) -> list[str]:
    """The text under each folding a knowledge key may be compared in (see ``document_words``)."""
    variants = [text]
    if "[" in text or "]" in text:
        variants.append(text.replace("[", "").replace("]", ""))
    out: list[str] = []
    for variant in variants:
        chars = frozenset(variant)
        if all(c.isascii() or not (c.isalnum() or _joins_words(c)) for c in chars):
            # ASCII words between punctuation that folds to punctuation (curly quotes, dashes): every folding is the
            # lower case text, as far as words go
            out.append(variant.lower())
            continue
        table, uneven = _table(chars)
        out.append(variant.translate(table))
        if uneven:
            kept = fold_keep_offsets(variant)
            out.extend((kept, _strip_combining(kept)))
    return out


def document_words(text: str) -> set[str]:
    """Every word a knowledge key built from this text can contain: the alphanumeric runs of the text under each
    of the knowledge's foldings (the knowledge base's full fold, the gazetteer's offset-keeping fold and its
    combining-mark-free form), also with brackets removed (a mention "[Muammar] Kadhafi" is looked up without
    them) and with an Arabic article taken off a word ("الحفتر" is also looked up as "حفتر").

    Fast path: the raw text's words are folded one distinct word at a time (cached: articles share most words),
    which gives the very same runs unless a character outside the words folds into a word character or into
    nothing (a combining mark between letters, "™"): then the whole text is folded (``_by_folding_the_text``)."""
    if any(_joins_words(c) for c in set(text) if not c.isalnum()):
        return _by_folding_the_text(text)
    raws = set(_RUN.findall(text))
    if "[" in text or "]" in text:
        raws.update(_RUN.findall(text.replace("[", "").replace("]", "")))
    words: set[str] = set()
    for raw in raws:
        words.update(_folded_word(raw))
    return words


@lru_cache(maxsize=4096)
def _joins_words(ch: str) -> bool:
    """A character outside words whose folding (any of them) is a word character, or nothing: folding the text
    would join or extend its neighbouring words."""
    return any(
        folded == "" or any(c.isalnum() for c in folded)
        for folded in (fold_char(ch), fold_keep_offsets(ch), _strip_combining(fold_keep_offsets(ch)))
    )


@lru_cache(maxsize=65536)
def _folded_word(raw: str) -> frozenset[str]:
    """The runs one raw word gives under every folding, with an Arabic article taken off too."""
    runs = set(_RUN.findall(raw.translate(_table(frozenset(raw))[0])))
    kept = fold_keep_offsets(raw)
    runs.update(_RUN.findall(kept))
    runs.update(_RUN.findall(_strip_combining(kept)))
    runs.update([w[len(_ARABIC_ARTICLE) :] for w in runs if w.startswith(_ARABIC_ARTICLE) and len(w) > 2])
    return frozenset(runs)


def _by_folding_the_text(text: str) -> set[str]:
    """``document_words`` the plain way: the whole text folded each way, then its runs."""
    variants = [text]
    if "[" in text or "]" in text:
        variants.append(text.replace("[", "").replace("]", ""))
    words: set[str] = set()
    for variant in variants:
        table, uneven = _table(frozenset(variant))
        words.update(_RUN.findall(variant.translate(table)))
        if uneven:  # some character folds to none or several: the gazetteer's fold differs from the full one
            kept = fold_keep_offsets(variant)
            words.update(_RUN.findall(kept))
            words.update(_RUN.findall(_strip_combining(kept)))
    words.update([w[len(_ARABIC_ARTICLE) :] for w in words if w.startswith(_ARABIC_ARTICLE) and len(w) > 2])
    return words
