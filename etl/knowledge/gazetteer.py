"""The place gazetteer: names -> places, and a fast scan of a text for every place name in it.

Data is built offline by ``scripts/build_gazetteer.py`` into ``etl/knowledge/data/`` (GeoNames, ISO 3166, the
project's Libya tables); nothing here touches the network. Analyst regions come from ``etl/knowledge/data/regions.csv``
at load time, so a change of region membership is a data edit, not a code change.

Your own places (``NEWSFACET_KB_DIR/places*.csv``: name, aliases, feature, district, region, country, lat, lon,
source) are applied on top at load time (``etl.knowledge.user_places``): a row naming a shipped place of the same
feature and country (by its name, or by one of the row's aliases) updates it, any other row adds a place.
"""

from __future__ import annotations

import csv
import dataclasses
import gzip
import hashlib
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

from etl.errors import ConfigurationError
from etl.heap import freeze_long_lived
from etl.knowledge.folding import fold_keep_offsets
from etl.knowledge.wordscan import WordAutomaton
from etl.records import PlaceFeature

KB_DIR = Path(__file__).resolve().parent / "data"
PLACES_FILE = "places.tsv.gz"
REGIONS_FILE = "regions.csv"

USER_PLACES_GLOB = "places*.csv"
"""Your place files in ``NEWSFACET_KB_DIR`` (format: ``etl.knowledge.user_places``)."""

FEATURE_RANK = {"country": 0, "continent": 1, "city": 2, "state": 3, "region": 4, "district": 5}
"""Order among candidates of one name: a country beats a town of that name, a town beats its own district."""


@dataclass(frozen=True)
class Place:
    """One gazetteer entry: a country, a Libyan historical region, a Libyan district or a town."""

    place_id: str  # "gn:<id>", "country:<cc>", "continent:<code>", "iso:<ISO 3166-2>", "region:LY:<name>", "sup:<name>"
    name: str
    asciiname: str
    alternatenames: tuple[str, ...]
    lat: float | None
    lon: float | None
    population: int
    feature: PlaceFeature
    country_code: str
    country: str
    geonameid: int | None = None
    district_code: str | None = None  # ISO 3166-2 for Libya, GeoNames admin1 code elsewhere
    district: str | None = None  # district name (Libya only)
    region: str | None = None  # analyst region (Libya only)
    demonyms: tuple[str, ...] = ()  # countries only: context evidence, never a place mention by itself
    capital: bool = False  # a national capital (GeoNames' capital of the country)
    contested_region: str | None = None  # a second analyst region common usage gives it (GAZETTEER.md)

    @property
    def names(self) -> tuple[str, ...]:
        """Every spelling of this place."""
        return (self.name, self.asciiname, *self.alternatenames)


@dataclass(frozen=True)
class Region:
    """An analyst region (data from regions.csv): its member districts and a point for the map."""

    name: str
    country_code: str
    member_districts: tuple[str, ...]
    contested_districts: tuple[str, ...]
    aliases: tuple[str, ...]
    lat: float | None
    lon: float | None


def _strip_combining(text: str) -> str:
    # Arabic vowel marks (shadda, fatha...) are combining; folding keeps length so they stay, as spaces do not.
    return "".join(c for c in text if not unicodedata.combining(c))


@lru_cache(maxsize=65536)
def normalize_name(name: str) -> str:
    """Lookup form of a name: folded, trimmed, possessive "'s" and a leading "the" dropped."""
    folded = fold_keep_offsets(name)
    key = " ".join((folded if folded.isascii() else _strip_combining(folded)).split())
    for suffix in ("'s", "'"):
        if key.endswith(suffix):
            key = key[: -len(suffix)].rstrip()
    if key.startswith("the "):
        key = key[4:]
    return key


