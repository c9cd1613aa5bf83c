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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from etl.errors import ConfigurationError
from etl.heap import freeze_long_lived
from etl.knowledge.folding import fold_with_map, strip_marks_keep_case
from etl.knowledge.wordscan import WordAutomaton
from etl.records import ACTOR_TYPES, EntityType

DEFAULT_DIR = Path(__file__).resolve().parent / "data"
REQUIRED_FIELDS = ("id", "name", "type", "aliases", "source")
CURATED_FILE = "actors.jsonl"
PLACES_FILE = "places_phoenix.txt"
GIVEN_NAMES_FILE = "given_names.txt"

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
    local_aliases: tuple[str, ...] = ()  # names other countries' institutions share: see KnowledgeBase.scan


@dataclass(frozen=True)
class _Pattern:
    """One alias as the scanner sees it."""

    actor: Actor
    alias: str
    case_sensitive: bool
    phrase: bool = False  # written in lower case in the KB ("forces turques"): found in lower case too
    local: bool = False  # one of the actor's ``local_aliases``: found only where the article names its country


def _read_jsonl(path: Path, data: bytes | None = None) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    """Each line of a JSON-lines file (or of its bytes, already read) as (line number, object or None if
    unparsable, error)."""
    try:
        text = (path.read_bytes() if data is None else data).decode("utf-8")
    except UnicodeDecodeError as exc:
        yield 1, None, f"not UTF-8 text: {exc}"
        return
    for number, line in enumerate(text.splitlines(), start=1):
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


@functools.cache
def given_names() -> frozenset[str]:
    """Known first names, normalised (``given_names.txt``, made by ``scripts/build_actor_kb.py`` from the people
    Phoenix lists with dated offices): where a person's name starts inside a span NER calls an organisation."""
    lines = (DEFAULT_DIR / GIVEN_NAMES_FILE).read_text(encoding="utf-8").splitlines()
    return frozenset(normalise(line) for line in lines if line.strip() and not line.startswith("#"))


def _kb_files(directory: Path) -> list[Path]:
    """Actor files in precedence order: the curated file first, then the others by name."""
    files = sorted(directory.glob("actors*.jsonl"))
    return sorted(files, key=lambda p: (p.name != CURATED_FILE, p.name))


def user_files(user_dir: Path | None) -> list[Path]:
    """Your own actor files (``NEWSFACET_KB_DIR/actors*.jsonl``), by name; they come before every shipped file."""
    if user_dir is None:
        return []
    if not user_dir.is_dir():
        raise ConfigurationError(f"NEWSFACET_KB_DIR {user_dir} is not a folder")
    return sorted(user_dir.glob("actors*.jsonl"))


def _where(path: Path, user: bool) -> str:
    """How a problem names its file: the shipped ones by name, yours by full path."""
    return str(path) if user else path.name


def _snapshot(directory: Path, user_dir: Path | None) -> tuple[list[tuple[Path, bytes, bool]], bytes | None, str]:
    """Every file the knowledge base is made of, read once: (path, bytes, is yours) in precedence order (yours
    first), the place-names file's bytes, and the version (a hash of exactly those bytes, so the version always
    describes what was parsed, even when a file is edited while it is read).

    The shipped files are hashed first and yours after them, so with no file of your own the version is the
    shipped one (pointing ``NEWSFACET_KB_DIR`` at an empty folder makes no document stale)."""
    shipped = [(path, path.read_bytes(), False) for path in _kb_files(directory)]
    places_path = directory / PLACES_FILE
    places = places_path.read_bytes() if places_path.is_file() else None
    mine = [(path, path.read_bytes(), True) for path in user_files(user_dir)]
    digest = hashlib.sha256()
    for path, data, _ in shipped:
        digest.update(path.name.encode() + b"\0" + data)
    if places is not None:
        digest.update(places_path.name.encode() + b"\0" + places)
    for path, data, _ in mine:
        digest.update(b"user:" + path.name.encode() + b"\0" + data)
    return mine + shipped, places, digest.hexdigest()[:16]


