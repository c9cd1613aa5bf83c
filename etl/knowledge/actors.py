"""The actors knowledge base: canonical actors, their aliases, and fast lookup / scanning.

Data lives in ``etl/knowledge/data/actors*.jsonl`` (one actor per line, format in ``etl/knowledge/data/README.md``):
``actors.jsonl`` is curated by hand, ``actors_phoenix.jsonl`` is generated from the Phoenix/PETRARCH2 dictionaries by
``scripts/build_actor_kb.py``.
``places_phoenix.txt`` lists names that alone denote a place or nationality (never an actor), so the entities stage
can tell "Misrata" the city from "Misrata militias" the armed group.

Curated entries win over generated ones: files are read curated first, and an alias already claimed is skipped.
Matching is done on a normalised form (case, diacritics, hyphens, apostrophes, leading "al-", titles) so "Hifter",
"HAFTAR" and "General Haftar" all land on Khalifa Haftar.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from etl.errors import ConfigurationError
from etl.knowledge.folding import fold_with_map, strip_marks_keep_case
from etl.knowledge.wordscan import WordAutomaton
from etl.records import ACTOR_TYPES, EntityType

DEFAULT_DIR = Path(__file__).resolve().parent / "data"
REQUIRED_FIELDS = ("id", "name", "type", "aliases", "source")
CURATED_FILE = "actors.jsonl"
PLACES_FILE = "places_phoenix.txt"

# Words that precede a name without being part of it ("General Khalifa Haftar", "le maréchal Hafter").
TITLES = frozenset(
    """
    general gen gen. field marshal marechal maréchal president président presidente prime minister premier mr
    mr. mrs mrs. ms ms. dr dr. m. mme mme. monsieur madame colonel col col. lieutenant lt lt. major brigadier
    sheikh cheikh sheik emir king prince commander commandant envoy special ministre foreign interior defence
    defense chief head spokesman spokesperson speaker analyst director premier-ministre général
    """.split()  # noqa: SIM905  (a word list reads better as prose than as quoted items)
)
_ARTICLES = ("the ", "le ", "la ", "les ", "l'")
_ARABIC_ARTICLE = "ال"
_LOOKUP_CACHE_SIZE = 65536


def normalise(text: str) -> str:
    """The comparison form of a name: casefolded, no diacritics, dashes as spaces, single spaces, trimmed."""
    return fold_with_map(text)[0].strip()


def strip_article_prefix(norm: str) -> str:
    """Drop a leading Arabic article ("al ", "el ", "ال") from a normalised name, if something is left."""
    for prefix in ("al ", "el ", "ad ", "as ", "ash ", "az "):
        if norm.startswith(prefix) and len(norm) > len(prefix) + 2:
            return norm[len(prefix) :]
    if norm.startswith(_ARABIC_ARTICLE) and len(norm) > 4:
        return norm[len(_ARABIC_ARTICLE) :]
    return norm


@functools.lru_cache(maxsize=65536)
def clean_mention(text: str) -> str:
    """A mention as a lookup key: brackets and possessive gone, leading article and titles stripped, normalised."""
    norm = normalise(text.replace("[", "").replace("]", "").strip(' \t\n,.;:"“”«»()'))
    norm = re.sub(r"'s$|'$", "", norm).strip()
    for article in _ARTICLES:
        if norm.startswith(article):
            norm = norm[len(article) :].strip()
            break
    return norm


def strip_titles(norm: str) -> str:
    """Drop leading title words from a normalised name ("general khalifa haftar" -> "khalifa haftar")."""
    words = norm.split(" ")
    while len(words) > 1 and words[0] in TITLES:
        words = words[1:]
    return " ".join(words)


def is_case_sensitive(alias: str) -> bool:
    """Short or acronym aliases ("UN", "AU", "LNA", "HoR") only match with the exact case they are written in."""
    letters = [c for c in alias if c.isalpha()]
    if not letters:
        return False
    upper = sum(1 for c in letters if c.isupper())
    return len(alias) <= 4 or (upper >= 2 and upper >= len(letters) - 1)


@dataclass(frozen=True)
class Actor:
    """One canonical actor: a person, organisation, armed group or media outlet."""

    id: str
    name: str
    type: EntityType
    aliases: tuple[str, ...]
    wikidata: str | None
    country: str | None
    source: str


@dataclass(frozen=True)
class _Pattern:
    """One alias as the scanner sees it."""

    actor: Actor
    alias: str
    case_sensitive: bool
    phrase: bool = False  # written in lower case in the KB ("forces turques"): found in lower case too


def _read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    """Each line of a JSON-lines file as (line number, object or None if unparsable, error)."""
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            try:
                obj = json.loads(stripped)
            except json.JSONDecodeError as exc:
                yield number, None, f"invalid JSON: {exc.msg}"
                continue
            if not isinstance(obj, dict):
                yield number, None, "not a JSON object"
                continue
            yield number, obj, ""


def _kb_files(directory: Path) -> list[Path]:
    """Actor files in precedence order: the curated file first, then the others by name."""
    files = sorted(directory.glob("actors*.jsonl"))
    return sorted(files, key=lambda p: (p.name != CURATED_FILE, p.name))


def _actor_from(obj: dict[str, Any]) -> Actor:
    aliases = tuple(str(a) for a in obj.get("aliases") or () if str(a).strip())
    return Actor(
        id=str(obj["id"]),
        name=str(obj["name"]),
        type=EntityType(obj["type"]),
        aliases=aliases,
        wikidata=str(obj["wikidata"]) if obj.get("wikidata") else None,
        country=str(obj["country"]) if obj.get("country") else None,
        source=str(obj["source"]),
    )


class KnowledgeBase:
    """Actors loaded from a directory of JSON-lines files, indexed for lookup and for scanning running text."""

    _cache: ClassVar[dict[Path, KnowledgeBase]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, actors: list[Actor], places: frozenset[str], version: str) -> None:
        self.actors: tuple[Actor, ...] = tuple(actors)
        self.version = version
        self._places = places
        self._by_id: dict[str, Actor] = {}
        self._index: dict[str, Actor] = {}
        self._lookups: dict[str, Actor | None] = {}  # mention -> lookup(mention): names recur across articles
        patterns: dict[str, list[_Pattern]] = {}
        variants: dict[str, set[str]] = {}
        for actor in actors:
            if actor.id in self._by_id:
                continue  # first (curated) definition wins
            self._by_id[actor.id] = actor
            for alias in (actor.name, *actor.aliases):
                key = clean_mention(alias)
                if not key or key in self._index:
                    continue  # an alias already claimed belongs to the earlier (curated) actor
                self._index[key] = actor
                phrase = alias[:1].islower() and not _starts_with_particle(alias)
                patterns.setdefault(key, []).append(_Pattern(actor, alias, is_case_sensitive(alias), phrase))
                bare = strip_article_prefix(key)
                if bare != key:
                    variants.setdefault(bare, set()).add(actor.id)
        for bare, ids in variants.items():
            if len(ids) == 1 and bare not in self._index:  # "sarraj" for "al-Sarraj", only when unambiguous
                actor = self._by_id[next(iter(ids))]
                self._index[bare] = actor
                patterns.setdefault(bare, []).append(_Pattern(actor, bare, False))
        self._automaton: WordAutomaton[tuple[_Pattern, ...]] = WordAutomaton()
        for key, pats in patterns.items():
            self._automaton.add(key, tuple(pats))
        self._automaton.build()

    # -- loading ---------------------------------------------------------------------------------------------------

    @classmethod
    def load(cls, directory: Path | None = None) -> KnowledgeBase:
        """Load (once per process and directory) every ``actors*.jsonl`` file in ``directory`` (default: the shipped
        ``etl/knowledge/data``)."""
        path = (directory or DEFAULT_DIR).resolve()
        with cls._lock:
            cached = cls._cache.get(path)
            if cached is not None:
                return cached
            kb = cls._load_uncached(path)
            cls._cache[path] = kb
            return kb

    @classmethod
    def _load_uncached(cls, directory: Path) -> KnowledgeBase:
        if not directory.is_dir():
            raise ConfigurationError(f"knowledge base directory not found: {directory}")
        digest = hashlib.sha256()
        actors: list[Actor] = []
        for path in _kb_files(directory):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
            for number, obj, error in _read_jsonl(path):
                if obj is None:
                    raise ConfigurationError(f"{path.name}:{number}: {error}")
                try:
                    actors.append(_actor_from(obj))
                except KeyError as exc:
                    raise ConfigurationError(f"{path.name}:{number}: missing field {exc}") from exc
                except ValueError as exc:
                    raise ConfigurationError(f"{path.name}:{number}: {exc}") from exc
        places: set[str] = set()
        places_path = directory / PLACES_FILE
        if places_path.is_file():
            digest.update(places_path.name.encode() + b"\0" + places_path.read_bytes())
            for line in places_path.read_text(encoding="utf-8").splitlines():
                if line.strip() and not line.startswith("#"):
                    places.add(clean_mention(line))
        return cls(actors, frozenset(places), digest.hexdigest()[:16])

    # -- queries ---------------------------------------------------------------------------------------------------

    def get(self, actor_id: str) -> Actor | None:
        """The actor with this id."""
        return self._by_id.get(actor_id)

    def lookup(self, mention: str) -> Actor | None:
        """The actor a mention refers to, if any ("Gen. Hifter's" -> Khalifa Haftar)."""
        try:
            return self._lookups[mention]
        except KeyError:
            pass
        if len(self._lookups) >= _LOOKUP_CACHE_SIZE:
            self._lookups.clear()  # bounded: a long run sees an open-ended set of names
        actor = self._lookup(mention)
        self._lookups[mention] = actor
        return actor

    def _lookup(self, mention: str) -> Actor | None:
        key = clean_mention(mention)
        if not key:
            return None
        for candidate in (key, strip_titles(key)):
            for form in (candidate, strip_article_prefix(candidate)):
                actor = self._index.get(form)
                if actor is not None:
                    return actor
        return None

    def canonical_actor(self, name: str) -> str | None:
        """Canonical name for any alias, for search ("Hifter" -> "Khalifa Haftar", "LNA" -> "Libyan National Army")."""
        actor = self.lookup(name)
        return actor.name if actor else None

    def is_place_name(self, mention: str) -> bool:
        """True when the mention alone names a country, city or nationality (so it is not an actor)."""
        key = clean_mention(mention)
        return bool(key) and (key in self._places or strip_article_prefix(key) in self._places)

    def scan(self, text: str) -> list[tuple[int, int, Actor]]:
        """Every alias occurrence in ``text`` as (start, end, actor), leftmost-longest, on word boundaries."""
        if not self._index:
            return []
        norm, index = fold_with_map(text)
        found: list[tuple[int, int, Actor]] = []
        for norm_start, norm_end, _key, pats in self._automaton.finditer(norm):
            start, end = index[norm_start], index[norm_end - 1] + 1
            original = text[start:end]
            for pat in pats:
                if self._accept(pat, original):
                    found.append((start, end, pat.actor))
                    break
        found.sort(key=lambda hit: (hit[0], -(hit[1] - hit[0])))
        chosen: list[tuple[int, int, Actor]] = []
        last_end = -1
        for hit in found:
            if hit[0] >= last_end:
                chosen.append(hit)
                last_end = hit[1]
        return chosen

    @staticmethod
    def _accept(pat: _Pattern, original: str) -> bool:
        """Case rule: acronyms and short aliases match exactly; names must start with a capital (or be uncased)."""
        if pat.case_sensitive:
            return strip_marks_keep_case(original) == strip_marks_keep_case(pat.alias)
        first = next((c for c in original if c.isalpha()), "")
        if not first.islower():
            return True
        # An alias written in lower case in the KB is a phrase, found as written ("forces turques"); else a name.
        return pat.phrase or _starts_with_particle(original)

    def __len__(self) -> int:
        return len(self._by_id)

    @property
    def alias_count(self) -> int:
        """How many distinct normalised aliases the index holds."""
        return len(self._index)


def _starts_with_particle(original: str) -> bool:
    """Lower-case name particles are fine: "al-Sarraj", "el-Sisi", "de Mistura"."""
    return bool(re.match(r"(?:al|el|ad|as|ash|az|de|di|van|von|bin|ibn)[\s\-\u2010\u2011]", original))


def check(directory: Path | None = None) -> list[str]:
    """Every problem in a knowledge-base directory: bad JSON, missing fields, bad type, duplicate ids or aliases."""
    directory = directory or DEFAULT_DIR
    problems: list[str] = []
    if not directory.is_dir():
        return [f"{directory}: not a directory"]
    seen_ids: dict[str, str] = {}
    alias_owner: dict[str, tuple[str, str]] = {}
    for path in _kb_files(directory):
        for number, obj, error in _read_jsonl(path):
            where = f"{path.name}:{number}"
            if obj is None:
                problems.append(f"{where}: {error}")
                continue
            missing = [f for f in REQUIRED_FIELDS if f not in obj or obj[f] in (None, "")]
            if missing:
                problems.append(f"{where}: missing {', '.join(missing)}")
            actor_id = str(obj.get("id", ""))
            if actor_id:
                if actor_id in seen_ids:
                    problems.append(f"{where}: duplicate id {actor_id!r} (first in {seen_ids[actor_id]})")
                else:
                    seen_ids[actor_id] = where
            if "type" in obj and obj["type"] not in ACTOR_TYPES:
                expected = sorted(t.value for t in ACTOR_TYPES)
                problems.append(f"{where}: bad type {obj['type']!r} (expected one of {expected})")
            aliases = obj.get("aliases", [])
            if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                problems.append(f"{where}: aliases must be a list of strings")
                aliases = []
            wikidata = obj.get("wikidata")
            if wikidata and not re.fullmatch(r"Q[1-9][0-9]*", str(wikidata)):
                problems.append(f"{where}: bad wikidata id {wikidata!r}")
            names = {clean_mention(str(a)) for a in [obj.get("name", ""), *aliases]} - {""}
            for key in sorted(names):
                owner = alias_owner.get(key)
                if owner is not None and owner[0] != actor_id:
                    claimed = f"already claimed by {owner[0]!r} ({owner[1]})"
                    problems.append(f"{where}: alias {key!r} of {actor_id!r} {claimed}")
                else:
                    alias_owner[key] = (actor_id, where)
    return problems