COLOUR_WORDS = frozenset(
    ("green", "white", "black", "brown", "gray", "grey", "blue", "red", "pink", "silver", "golden", "orange")
)
"""Colours that are towns somewhere (Green, Ohio; Golden, Colorado): generic alone, a name with a head ("White
Street")."""

_GENERIC_NOUNS = frozenset(
    """
    airport airfield airbase port harbour harbor terminal station hall conference palace hotel hospital stadium
    university college school mosque church square street road avenue bridge gate tower camp base prison market
    centre center park garden beach coast bay gulf sea ocean river lake valley wadi oued jabal jebel djebel mount
    mountain mountains hill hills plain plateau desert oasis island islands cape ras bir ain ayn qasr ksar marsa bab
    bend creek point ridge heights junction
    souk suq border crossing checkpoint field fields district province region city town village capital central
    north south east west northern southern eastern western upper lower new old grand great little middle
    concord union unity liberty independence freedom victory harmony progress justice hope peace reform mission
    enterprise commerce industry providence opportunity paradise split bath reading mobile marine police bank media
    time spring summer autumn winter
    """.split()  # noqa: SIM905  (a word list reads better as prose than as quoted items)
)
PLANETS = frozenset(("mercury", "venus", "mars", "jupiter", "saturn", "uranus", "neptune", "pluto"))
"""Planets NER calls places ("a probe will fly past Jupiter"): Jupiter, Florida and Mars, Pennsylvania only with
their state after them ("Jupiter, Fla.")."""
GENERIC_WORDS = _GENERIC_NOUNS | COLOUR_WORDS | PLANETS
"""Words that are place names somewhere (Airport, Texas; Concord, New Hampshire; El Oued, "the wadi") but in news are
a common noun or part of a longer name ("Mitiga Airport", "Wadi Derna", "Front for Change and Concord in Chad",
"St. Louis Police", "Time will tell", "Spring menus feature asparagus": Spring, Texas), a colour ("Green Roads",
"Vintage Green": Green, Ohio) or a planet: alone they are never resolved to a place. The Arabic and French
geographic terms are here for the same reason."""


def is_generic_word(name: str) -> bool:
    """True when ``name`` is one generic word (see ``GENERIC_WORDS``), whatever its case or article."""
    key = normalize_name(name)
    return " " not in key and key in GENERIC_WORDS


COUNTRY_TOWN = 100_000
"""A town this big names its country for ``Gazetteer.country_words`` (a village's name is often another's too)."""

DETAILED_COUNTRIES = frozenset({"LY"})
"""Countries whose every locality the gazetteer holds, with curated spellings (``scripts/build_gazetteer.py``:
Libya's cities500 and the shared Libya tables)."""

US_PARTY_TAG = re.compile(r"\((?P<party>[RD])[-–‑](?P<state>[A-Z]{2}|[A-Z][a-z]{1,4}\.|[A-Z][a-z]+)\)")
"""A US politician's party and state, written after the name: "Sen. John McCain (R-AZ)", "(D-Calif.)",
"(R-Texas)"; the entities stage reads the party, the regions stage the state."""

DIVISION_WORDS = (" state", " province")
"""Words written after a first-level division's name as part of it ("Borno State", "Helmand Province")."""


def strip_article(key: str) -> str | None:
    """The name without an Arabic article ("al-", "el-"), if it had one."""
    for prefix in ("al ", "el ", "al-", "el-", "al'", "el'"):
        if key.startswith(prefix) and len(key) - len(prefix) >= 4:
            return key[len(prefix) :]
    return None