def file_version(directory: Path | None = None, user_dir: Path | None = None) -> str:
    """The version the knowledge base in these files would have, without building it (hashing only)."""
    return _snapshot((directory or DEFAULT_DIR).resolve(), user_dir)[2]


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
        local_aliases=tuple(str(a) for a in obj.get("local_aliases") or () if str(a).strip()),
    )


class KnowledgeBase:
    """Actors loaded from a directory of JSON-lines files, indexed for lookup and for scanning running text."""

    _cache: ClassVar[dict[tuple[Path, Path | None], KnowledgeBase]] = {}
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
            local_keys = {clean_mention(alias) for alias in actor.local_aliases}
            for alias in (actor.name, *actor.aliases):
                key = clean_mention(alias)
                phrase = alias[:1].islower() and not _starts_with_particle(alias)
                if key and phrase and self._index.get(key) is actor:  # "Touaregs" and "touaregs": both as written
                    patterns[key].append(_Pattern(actor, alias, is_case_sensitive(alias), phrase))
                    continue
                if not key or key in self._index or key in local_keys:
                    continue  # an alias already claimed belongs to the earlier (curated) actor; a local one waits
                self._index[key] = actor
                patterns.setdefault(key, []).append(_Pattern(actor, alias, is_case_sensitive(alias), phrase))
                bare = strip_article_prefix(key)
                if bare != key:
                    variants.setdefault(bare, set()).add(actor.id)
        for bare, ids in variants.items():
            if len(ids) == 1 and bare not in self._index:  # "sarraj" for "al-Sarraj", only when unambiguous
                actor = self._by_id[next(iter(ids))]
                self._index[bare] = actor
                patterns.setdefault(bare, []).append(_Pattern(actor, bare, False))
        self._local: dict[str, tuple[Actor, ...]] = {}  # local alias key -> its actors (one per country)
        for actor in self._by_id.values():
            for alias in actor.local_aliases:
                key = clean_mention(alias)
                if not key or key in self._index or actor in self._local.get(key, ()):
                    continue  # a name every article reads one way stays that actor's
                self._local[key] = (*self._local.get(key, ()), actor)
                phrase = alias[:1].islower() and not _starts_with_particle(alias)
                patterns.setdefault(key, []).append(_Pattern(actor, alias, is_case_sensitive(alias), phrase, True))
        self._automaton_patterns = patterns
        self._automaton: WordAutomaton[tuple[_Pattern, ...]] = WordAutomaton()
        for key, pats in patterns.items():
            self._automaton.add(key, tuple(pats))
        self._automaton.build()

    # -- loading ---------------------------------------------------------------------------------------------------

    @classmethod
    def load(
        cls, directory: Path | None = None, user_dir: Path | None = None, *, refresh: bool = False
    ) -> KnowledgeBase:
        """Load (once per process, directory and user folder) every ``actors*.jsonl`` file in ``directory``
        (default: the shipped ``etl/knowledge/data``) and in ``user_dir`` (``NEWSFACET_KB_DIR``: yours, which
        extend and override the shipped ones).

        ``refresh``: hash the files again and reload if they changed since (a relink, or an ingest checking that
        the knowledge it used is still the current one); otherwise the first load of the process is kept.
        """
        path = (directory or DEFAULT_DIR).resolve()
        mine = user_dir.resolve() if user_dir is not None else None
        with cls._lock:
            cached = cls._cache.get((path, mine))
            if cached is not None and (not refresh or file_version(path, mine) == cached.version):
                return cached
            kb = cls._load_uncached(path, mine)
            cls._cache[(path, mine)] = kb
            freeze_long_lived()  # kept for the process's life: out of the cyclic collector's walks
            return kb

    @classmethod
    def _load_uncached(cls, directory: Path, user_dir: Path | None = None) -> KnowledgeBase:
        if not directory.is_dir():
            raise ConfigurationError(f"knowledge base directory not found: {directory}")
        files, places_bytes, version = _snapshot(directory, user_dir)
        actors: list[Actor] = []
        for path, data, user in files:  # yours first: the first definition of an id, and of an alias, wins
            where = _where(path, user)
            for number, obj, error in _read_jsonl(path, data):
                if obj is None:
                    raise ConfigurationError(f"{where}:{number}: {error}")
                try:
                    actors.append(_actor_from(obj))
                except KeyError as exc:
                    raise ConfigurationError(f"{where}:{number}: missing field {exc}") from exc
                except ValueError as exc:
                    raise ConfigurationError(f"{where}:{number}: {exc}") from exc
        places: set[str] = set()
        if places_bytes is not None:
            for line in places_bytes.decode("utf-8").splitlines():
                if line.strip() and not line.startswith("#"):
                    places.add(clean_mention(line))
        return cls(actors, frozenset(places), version)

    def fingerprints(self) -> dict[str, str]:
        """Lookup key -> a short hash of everything linking can read under that key: the actor it names (id,
        name, type, wikidata, and all its aliases: a document lists them in ``actor_names``) and how the scanner
        matches it (alias spellings, case rule); ``place:`` keys are the names that alone denote a place.

        Two versions' fingerprints differ exactly at the keys whose answers differ, which is how a relink knows
        which documents a knowledge change can touch (``etl.knowledge.changes``)."""
        cached: dict[str, str] | None = getattr(self, "_fingerprints", None)
        if cached is not None:  # the knowledge base never changes once built
            return cached
        out: dict[str, str] = {}
        for key, actor in self._index.items():
            patterns = sorted((p.alias, p.case_sensitive) for p in self._automaton_patterns.get(key, ()))
            out[key] = _short_hash(
                (actor.id, actor.name, str(actor.type), actor.wikidata, sorted(actor.aliases), patterns)
            )
        for key, local in self._local.items():
            patterns = sorted((p.alias, p.case_sensitive) for p in self._automaton_patterns.get(key, ()))
            out[key] = _short_hash(("local", [(a.id, a.name, str(a.type), a.country) for a in local], patterns))
        for key in self._places:
            out["place:" + key] = "1"
        self._fingerprints = out
        return out

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

    def scan(self, text: str, country_named: Callable[[Actor], bool] | None = None) -> list[tuple[int, int, Actor]]:
        """Every alias occurrence in ``text`` as (start, end, actor), leftmost-longest, on word boundaries.

        ``country_named``: whether the article names an actor's country, asked for two kinds of hits only (without
        it, neither counts): an organisation's name of three words or more written in lower case ("le gouvernement
        d'unité nationale", French typography), and a ``local_aliases`` name, which other countries' institutions
        share ("the House of Representatives", "the Presidential Council", "the Red Crescent")."""
        if not self._index:
            return []
        norm, index = fold_with_map(text)
        found: list[tuple[int, int, Actor]] = []
        for norm_start, norm_end, _key, pats in self._automaton.finditer(norm):
            start, end = index.span(norm_start, norm_end)
            original = text[start:end]
            for pat in pats:
                accepted = self._accept(pat, original)
                if pat.local or not accepted:  # both kinds that count only where the article names the country
                    accepted = (
                        (accepted or _institution_in_lower_case(pat, original))
                        and country_named is not None
                        and country_named(pat.actor)
                    )
                if accepted:
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


def _short_hash(value: Any) -> str:
    return hashlib.blake2b(repr(value).encode("utf-8"), digest_size=8).hexdigest()


_INSTITUTION_TYPES = frozenset(("organization", "armed_group"))


def _institution_in_lower_case(pat: _Pattern, original: str) -> bool:
    """An organisation's capitalised name of three words or more, written here in lower case."""
    return (
        not pat.case_sensitive
        and pat.actor.type.value in _INSTITUTION_TYPES
        and original[:1].islower()
        and len(pat.alias.split()) >= 3
    )


def _starts_with_particle(original: str) -> bool:
    """Lower-case name particles are fine: "al-Sarraj", "el-Sisi", "de Mistura"."""
    return bool(re.match(r"(?:al|el|ad|as|ash|az|de|di|van|von|bin|ibn)[\s\-\u2010\u2011]", original))


def check(directory: Path | None = None, user_dir: Path | None = None) -> list[str]:
    """Every problem in the knowledge-base files (the shipped ``directory`` and your ``user_dir``), each as
    ``file:line: what``: bad JSON, missing fields, bad type, duplicate ids or aliases.

    One of your entries taking an id or an alias from a shipped entry is an override, not a problem
    (``overrides`` lists them); two of your own entries claiming one alias is a problem, as it is between
    shipped ones."""
    return _review(directory or DEFAULT_DIR, user_dir)[0]