class Gazetteer:
    """Lookup and scanning over the committed gazetteer files; load it with ``Gazetteer.load()``."""

    _cache: ClassVar[dict[tuple[Path, Path | None], Gazetteer]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, places: Sequence[Place], regions: Sequence[Region], version: str) -> None:
        self.places: tuple[Place, ...] = tuple(places)
        self.regions: dict[str, Region] = {r.name: r for r in regions}
        self.version = version
        self._by_key: dict[str, list[int]] = {}
        self._demonyms: dict[str, str] = {}
        self._case_sensitive: set[str] = set()
        self._countries: dict[str, Place] = {}
        self._divisions: dict[str, Place] = {}  # ISO 3166-2 code ("US-AZ") -> first-level division
        self._rankings: dict[tuple[int, ...], tuple[Place, ...]] = {}  # see _ranked
        self._demonym_words: dict[str, str | None] = {}  # see demonym_country
        self._candidates: dict[str, tuple[Place, ...]] = {}  # see candidates
        self._country_words: dict[str, tuple[str, ...]] = {}  # see country_words
        for idx, place in enumerate(self.places):
            if place.feature == "country":
                self._countries[place.country_code] = place
                for dem in place.demonyms:
                    self._demonyms.setdefault(normalize_name(dem), place.country_code)
            elif place.feature == "state" and place.place_id.startswith("iso:"):
                self._divisions.setdefault(place.place_id[4:], place)
            for name in dict.fromkeys(place.names):
                key = normalize_name(name)
                if not key:
                    continue
                self._add_key(key, idx)
                if name.isupper() and len(name.replace(".", "")) <= 4:
                    self._case_sensitive.add(key)
                bare = strip_article(key)
                if bare is not None:
                    self._add_key(bare, idx)
        self._automaton: WordAutomaton[tuple[int, ...]] = WordAutomaton()
        for key, indices in self._by_key.items():
            if len(key) >= 3 or key in self._case_sensitive:
                self._automaton.add(key, tuple(indices))
        self._automaton.build()

    def _add_key(self, key: str, idx: int) -> None:
        bucket = self._by_key.setdefault(key, [])
        if idx not in bucket:
            bucket.append(idx)

    @classmethod
    def load(cls, directory: Path | None = None, user_dir: Path | None = None, *, refresh: bool = False) -> Gazetteer:
        """The gazetteer in ``directory`` (default ``etl/knowledge/data``) with your places from ``user_dir``
        (``NEWSFACET_KB_DIR``) applied, read once per process; ``refresh``: reload if the files changed since."""
        path = (directory or KB_DIR).resolve()
        mine = user_dir.resolve() if user_dir is not None else None
        with cls._lock:
            cached = cls._cache.get((path, mine))
            if cached is None or (refresh and file_version(path, mine) != cached.version):
                cached = cls._read(path, mine)
                cls._cache[(path, mine)] = cached
                freeze_long_lived()  # kept for the process's life: out of the cyclic collector's walks
            return cached

    @classmethod
    def _read(cls, directory: Path, user_dir: Path | None = None) -> Gazetteer:
        raw, region_bytes, mine, version = _snapshot(directory, user_dir)
        regions = list(_parse_regions(region_bytes.decode("utf-8")))
        district_region = {d: r.name for r in regions for d in r.member_districts}
        places = list(_parse_places(gzip.decompress(raw).decode("utf-8"), district_region))
        if mine:
            from etl.knowledge.user_places import UserPlace, apply_user_places, read_user_places

            rows: list[UserPlace] = []
            for path, data in mine:
                parsed, problems = read_user_places(path, data)
                if problems:
                    raise ConfigurationError(
                        f"{problems[0]} (and {len(problems) - 1} more problem(s): run `newsfacet kb check`)"
                        if len(problems) > 1
                        else problems[0]
                    )
                rows.extend(parsed)
            places, problems = apply_user_places(places, regions, rows)
            if problems:
                raise ConfigurationError(problems[0])
        return cls(places, regions, version)

    def fingerprints(self) -> dict[str, str]:
        """Lookup key -> a short hash of everything place resolution can read under it: the ranked candidates'
        whole records (and whether the scan finds the key, case-sensitively or not); ``demonym:`` keys the
        nationality adjectives (with all their country's: linking names a state's organs by its first); and what a
        document holds of a place it reached through a roll-up, not a name in its text: ``country:<cc>``,
        ``region:<name>`` and ``district:<name>`` (the location shown, and every name of it in ``place_names``; the
        name first, readable: ``etl.knowledge.changes`` finds documents by their facets with it)."""
        cached: dict[str, str] | None = getattr(self, "_fingerprints", None)
        if cached is not None:  # the gazetteer never changes once built
            return cached
        records: dict[int, str] = {}

        def record(i: int) -> str:
            if i not in records:
                records[i] = _short_hash(dataclasses.astuple(self.places[i]))
            return records[i]

        out: dict[str, str] = {}
        for key, indices in self._by_key.items():
            scanned = len(key) >= 3 or key in self._case_sensitive
            # the ranking is a function of the records themselves: their set is what decides
            out[key] = _short_hash((sorted(record(i) for i in indices), scanned, key in self._case_sensitive))
        for word, cc in self._demonyms.items():
            country = self._countries.get(cc)
            out["demonym:" + word] = f"{cc}|{_short_hash(country.demonyms if country else ())}"
        for cc, place in self._countries.items():
            seen = _short_hash((place.lat, place.lon, place.geonameid, place.names, place.demonyms))
            out["country:" + cc] = f"{place.name}|{seen}"
        for place in self.places:
            if place.feature == PlaceFeature.DISTRICT and place.district:
                key = "district:" + place.district
                out[key] = f"{place.district}|{_short_hash((out.get(key), dataclasses.astuple(place)))}"
        for name in self.regions:
            node = self.region_place(name)
            shown = (node.lat, node.lon, node.country, node.country_code) if node else None
            out["region:" + name] = f"{name}|{_short_hash((shown, self.regions[name]))}"
        self._fingerprints = out
        return out

    # --- lookups -------------------------------------------------------------------------------------------

    def candidates(self, name: str) -> list[Place]:
        """Every place this name may denote, most likely first (country, town, region, district; then size).

        Remembered per name as written (a fresh list each call: callers may change theirs): the stages ask it of the
        same names again and again (every mention, in every article), and each time folded the name anew."""
        ranked = self._candidates.get(name)
        if ranked is None:
            ranked = self._ranking(self._indices(name))
            if len(self._candidates) < _RANKINGS_CACHED:
                self._candidates[name] = ranked
        return list(ranked)

    def _indices(self, name: str) -> list[int]:
        key = normalize_name(name)
        indices = list(self._by_key.get(key, ()))
        bare = strip_article(key)
        if not indices and bare is not None:
            indices = list(self._by_key.get(bare, ()))
        if not indices and key.endswith(DIVISION_WORDS):  # "Benue State", "Sokoto State": the state itself
            stem = key.rsplit(" ", 1)[0]
            indices = [i for i in self._by_key.get(stem, ()) if self.places[i].feature == "state"]
        return indices

    def _ranked(self, indices: Iterable[int]) -> list[Place]:
        return list(self._ranking(indices))

    def _ranking(self, indices: Iterable[int]) -> tuple[Place, ...]:
        key = tuple(indices)
        ranked = self._rankings.get(key)
        if ranked is None:  # a name's ranking never changes: sort it once per process
            places = [self.places[i] for i in key]
            ranked = tuple(sorted(places, key=lambda p: (FEATURE_RANK.get(p.feature, 9), -p.population, p.place_id)))
            if len(self._rankings) < _RANKINGS_CACHED:
                self._rankings[key] = ranked
        return ranked

    def _canonical(self, name: str, features: set[str]) -> str | None:
        for place in self.candidates(name):
            if place.feature in features:
                return place.name
        return None

    def canonical_region(self, name: str) -> str | None:
        """Analyst region for a search alias: "Fazzan" -> "Fezzan", "Barqa" -> "Cyrenaica"."""
        return self._canonical(name, {"region"})

    def canonical_country(self, name: str) -> str | None:
        """Country for a search alias: "Libye" -> "Libya", "ليبيا" -> "Libya"."""
        return self._canonical(name, {"country"})

    def canonical_place(self, name: str) -> str | None:
        """Town or district for a search alias: "Tarabulus" -> "Tripoli", "Misurata" -> "Misratah"."""
        return self._canonical(name, {"city", "district"})

    def country(self, code: str) -> Place | None:
        """The country entry for an ISO 3166-1 alpha-2 code."""
        return self._countries.get(code.upper())

    def country_words(self, code: str) -> tuple[str, ...]:
        """The words that say a story is about a country: its names, its nationality adjectives and the names of
        its towns of ``COUNTRY_TOWN`` people or more ("Libye", "Libyan", "Benghazi", "Misrata"). Worked out once
        per country and process (a pass over the places)."""
        words = self._country_words.get(code)
        if words is None:
            country = self.country(code)
            found = [*country.names, *country.demonyms] if country is not None else []
            if country is not None:
                found += [
                    name
                    for place in self.places
                    if place.country_code == country.country_code
                    and place.feature == "city"
                    and place.population >= COUNTRY_TOWN
                    for name in (place.name, place.asciiname)
                ]
            words = self._country_words[code] = tuple(dict.fromkeys(w for w in found if w))
        return words

    def division(self, iso_code: str) -> Place | None:
        """The first-level division with this ISO 3166-2 code ("US-AZ" -> Arizona)."""
        return self._divisions.get(iso_code.upper())

    def us_state(self, spelling: str) -> Place | None:
        """The US state a postal code ("AZ") or one of its names or abbreviations ("Calif.", "Texas") names."""
        if len(spelling) == 2 and (state := self.division(f"US-{spelling}")) is not None:
            return state
        return next((p for p in self.candidates(spelling) if p.feature == "state" and p.country_code == "US"), None)

    def region(self, name: str) -> Region | None:
        """An analyst region by canonical name."""
        return self.regions.get(name)

    def region_place(self, name: str) -> Place | None:
        """The gazetteer entry (with its map point) of an analyst region."""
        for place in self.candidates(name):
            if place.feature == "region" and place.name == name:
                return place
        return None

    def demonym_country(self, word: str) -> str | None:
        """Country code a nationality adjective points to ("Libyan" -> "LY"), for context only.

        Remembered per word as written: the regions stage asks it of every distinct capitalised word of an article
        (most of them the same from one article to the next), and folding each again was a tenth of a millisecond
        per article. The demonyms never change once the gazetteer is built."""
        if word in self._demonym_words:
            return self._demonym_words[word]
        found = self._demonyms.get(normalize_name(word))
        if len(self._demonym_words) < _DEMONYM_WORDS_CACHED:
            self._demonym_words[word] = found
        return found

    @property
    def name_count(self) -> int:
        """Distinct lookup keys (normalised names)."""
        return len(self._by_key)

    # --- scanning ------------------------------------------------------------------------------------------

    def scan(self, text: str) -> list[tuple[int, int, list[Place]]]:
        """Every gazetteer name in ``text`` as (start, end, candidates), longest match wins, whole words only.

        Case-insensitive except for short all-capital aliases ("US", "UK"), which must be written in capitals.
        Callers decide which hits are real places (capitalisation, context): this returns them all.
        """
        hits: list[tuple[int, int, tuple[int, ...]]] = []
        for start, end, key, indices in self._automaton.finditer(fold_keep_offsets(text)):
            if key in self._case_sensitive:
                surface = text[start:end]
                if not surface.isupper():
                    continue
            hits.append((start, end, indices))
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        out: list[tuple[int, int, list[Place]]] = []
        last_end = -1
        for start, end, indices in hits:
            if start < last_end:
                continue
            out.append((start, end, self._ranked(indices)))
            last_end = end
        return out