def overrides(directory: Path | None = None, user_dir: Path | None = None) -> list[str]:
    """Where your entries replace a shipped actor (same id) or take an alias from one (``file:line: what``)."""
    return _review(directory or DEFAULT_DIR, user_dir)[1]


def _review(directory: Path, user_dir: Path | None) -> tuple[list[str], list[str]]:
    problems: list[str] = []
    notes: list[str] = []
    if not directory.is_dir():
        return [f"{directory}: not a directory"], []
    if user_dir is not None and not user_dir.is_dir():
        return [f"NEWSFACET_KB_DIR {user_dir}: not a directory"], []
    files = [(p, True) for p in user_files(user_dir)] + [(p, False) for p in _kb_files(directory)]
    seen_ids: dict[str, tuple[str, bool]] = {}
    alias_owner: dict[str, tuple[str, str, bool]] = {}
    local_claims: list[tuple[str, str, str]] = []  # (key, actor id, where): a local alias no actor may claim whole
    for path, user in files:
        for number, obj, error in _read_jsonl(path):
            where = f"{_where(path, user)}:{number}"
            if obj is None:
                problems.append(f"{where}: {error}")
                continue
            missing = [f for f in REQUIRED_FIELDS if f not in obj or obj[f] in (None, "")]
            if missing:
                problems.append(f"{where}: missing {', '.join(missing)}")
            actor_id = str(obj.get("id", ""))
            if actor_id:
                first = seen_ids.get(actor_id)
                if first is None:
                    seen_ids[actor_id] = (where, user)
                elif first[1] and not user:
                    notes.append(f"{first[0]}: replaces the shipped actor {actor_id!r} ({where})")
                    continue  # the shipped entry is not used: its aliases claim nothing
                else:
                    problems.append(f"{where}: duplicate id {actor_id!r} (first in {first[0]})")
            if "type" in obj and obj["type"] not in ACTOR_TYPES:
                expected = sorted(t.value for t in ACTOR_TYPES)
                problems.append(f"{where}: bad type {obj['type']!r} (expected one of {expected})")
            if not isinstance(obj.get("name", ""), str):
                problems.append(f"{where}: name must be a string")
            aliases = obj.get("aliases", [])
            if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                problems.append(f"{where}: aliases must be a list of strings")
                aliases = []
            local = obj.get("local_aliases", [])
            if not isinstance(local, list) or not all(isinstance(a, str) for a in local):
                problems.append(f"{where}: local_aliases must be a list of strings")
            elif local and not obj.get("country"):
                problems.append(f"{where}: local_aliases need the actor's country (they count where it is named)")
            else:
                local_claims.extend((clean_mention(a), actor_id, where) for a in local)
            wikidata = obj.get("wikidata")
            if wikidata and not re.fullmatch(r"Q[1-9][0-9]*", str(wikidata)):
                problems.append(f"{where}: bad wikidata id {wikidata!r}")
            names = {clean_mention(str(a)) for a in [obj.get("name", ""), *aliases]} - {""}
            for key in sorted(names):
                owner = alias_owner.get(key)
                if owner is None:
                    alias_owner[key] = (actor_id, where, user)
                elif owner[0] == actor_id:
                    continue
                elif owner[2] and not user:
                    notes.append(
                        f"{owner[1]}: alias {key!r} now names {owner[0]!r}, not the shipped {actor_id!r} ({where})"
                    )
                else:
                    claimed = f"already claimed by {owner[0]!r} ({owner[1]})"
                    problems.append(f"{where}: alias {key!r} of {actor_id!r} {claimed}")
    for key, actor_id, where in local_claims:
        owner = alias_owner.get(key)
        if key and owner is not None and owner[0] != actor_id:
            problems.append(f"{where}: local alias {key!r} of {actor_id!r} is an alias of {owner[0]!r} ({owner[1]})")
    return problems, notes