def _short_hash(value: object) -> str:
    return hashlib.blake2b(repr(value).encode("utf-8"), digest_size=8).hexdigest()


def user_place_files(user_dir: Path | None) -> list[Path]:
    """Your place files (``NEWSFACET_KB_DIR/places*.csv``), by name."""
    if user_dir is None:
        return []
    if not user_dir.is_dir():
        raise ConfigurationError(f"NEWSFACET_KB_DIR {user_dir} is not a folder")
    return sorted(user_dir.glob(USER_PLACES_GLOB))


def _snapshot(directory: Path, user_dir: Path | None) -> tuple[bytes, bytes, list[tuple[Path, bytes]], str]:
    """The gazetteer's files read once: places, regions, your place files, and the version (a hash of exactly
    those bytes; yours hashed last, so with none of your own the version is the shipped one)."""
    places_path = directory / PLACES_FILE
    regions_path = directory / REGIONS_FILE
    if not places_path.is_file() or not regions_path.is_file():
        raise ConfigurationError(f"gazetteer files missing in {directory}: run scripts/build_gazetteer.py")
    raw, region_bytes = places_path.read_bytes(), regions_path.read_bytes()
    mine = [(path, path.read_bytes()) for path in user_place_files(user_dir)]
    digest = hashlib.sha256()
    digest.update(raw)
    digest.update(region_bytes)
    for path, data in mine:
        digest.update(b"user:" + path.name.encode() + b"\0" + data)
    return raw, region_bytes, mine, digest.hexdigest()[:16]


def file_version(directory: Path | None = None, user_dir: Path | None = None) -> str:
    """The version the gazetteer in these files would have, without building it (hashing only)."""
    return _snapshot((directory or KB_DIR).resolve(), user_dir)[3]


_RANKINGS_CACHED = 100_000  # distinct names ranked and kept; the gazetteer has about 90,000 keys
_DEMONYM_WORDS_CACHED = 200_000  # distinct words whose demonym answer is kept (a few megabytes at most)


def _opt_float(value: str) -> float | None:
    return float(value) if value else None


def _split(value: str) -> tuple[str, ...]:
    return tuple(v for v in value.split("|") if v) if value else ()


def _parse_places(text: str, district_region: dict[str, str]) -> Iterable[Place]:
    lines = text.splitlines()
    header = lines[0].split("\t")
    col = {name: i for i, name in enumerate(header)}
    for line in lines[1:]:
        if not line:
            continue
        f = line.split("\t")
        code = f[col["district_code"]]
        cc = f[col["country_code"]]
        region = f[col["region"]] or None
        if cc == "LY" and code in district_region and f[col["feature"]] != "region":
            region = district_region[code]
        yield Place(
            place_id=f[col["place_id"]],
            geonameid=int(f[col["geonameid"]]) if f[col["geonameid"]] else None,
            name=f[col["name"]],
            asciiname=f[col["asciiname"]],
            alternatenames=_split(f[col["alternatenames"]]),
            lat=_opt_float(f[col["lat"]]),
            lon=_opt_float(f[col["lon"]]),
            population=int(f[col["population"]] or 0),
            feature=PlaceFeature(f[col["feature"]]),
            country_code=cc,
            country=f[col["country"]],
            district_code=code or None,
            district=f[col["district"]] or None,
            region=region,
            demonyms=_split(f[col["demonyms"]]),
            capital="capital" in col and f[col["capital"]] == "1",
            contested_region=(f[col["contested_region"]] or None) if "contested_region" in col else None,
        )


def _parse_regions(text: str) -> Iterable[Region]:
    for row in csv.DictReader(text.splitlines()):
        yield Region(
            name=row["region"],
            country_code=row["country_code"],
            member_districts=_split(row["member_districts"]),
            contested_districts=_split(row["contested_districts"]),
            aliases=_split(row["aliases"]),
            lat=_opt_float(row["lat"]),
            lon=_opt_float(row["lon"]),
        )
