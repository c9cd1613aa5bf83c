"""The `regions` stage: place mentions -> resolved places rolled up to district, region and country.

Two sources of mentions are combined: spaCy's GPE/LOC/FAC spans (passed in) and a gazetteer scan of the whole text
(which also finds names NER tagged as something else, e.g. "Misrata" in "Misrata militia", and works with no NER).
A scan hit alone is weaker evidence, so it must look like a name (capitalised, not a function word, not written in
lower case elsewhere in the article, not part of a longer capitalised name or of an excluded actor span) and, unless
it is a country, a region or a city of a million people, lie in a country the article names.

Disambiguation: a country named in the article outweighs population ("Tripoli" in a Libya story is Libya's capital,
with "Beirut"/"Lebanon" it is Lebanon's); then countries of other, unambiguous places; then nationality adjectives
("Lebanese"); then population, with a bonus for national capitals. A city of a million people cancels a small
namesake's named-country bonus ("Rome" in a story that also names the US is Italy's), unless the namesake's country
is the article's main one, or local evidence backs it: a state the article names ("Parkland" with "Florida") or
closeness to the article's other places (each candidate is scored by its distance to the first-pass reading of the
other mentions). A state loses to a same-named city of 100,000 people ("New York", "Washington").

A place NER found that the gazetteer lacks is kept under its name as written (no country, no point) when a
geographic noun ends it ("Daviess County") or a preposition of place precedes it ("stuck in Samos"); "Borno State"
is the state Borno. A bare actor-span name that the article also writes after a first name ("Ashley Sutton") is that
person's surname wherever it stands alone, not a town.

Decision on nationality adjectives ("Italian", "Libyan"): they are *context only*. They help pick the right Tripoli
but never add a country to the article's countries: "a Sudanese fighter in Sabha" is a story set in Libya.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import get_close_matches
from functools import lru_cache
from itertools import accumulate, filterfalse
from typing import Any, NamedTuple

import ahocorasick  # untyped (no stubs): pyproject sets ignore_missing_imports for it

from etl.knowledge.folding import POSSESSIVE_AFTER, LowerWords
from etl.knowledge.gazetteer import (
    COLOUR_WORDS,
    DETAILED_COUNTRIES,
    DIVISION_WORDS,
    US_PARTY_TAG,
    Gazetteer,
    Place,
    is_generic_word,
    normalize_name,
)
from etl.knowledge.wordscan import WordAutomaton
from etl.records import Location, Mention, PlaceFeature

MILLION = 1_000_000
_CALENDAR = frozenset(
    (
        *("january", "february", "march", "april", "may", "june", "july", "august"),
        *("september", "october", "november", "december"),
        *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
    )
)
"""Month and day names are towns somewhere ("March", Cambridgeshire); written alone they are dates."""
_WORD = re.compile(r"[^\W\d_][\w'’.-]*", re.UNICODE)


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    """English function words; spaCy ships the list and the pipeline has spaCy already."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


@lru_cache(maxsize=16)
def _language_stop_words(language: str) -> frozenset[str]:
    """The function words of the article's language ("dabei", "para", "durant"), from spaCy's lists (shipped with
    spaCy for each language, no model needed); empty for English (``_stop_words`` covers it) or a language spaCy lacks.

    Why: GeoNames lists some as towns or as other names of cities ("Dabei" for Dubai, "Para" for Belém), and at the
    start of a sentence they are capitalised like a name."""
    if not language or language == "en" or not language.isalpha():
        return frozenset()
    from importlib import import_module

    try:
        words: frozenset[str] = frozenset(import_module(f"spacy.lang.{language}.stop_words").STOP_WORDS)
    except ImportError:
        return frozenset()
    return words


@dataclass(frozen=True)
class ResolvedMention:
    """One place mention in the text and what it resolved to (``place`` is None when nothing matched)."""

    start: int
    end: int
    text: str
    place: Place | None
    source: str  # "ner" | "scan"


@dataclass
class _Pending:
    start: int
    end: int
    text: str
    candidates: list[Place]
    source: str


class _SpanSet:
    """Spans answering "does any overlap [start, end)?" by bisection: every scan hit asks it of every NER span."""

    def __init__(self, spans: Sequence[tuple[int, int]]) -> None:
        self._ordered = sorted(spans)
        self._starts = [s for s, _ in self._ordered]
        self._max_end = list(accumulate((e for _, e in self._ordered), max))  # furthest end among the first i + 1
        self._longest = max((e - s for s, e in self._ordered), default=0)

    def overlaps(self, start: int, end: int) -> bool:
        before_end = bisect_left(self._starts, end)  # the spans starting before ``end``
        return before_end > 0 and self._max_end[before_end - 1] > start

    def overlapping(self, start: int, end: int) -> list[tuple[int, int]]:
        """The spans overlapping [start, end), in order: only those starting within the longest span's length of
        ``start`` can, so the cost is theirs, not every span's."""
        first = bisect_left(self._starts, start - self._longest)
        last = bisect_left(self._starts, end)
        return [(s, e) for s, e in self._ordered[first:last] if e > start]


_DIVISION_OFFICE = re.compile(
    r"[ \t]+(?:Deputy )?(?:Governor|Commissioners?|Executive|Sheriff(?!['’]s)|Attorney|Prosecutor|Treasurer|Clerk|"
    r"Auditor)(?![\w-])"
)
"""An office of a state or county after its name written in full ("Benue State Commissioner for Health", "Cuyahoga
County Executive Armond Budish", "the Lagos State Governor"): a person's title, so the division is a place of the
story. A body named the same way ("Osun State Police Command", "the Walker County Sheriff's Office") is an
organisation: a town or division inside an organisation's name stays no place of its own, as newswire annotates it."""
_DIVISION_WORD_END = re.compile(r"(?:County|State|Province|Governorate)$")


def division_office_after(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is a division written with its word ("Benue State", "Cuyahoga County": the scan
    takes such a name whole) and an office of it follows (``_DIVISION_OFFICE``)."""
    return (
        text[end : end + 1] in (" ", "\t")
        and _DIVISION_WORD_END.search(text, start, end) is not None
        and _DIVISION_OFFICE.match(text, end) is not None
    )


def _excluded(text: str, start: int, end: int, spans: _SpanSet) -> bool | None:
    """Inside an actor span that names more than the place ("Bank of Japan"), not merely a place plus common nouns.

    "Misrata militia" (an armed group named after its town) and a lone "Palermo" that NER took for a person keep
    their place: only other capitalised words in the span make it a name of something else. Returns None when the
    span is the bare name itself ("Barry" as a person, "Palermo" mistaken for one): then only a country the article
    names can vouch for the place. A span of a division and its office ("the Benue State Commissioner":
    ``division_office_after``) names the place too.
    """
    verdict: bool | None = False
    office = division_office_after(text, start, end)
    for s, e in spans.overlapping(start, end):
        if office and text[s:start].lower() in ("", "the "):
            continue  # "the Lagos State Governor" taken for an organisation: the state's office
        rest = text[s:start] + " " + text[end:e]
        if any(_is_capitalised(w) for w in _WORD.findall(rest)):
            return True
        if not rest.strip():
            verdict = None
    return verdict


def _neighbour(text: str, start: int, end: int) -> tuple[str, str]:
    """The words right before and after a span when only spaces (no punctuation, no line break) separate them."""
    before = ""
    i = start
    while i > 0 and text[i - 1] in " \t":
        i -= 1
    if i < start:
        j = i  # the run of word characters ending at i (a regex anchored at $ would rescan the whole prefix)
        while j > 0 and (text[j - 1].isalnum() or text[j - 1] in "_'’.-"):
            j -= 1
        before = text[j:i]
    after = ""
    j = end
    while j < len(text) and text[j] in " \t":
        j += 1
    if j > end:
        m = _WORD.match(text, j)
        after = m.group(0) if m else ""
    return before, after


def _is_capitalised(word: str) -> bool:
    return bool(word) and word[0].isupper()


def _looks_like_name(
    text: str,
    start: int,
    end: int,
    lower_words: LowerWords,
    nation: bool = False,
    division: bool = False,
    language_stops: frozenset[str] = frozenset(),
) -> bool:
    """Shape checks for a scan hit: a capitalised name standing alone, not a common word. A ``nation`` (a country,
    continent or region) may follow a German article: German writes many countries with one ("die Türkei", "den
    USA", "der Tschad"), never a town. A ``division`` named with its word ("Borno State") ends a name of its own:
    the town written before it is its town ("in Maiduguri Borno State"), not the first word of a longer name. A
    capitalised function word of the article's language (``language_stops``: "En Cyrénaïque", "Dans Tripoli") opens a
    sentence, not a name."""
    surface = text[start:end]
    first = surface[0]
    if first.isalpha() and not first.isupper() and "LATIN" in _char_script(first):
        return False
    key = normalize_name(surface)
    if key in _stop_words() or key in _CALENDAR:
        return False
    if " " not in key and key in lower_words:
        return False  # "Summit" opens a sentence, "summit" appears elsewhere: a common word here
    before, after = _neighbour(text, start, end)
    if before in _GERMAN_DETERMINERS and not nation:
        return False  # "die Lage", "das Essen", "der Halle": German capitalises nouns, some of which are towns
    stops = _stop_words()
    for word in (after,) if division else (before, after):
        if word is after and division_office_after(text, start, end):
            continue  # "Benue State Commissioner", "Cuyahoga County Executive": the division's office
        clean = word.strip(".'’-")
        key = clean.lower()
        if _is_capitalised(clean) and key not in stops and key not in language_stops and not clean.isupper():
            return False  # "Mitchell Belfer", "Chad Smith", "Paris Saint-Germain": part of a longer name
    return True


_GERMAN_DETERMINERS = frozenset(
    word
    for lower in "der die das den dem des ein eine einen einem einer eines zur zum beim vom ins ans".split()  # noqa: SIM905
    for word in (lower, lower.capitalize())
)
"""Articles (and article contractions) before a German noun; a town's name does not take one."""


@lru_cache(maxsize=512)
def _char_script(ch: str) -> str:
    import unicodedata

    return unicodedata.name(ch, "")


WELL_KNOWN = 22.0
"""Bonus of a city of a million people: as much as a country named in the article gives its own towns, so "Rome" is
Italy's unless the namesake lies in the article's main country or near the article's other places."""
MAIN_COUNTRY = 4.0
CAPITAL = 2.0
NEAR_KM = 400.0
NEAR = 8.0
"""Co-mention evidence: up to ``NEAR`` for a candidate close to another place the article names (linear to 0 at
``NEAR_KM``), the "minimum total distance" heuristic applied one mention at a time against a first-pass reading."""


def _score(place: Place, pending: _Pending, ctx: _Context) -> float:
    score = math.log10(place.population + 1)
    if place.capital:
        score += CAPITAL
    if place.feature == "country":
        score += 50
    elif place.feature == "continent":
        score += 45
    elif place.feature == "state":
        if any(
            c.feature == "city"
            and c.country_code == place.country_code
            and c.population >= 100_000
            and (c.population >= MILLION or not _named_after_state(pending.text, c))
            for c in pending.candidates
        ):
            score -= 30  # "New York", "Washington": the big city, not the state (not "Oklahoma": Oklahoma City's)
    elif place.feature == "region":
        exact = normalize_name(pending.text) == normalize_name(place.name)
        score += 60 if exact else -5
    elif place.feature == "district" and any(
        c.feature == "city" and c.district_code == place.district_code for c in pending.candidates
    ):
        score -= 30  # "Misrata" is the town, not its district
    named = ctx.named_countries.get(place.country_code, 0) if place.country_code else 0
    if (
        place.feature == "city"
        and place.population >= MILLION
        and not named
        and any(ctx.named_countries.get(c.country_code) for c in pending.candidates if c.population < MILLION)
    ):
        score += WELL_KNOWN  # only offsets a small namesake's named-country bonus; never beats a demonym alone
    if named:
        score += 20 + min(named, 5)
        if place.country_code in ctx.main_countries:
            score += MAIN_COUNTRY
    elif place.country_code in ctx.place_countries:
        score += 10
    if place.country_code in ctx.demonym_countries:
        score += 5
    if (place.feature in ("city", "district") or _in_division(place)) and (
        place.country_code,
        place.district_code,
    ) in ctx.states:
        score += NEAR  # a town or county of a state the article names ("Parkland", "Daviess County" with "Kentucky")
    if ctx.anchors and place.feature in ("city", "district", "state") and place.lat is not None:
        key = normalize_name(pending.text)
        lat, lon = place.lat, place.lon or 0.0
        p1 = math.radians(lat)
        cos_p1 = math.cos(p1)
        near = NEAR_KM
        for anchor in ctx.anchors:
            if anchor.key == key or abs(anchor.lat - lat) * _KM_PER_DEGREE_LAT >= near:
                continue  # the latitude gap alone puts it no nearer than the nearest so far
            # _km(lat, lon, anchor.lat, anchor.lon), with the anchor's and the candidate's terms computed once
            a = (
                math.sin((anchor.lat_radians - p1) / 2) ** 2
                + cos_p1 * anchor.cos_lat * math.sin(math.radians(anchor.lon - lon) / 2) ** 2
            )
            near = min(near, 12742.0 * math.asin(math.sqrt(min(1.0, a))))
        score += NEAR * max(0.0, 1.0 - near / NEAR_KM)
    return score


def _named_after_state(written: str, city: Place) -> bool:
    """Whether the city's own name is ``written`` and more ("Oklahoma City", "Kansas City" for "Oklahoma",
    "Kansas"): GeoNames lists the state's name among such a city's other names, but the name alone is the state's.
    A city also called by the state's name in another language ("Genève", Geneva's French name and its canton's)
    stays the city."""
    return normalize_name(city.name).startswith(normalize_name(written) + " ")


def _in_division(place: Place) -> bool:
    """A second-level division (a county, a department): a ``state`` row whose ``district_code`` is its parent's,
    not its own (a first-level row is ``iso:<cc>-<its code>``); it lies in the state its code names."""
    return place.feature == "state" and place.place_id != f"iso:{place.country_code}-{place.district_code}"


_KM_PER_DEGREE_LAT = 111.19
"""A lower bound of the great-circle distance per degree of latitude between two points (exact: 111.1949)."""


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 12742.0 * math.asin(math.sqrt(min(1.0, a)))


class _Anchor(NamedTuple):
    """A first-pass local place (its mention's key and point), with the terms of ``_km`` that depend on it alone."""

    key: str
    lat: float
    lon: float
    lat_radians: float
    cos_lat: float


def _anchor(key: str, lat: float, lon: float) -> _Anchor:
    lat_radians = math.radians(lat)
    return _Anchor(key, lat, lon, lat_radians, math.cos(lat_radians))


@dataclass
class _Context:
    named_countries: dict[str, int]
    place_countries: set[str]
    demonym_countries: set[str]
    main_countries: frozenset[str] = frozenset()
    states: frozenset[tuple[str, str | None]] = frozenset()
    anchors: tuple[_Anchor, ...] = ()  # first-pass local places
    best: dict[tuple[str, tuple[str, ...], int], Place] = field(default_factory=dict)  # see _best


def _best(pending: _Pending, ctx: _Context) -> Place:
    """The highest-scoring candidate. A name repeated in an article is scored once per pass: the score depends only
    on the mention's text, its candidates and the context (anchors included, hence their count in the key). A lone
    candidate is what ``max`` picks, without a score or a key (four calls in five: scores have no side effects)."""
    candidates = pending.candidates
    if len(candidates) == 1:
        return candidates[0]
    key = (pending.text, tuple(c.place_id for c in candidates), len(ctx.anchors))
    place = ctx.best.get(key)
    if place is None:
        place = ctx.best[key] = max(candidates, key=lambda p: (_score(p, pending, ctx), p.population, p.place_id))
    return place


def _first_pass_anchors(pendings: Sequence[_Pending], ctx: _Context) -> tuple[_Anchor, ...]:
    """Points of every mention's first-pass reading that are local (towns, districts, states), for co-mention
    evidence in the second pass."""
    out: dict[tuple[str, float, float], None] = {}
    for p in pendings:
        if not p.candidates:
            continue
        place = _best(p, ctx)
        if place.feature in ("city", "district", "state") and place.lat is not None and place.lon is not None:
            out[(normalize_name(p.text), place.lat, place.lon)] = None
    return tuple(_anchor(*point) for point in out)


_SPORT_SLUG = re.compile(
    r"(?i:soccer|football|cricket|tennis|rugby union|rugby league|rugby|golf|athletics|basketball|baseball|boxing|"
    r"cycling|motor racing|motorcycling|formula one|alpine skiing|skiing|horse racing|ice hockey|swimming|sailing|"
    r"rowing|badminton|squash|snooker|handball|volleyball|judo|wrestling|nhl|nba|nfl)(?: [-–—]|:) "
)
"""An agency's sports label opening the title ("RUGBY UNION - ENGLAND NAME SQUAD", "SOCCER - ..."): what a
desk files under, not a place."""


def resolve_mentions(
    text: str,
    place_mentions: Sequence[Mention],
    gazetteer: Gazetteer | None = None,
    *,
    exclude_spans: Sequence[tuple[int, int]] = (),
    language: str = "",
    scan: Sequence[tuple[int, int, list[Place]]] | None = None,
) -> list[ResolvedMention]:
    """Every place mention (NER and accepted scan hits), each resolved to one gazetteer place or to None.

    Three phases: collect the mentions (NER spans, and scan hits that look like names), read the article's context
    (countries named, nationality adjectives, states, a first reading of every mention), then decide each mention.
    """
    gaz = gazetteer or Gazetteer.load()
    if scan is None:
        scan = gaz.scan(text)
    slug = _SPORT_SLUG.match(text)
    if slug is not None:  # "RUGBY UNION - ...": a sports desk's label, no town (Rugby, Warwickshire)
        place_mentions = [m for m in place_mentions if m.start >= slug.end()]
        scan = [hit for hit in scan if hit[0] >= slug.end()]
    pending, ner_spans = _ner_mentions(text, place_mentions, scan, gaz, exclude_spans)
    scan_only, weak = _scan_mentions(text, scan, ner_spans, exclude_spans, language=language)
    scan_only.extend(_dateline_states(text, gaz))
    scan_only.extend(_town_states(text, gaz))
    scan_only.extend(_town_postal_states(text, gaz))
    scan_only.extend(_party_tag_states(text, gaz))
    ctx = _read_context(text, pending, scan_only, gaz)
    resolved = _decide(text, pending, scan_only, weak, ctx)
    resolved.extend(_state_actor_demonyms(text, gaz))
    resolved.sort(key=lambda r: (r.start, r.end))
    return resolved


_STATE_NOUNS_EN = (
    r"(?:Vice[- ])?President|Prime Minister|Premier|(?:Foreign|Defen[cs]e|Interior|Oil|Energy) Minister|Minister|"
    r"King|Emir|Crown Prince|Chancellor|[Aa]mbassador|[Ee]nvoy"
)
_STATE_NOUNS_FR = (
    r"(?:présidente?|[Pp]remier ministre|ministre des [Aa]ffaires étrangères|ministre de la [Dd]éfense|ministre|"
    r"chef de l['’][ÉE]tat|roi|émir|chancelier|ambassadeur|envoyé)"
)
_CAPITALISED_OFFICES = (
    r"(?<=P)(?:resident|rime Minister|remier)|(?<=F)oreign Minister|(?<=D)efen[cs]e Minister|(?<=I)nterior Minister|"
    r"(?<=O)il Minister|(?<=E)(?:nergy Minister|mir|nvoy)|(?<=M)inister|(?<=K)ing|(?<=C)(?:rown Prince|hancellor)"
)
"""The capitalised offices of ``_STATE_NOUNS_EN`` but "Ambassador", each written as its first letter (matched just
before) and the rest behind it."""
_STATE_NOUN_EN = re.compile(rf"[PFDIOEMKCAae](?<=[a-z] .)(?:{_CAPITALISED_OFFICES}|(?<=[Aa])mbassador|(?<=e)nvoy)\b")
"""``(?=[PFDIOEMKCA]|am|en)(?<=[a-z] )(?:{_STATE_NOUNS_EN})\\b`` (an office after a lower-case word) written to open
with the office's first letter, each office's other letters behind it: a pattern opening with a look-around is tried
at every position of the text, one opening with a character class is scanned for (a tenth of the time). The same
matches: "Vice President" never matched from its "V" (the look-ahead) and does not here either."""
_STATE_NOUN_EN_CAPITAL = re.compile(rf"[PFDIOEMKCA](?<=[a-z] .)(?:{_CAPITALISED_OFFICES}|(?<=A)mbassador)\b")
"""``_STATE_NOUN_EN`` less its two offices written in lower case ("ambassador", "envoy")."""
_LOWER_CASE_OFFICES = ("ambassador", "envoy")


def _state_office_starts(text: str) -> list[int]:
    """Where ``_STATE_NOUN_EN.finditer(text)`` finds an office, in no particular order.

    Why not that call: its "a" and "e" (for the lower-case offices) are the commonest letters, and the scan stopped
    at each. The capitalised offices are scanned for, the lower-case ones found by ``str.find`` and matched there.
    No match can hold the start of another kind (a capitalised office holds no lower-case one, and a lower-case one
    no capital), so ``finditer`` never skips one of them for overlapping the match before: the same offices."""
    starts = [m.start() for m in _STATE_NOUN_EN_CAPITAL.finditer(text)]
    for word in _LOWER_CASE_OFFICES:
        at = text.find(word)
        while at >= 0:
            if _STATE_NOUN_EN.match(text, at):
                starts.append(at)
            at = text.find(word, at + 1)
    return starts


_DEMONYM_BEFORE = re.compile(r"([A-Z][a-z]+(?:-[A-Z][a-z]+)?) $")
_DEMONYM_AFTER = re.compile(rf"(?=pr|Pr|pre|mi|ch|ro|ém|am|en)(?<![\w-]){_STATE_NOUNS_FR} ([a-zéèêëîïôç]+)\b")
"""The office first, then the nationality next to it: offices are rarer than capitalised words, so the scan tries
few positions."""
_FRENCH_OFFICE_PIECES = ("présiden", "ministre", "chef de l", "roi ", "émir", "chancelier", "ambassadeur", "envoyé")
"""A piece every match of ``_DEMONYM_AFTER`` contains: text holding none of them (most English text) skips that
scan, a tenth of the regions stage."""


_STATE_AGENTS_EN = """
    forces troops army military navy soldiers warplanes government authorities officials parliament lawmakers
    embassy diplomats delegation ministry cabinet presidency presidential parliamentary elections election leader
    leaders leadership regime intelligence police coastguard Government Army Navy Parliament Embassy
""".split()  # noqa: SIM905  (a word list reads better as prose than as quoted items)
"""The state's own agents and institutions: a nationality right before one ("Egyptian forces", "the Syrian
government", "the Ukrainian presidential elections") names the state as an actor, as an office does. Fighters,
rebels, militants, migrants or nationals are not the state: "a Sudanese fighter" stays context."""
_STATE_AGENTS_FR = """
    forces armée troupes soldats militaires gouvernement autorités responsables police parlement ambassade
    diplomates diplomatie délégation marine aviation régime dirigeants pouvoir
""".split()  # noqa: SIM905  (a word list reads better as prose than as quoted items)
"""The same agents in French, where the nationality follows ("les forces turques", "le gouvernement syrien")."""


def _agent_automaton() -> Any:
    """One automaton for both lists: " forces" (English: the nationality before) reports True, "forces " (French:
    after) False; pyahocorasick is untyped."""
    automaton = ahocorasick.Automaton()
    for noun in _STATE_AGENTS_EN:
        automaton.add_word(f" {noun}", (len(noun) + 1, True))
    for noun in _STATE_AGENTS_FR:
        automaton.add_word(f"{noun} ", (len(noun) + 1, False))
    automaton.make_automaton()
    return automaton


_AGENT_SCAN = _agent_automaton()
_DEMONYM_LISTED = re.compile(r"([A-Z][a-z]+)(?:,? and |,? or |, )$")
"""An earlier nationality of a list sharing the noun: "Egyptian, Syrian, and Iraqi forces"."""
_DEMONYM_FOLLOWING = re.compile(r"[a-zéèêëîïôç]+")


def _alone(text: str, start: int) -> bool:
    """The word at ``start`` is a whole word: not the tail of "pro-Turkish" or "anti-Russian"."""
    return start == 0 or not (text[start - 1].isalpha() or text[start - 1] == "-")


def _state_agent_demonyms(text: str, gaz: Gazetteer) -> list[tuple[int, int]]:
    """Spans of the nationalities written with a state's agents (``_STATE_AGENTS_EN``, ``_STATE_AGENTS_FR``).

    The nouns are found in one Aho-Corasick pass (a regular expression over lower-case words would be tried at
    most positions), then the word next to each is looked up as a nationality."""
    spans: list[tuple[int, int]] = []
    for last, (size, english) in _AGENT_SCAN.iter(text):
        at = last + 1 - size
        if english:
            if last + 1 < len(text) and text[last + 1].isalpha():
                continue
            word = _DEMONYM_BEFORE.search(text, max(0, at - 30), at + 1)
            while word and _alone(text, word.start(1)) and gaz.demonym_country(word.group(1)):
                spans.append((word.start(1), word.end(1)))
                word = _DEMONYM_LISTED.search(text, max(0, word.start(1) - 30), word.start(1))
        elif (
            _alone(text, at)
            and (word := _DEMONYM_FOLLOWING.match(text, last + 1))
            and gaz.demonym_country(word.group())
        ):
            spans.append((word.start(), word.end()))
    return spans


def _state_actor_demonyms(text: str, gaz: Gazetteer) -> list[ResolvedMention]:
    """A nationality written with a state's office ("Turkish President", "Italian Premier", "le président turc",
    "le ministre russe") names that state: the country is an actor of the story, unlike "a Sudanese fighter". Each
    gives a mention of the country (the adjective's span). Armed forces are actors of the knowledge base ("Turkish
    forces" is the Turkish Armed Forces), not this rule's."""
    out: list[ResolvedMention] = []
    found = [
        before
        for office in _state_office_starts(text)
        if (before := _DEMONYM_BEFORE.search(text, max(0, office - 30), office))
    ]
    if any(piece in text for piece in _FRENCH_OFFICE_PIECES):
        found.extend(_DEMONYM_AFTER.finditer(text))
    spans = {(m.start(1), m.end(1)) for m in found}
    spans.update(_state_agent_demonyms(text, gaz))
    for start, end in sorted(spans):
        code = gaz.demonym_country(text[start:end])
        country = gaz.country(code) if code else None
        if country is not None:
            out.append(ResolvedMention(start, end, text[start:end], country, "demonym"))
    return out


_AMBIGUOUS_STATE_ABBREVIATIONS = {
    "La.": "Louisiana",
    "Pa.": "Pennsylvania",
    "Wash.": "Washington",
    "Miss.": "Mississippi",
    "Mass.": "Massachusetts",
    "Ind.": "Indiana",
    "Mo.": "Missouri",
    "Del.": "Delaware",
    "Ore.": "Oregon",
}
_DATELINE_STATE = re.compile(
    r"(?m)^(?:[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*){0,3}), ("
    + "|".join(re.escape(a) for a in _AMBIGUOUS_STATE_ABBREVIATIONS)
    + r")(?= |$)"
)


def _party_tag_states(text: str, gaz: Gazetteer) -> list[_Pending]:
    """The state of a US politician's party tag written as a postal code ("(R-AZ)"): two capitals are no place
    anywhere else, hence not in the gazetteer's aliases (the other spellings, "Calif.", "Texas", the scan finds)."""
    out: list[_Pending] = []
    if "(R-" not in text and "(D-" not in text:
        return out  # most articles: two substring tests instead of a regex pass
    for m in US_PARTY_TAG.finditer(text):
        code = m.group("state")
        state = gaz.us_state(code) if len(code) == 2 else None
        if state is not None:
            out.append(_Pending(m.start("state"), m.end("state"), code, [state], "scan"))
    return out


def _dateline_states(text: str, gaz: Gazetteer) -> list[_Pending]:
    """A US dateline's state abbreviation ("ALEXANDRIA, La. -"): AP style writes "La.", "Pa.", "Wash." after the town
    at the start of a line; anywhere else they are words or titles, hence not in the gazetteer's aliases."""
    out: list[_Pending] = []
    for m in _DATELINE_STATE.finditer(text):
        state = _AMBIGUOUS_STATE_ABBREVIATIONS[m.group(1)]
        places = [p for p in gaz.candidates(state) if p.feature == "state" and p.country_code == "US"]
        if places:
            out.append(_Pending(m.start(1), m.end(1), m.group(1), places, "scan"))
    return out


_TOWN_STATE = re.compile(
    r"(?<![\w'’.-])([A-Z][\w'’-]*(?: [A-Z][\w'’-]*){0,3}), ("
    + "|".join(re.escape(a) for a in _AMBIGUOUS_STATE_ABBREVIATIONS)
    + r")(?![\w'’-])"
)


def _town_states(text: str, gaz: Gazetteer) -> list[_Pending]:
    """The same abbreviations after a town in running text ("his home in Slidell, La., was searched"), when the
    gazetteer has a town of that name in that state: the pair is AP style's "town, state", not a word after a
    comma ("Hello, Miss.")."""
    out: list[_Pending] = []
    if not any(f", {a}" in text for a in _AMBIGUOUS_STATE_ABBREVIATIONS):
        return out  # most articles: a few substring tests instead of a regex pass
    for m in _TOWN_STATE.finditer(text):
        if m.start() == 0 or text[m.start() - 1] == "\n":
            continue  # a dateline: ``_dateline_states``
        states = [p for p in gaz.candidates(_AMBIGUOUS_STATE_ABBREVIATIONS[m.group(2)]) if p.feature == "state"]
        state = next((p for p in states if p.country_code == "US"), None)
        if state is None or not _us_town_in(gaz, m.group(1), state):
            continue
        out.append(_Pending(m.start(2), m.end(2), m.group(2), [state], "scan"))
    return out


_POSTAL_STATE = re.compile(r", ([A-Z]{2})(?![\w'’-])")
_TOWN_BEFORE = re.compile(r"(?<![\w'’.-])([A-Z][\w'’-]*(?: [A-Z][\w'’-]*){0,3})$")


def _town_postal_states(text: str, gaz: Gazetteer) -> list[_Pending]:
    """A US state's postal code after one of its towns ("offices in Tucson, AZ", "Paris, TX"), as addresses and
    listings write them: the state, when the gazetteer has a town of that name (or of the name's last words:
    "Downtown Phoenix, AZ") in that state. Two capitals after a comma are no place anywhere else ("Smith, JR"), and
    a code of another country's province ("London, ON") names no US state. The comma is found first, then the
    words before it are read back: one pass over the text."""
    out: list[_Pending] = []
    for m in _POSTAL_STATE.finditer(text):
        state = gaz.division(f"US-{m.group(1)}")
        before = _TOWN_BEFORE.search(text, max(0, m.start() - 60), m.start()) if state is not None else None
        if state is None or before is None:
            continue
        words = before.group(1).split(" ")
        if any(_us_town_in(gaz, " ".join(words[i:]), state) for i in range(len(words))):
            out.append(_Pending(m.start(1), m.end(1), m.group(1), [state], "scan"))
    return out


def _us_town_in(gaz: Gazetteer, name: str, state: Place) -> bool:
    """Whether the gazetteer has a US place called ``name`` in ``state``: what makes "Town, ST" an address."""
    return any(p.country_code == "US" and p.district_code == state.district_code for p in gaz.candidates(name))


def _ner_mentions(
    text: str,
    place_mentions: Sequence[Mention],
    scan: Sequence[tuple[int, int, list[Place]]],
    gaz: Gazetteer,
    exclude_spans: Sequence[tuple[int, int]] = (),
) -> tuple[list[_Pending], list[tuple[int, int]]]:
    """NER's place spans with their candidates; a span the gazetteer does not know gives the scan hits inside it."""
    scan_starts = [hit[0] for hit in scan]  # scan hits do not overlap: sorted by start, they are sorted by end too
    actor_names = {text[s:e] for s, e in exclude_spans}
    pending: list[_Pending] = []
    ner_spans: list[tuple[int, int]] = []
    mentions = sorted((_trim(m) for m in place_mentions), key=lambda m: (m.start, m.end))
    place_starts = frozenset(m.start for m in mentions)
    in_context: list[int] = []  # indices in ``pending`` of names the gazetteer lacks, taken from their context
    out_of_context: list[int] = []  # ... and of those names where their context did not say "place"
    moons = {m.text for m in mentions if _MOON_BEFORE.search(text, max(0, m.start - 7), m.start)}
    for m in mentions:
        if gaz.demonym_country(m.text) is not None and not gaz.candidates(m.text):
            continue  # NER sometimes tags "Libyan" as GPE: an adjective, not a place
        if (
            whole := _lower_case_head(text, m, scan, scan_starts) or _cut_short(text, m, scan, scan_starts, gaz)
        ) is not None:
            ner_spans.append((whole[0], whole[1]))  # "la bande de Gaza": the strip, not the town
            pending.append(_Pending(whole[0], whole[1], text[whole[0] : whole[1]], whole[2], "ner"))
            continue
        ner_spans.append((m.start, m.end))
        if m.text in moons:
            continue  # "Jupiter's moon Europa", and "Europa" again in the same story: no place on Earth
        generic = is_generic_word(m.text) and not _in_known_division(text, m.end, gaz, place_starts)
        cands = [] if generic else gaz.candidates(m.text)  # "SPLIT, Croatia": a dateline's town, by its country
        if cands and _acronym_in_running_text(text, m.start, m.end):
            cands = _own_names_only(m.text, cands, _as_dateline(text, m.start, m.end))
            if not cands:  # an acronym, no place: its letters are no town's either ("SIM card")
                pending.append(_Pending(m.start, m.end, m.text, [], "ner"))
                continue
        if cands:
            pending.append(_Pending(m.start, m.end, m.text, cands, "ner"))
            continue
        if text[m.end : m.end + 1] not in _WORD_GOES_ON and (way := _named_way(m.text, text)) is not None:
            pending.append(_Pending(m.start, m.end, m.text, [way], "ner"))
            continue
        inner = []
        named_after = False
        for hit in scan[bisect_left(scan_starts, m.start) :]:
            if hit[0] >= m.end:
                break
            name = text[hit[0] : hit[1]]
            if hit[0] == m.start and _named_after(text, hit, m.end):
                named_after = True
            elif (
                hit[1] <= m.end
                and not is_generic_word(name)
                and not _particle_of_name(text, hit)
                and not _alternate_name_only(text, name, hit[2])
                and _SAINT_BEFORE.search(text, m.start, hit[0]) is None
                and not _saint_title_only(text, hit, m.end)
            ):
                # "Derna" in "the Wadi Derna"; never "Airport" in "Mitiga Airport" nor "Google" in "Google Maps"
                inner.append(hit)
        if named_after and not inner:
            pending.append(_Pending(m.start, m.end, m.text, [_unknown_place(m.text, m.text)], "ner"))
        elif not inner:
            feature = _named_feature(m.text)
            if feature is None and m.text not in actor_names:  # "written in Python", NER's organisation elsewhere
                feature = _place_in_context(text, m, gaz, place_starts)
                if feature is not None:
                    in_context.append(len(pending))
                elif not _GROUP_AFTER.match(text, m.end):
                    out_of_context.append(len(pending))
            pending.append(_Pending(m.start, m.end, m.text, [feature] if feature else [], "ner"))
        if (town := _town_before_division(text, m, inner)) is not None:
            pending.append(town)
        for s, e, c in inner:
            pending.append(_Pending(s, e, text[s:e], c, "ner"))
    if in_context:
        dropped = set(_mostly_no_place(text, pending, in_context, mentions, exclude_spans))
        for i in dropped:
            pending[i] = _Pending(pending[i].start, pending[i].end, pending[i].text, [], "ner")
        _same_place_throughout(pending, [i for i in in_context if i not in dropped], out_of_context)
    return pending, ner_spans


def _same_place_throughout(pending: list[_Pending], placed: Sequence[int], unplaced: Sequence[int]) -> None:
    """A name the gazetteer lacks, once the article places it ("in eastern Ghouta"), is that place wherever else NER
    reads it as one ("securing eastern Ghouta had foiled", "Ghouta's fall"): one story, one sense of the name."""
    places = {pending[i].text: pending[i].candidates for i in placed}
    for i in unplaced:
        if (cands := places.get(pending[i].text)) is not None:
            pending[i] = _Pending(pending[i].start, pending[i].end, pending[i].text, cands, "ner")


_OF_BEFORE = re.compile(r" of (?:the )?$")
_NOBLE_TITLE = re.compile(
    r"(?:Prince|Princess|Duke|Duchess|Earl|Count|Countess|Marquess|Baron|Lord|Lady|King|Queen|Emperor|Empress|"
    r"Archbishop|Bishop|Patriarch) "
)
"""A title ("the Prince of Wales", "the Duchess of Sussex") names a person, not a body of the place."""
_MOON_BEFORE = re.compile(r"(?<![\w-])[Mm]oons? $")
"""A moon's name ("Jupiter's moon Europa", "the moon Titan", "Saturn's Moon Titan" in a title): no place on Earth
(Europa is also Europe's name in Spanish and German), wherever the story names it again."""


def _town_before_division(text: str, m: Mention, inner: Sequence[tuple[int, int, list[Place]]]) -> _Pending | None:
    """The town of a span NER read as one place, "Thruxton, Hampshire": a name the gazetteer lacks, then a comma and
    the state or country it knows, is the way news places a small town, as two separate spans are
    (``_place_in_context``); the town is kept under its name as written, the division resolves as itself."""
    comma = m.text.find(", ")
    if comma <= 0 or len(inner) != 1:
        return None
    start, end, candidates = inner[0]
    if start != m.start + comma + 2 or end != m.end or not any(c.feature in ("state", "country") for c in candidates):
        return None
    name = m.text[:comma]
    if not _plausible_unknown_name(name) or _misspelt_date(name):
        return None
    return _Pending(m.start, m.start + comma, name, [_unknown_place(name, name)], "ner")


def _lower_case_head(
    text: str, m: Mention, scan: Sequence[tuple[int, int, list[Place]]], scan_starts: Sequence[int]
) -> tuple[int, int, list[Place]] | None:
    """The gazetteer name NER's span ends, when the name opens with lower-case words NER left out: French writes
    the head noun of a place's name in lower case ("la bande de Gaza", "le golfe Persique", "la péninsule du
    Sinaï"), and NER takes only the capitalised word, which names another place (Gaza, the town) or none."""
    i = bisect_left(scan_starts, m.start) - 1
    if i < 0:
        return None
    hit = scan[i]
    if hit[1] != m.end or not text[hit[0] : m.start].islower() or "\n" in text[hit[0] : m.start]:
        return None
    return hit


def _cut_short(
    text: str, m: Mention, scan: Sequence[tuple[int, int, list[Place]]], scan_starts: Sequence[int], gaz: Gazetteer
) -> tuple[int, int, list[Place]] | None:
    """The gazetteer name NER's span opens, when NER cut it short and its span alone names nothing: "El" of "d'El
    Sharara" (French elision splits the tokens), "Sidi" of "Sidi Bouzid"; the name runs on by whole words."""
    i = bisect_left(scan_starts, m.start)
    if i >= len(scan) or scan[i][0] != m.start or scan[i][1] <= m.end or text[m.end : m.end + 1] != " ":
        return None
    if gaz.candidates(m.text) and not is_generic_word(m.text):
        return None
    return scan[i]


_SAINT_TITLES = r"St\.?|Saint|Sainte|Ste\.?|San|Santa|Santo|São|Sankt"
_SAINT_BEFORE = re.compile(rf"(?<![\w-])(?:{_SAINT_TITLES}) $")
"""A saint's title before a name inside NER's span ("St. Martin’s", "San Fernando"): a saint's place or a
publisher, not the town named like the saint ("Martin", Slovakia)."""

_SAINT_WORD = re.compile(_SAINT_TITLES)


def _saint_title_only(text: str, hit: tuple[int, int, list[Place]], span_end: int) -> bool:
    """Whether a gazetteer name inside NER's place span is only the opening of a longer name: a saint's title
    before the saint's name ("San Ysidro": not San, a town in Mali). A town owning what follows stays ("London's
    Heathrow Airport")."""
    start, end, _ = hit
    if end >= span_end:
        return False
    return _SAINT_WORD.fullmatch(text, start, end) is not None and text[end : end + 2].lstrip()[:1].isupper()


_NAMED_AFTER_HEADS = frozenset(("County", "Parish", "Township", "Borough", "Shire"))


def _named_after(text: str, hit: tuple[int, int, list[Place]], span_end: int) -> bool:
    """A place NER found that the gazetteer lacks, named after a place it knows and a division's head word
    ("Washington County", Oregon), or a state's or a country's name and "City" ("Nevada City", California): another
    place, kept under its own name, never the one its first words name. A town's name and "City" is that town
    ("Gaza City")."""
    _, hit_end, candidates = hit
    if text[hit_end : hit_end + 1] != " ":
        return False
    head = text[hit_end + 1 : span_end]
    if head == "City":
        return not any(c.feature == "city" for c in candidates)
    return head in _NAMED_AFTER_HEADS


_NAME_PARTICLES = frozenset(("abu", "ibn", "bin", "ben", "bou", "umm", "ould", "abd", "abdel", "abdul"))
_CAPITALISED_NEXT = re.compile(r"[ -][A-ZÀ-ÖØ-ÞĀ-ɏЀ-Я]")  # Latin-1, Latin Extended ("Łódź") and Cyrillic capitals


def _particle_of_name(text: str, hit: tuple[int, int, list[Place]]) -> bool:
    """An Arabic name particle the gazetteer knows as a town ("Abu", India) opening a longer name NER found ("Abu
    Salim Prison"): part of that name, not the town."""
    start, end, _ = hit
    return text[start:end].lower() in _NAME_PARTICLES and _CAPITALISED_NEXT.match(text, end) is not None


_FEATURE_HEADS = frozenset(
    """
    street avenue road drive boulevard square bridge airport port harbour harbor terminal station river lake mountains
    mountain valley desert island islands peninsula canal park county parish province governorate prefecture
    district neighbourhood neighborhood quarter camp oasis plateau basin gulf bay sea ocean strait coast beach
    crossing dam base hill hills bend creek point ridge heights junction
    hospital hotel castle palace stadium museum prison jail mosque church cathedral temple market mall compound
    barracks refinery circuit centre center hall tower theatre theater cemetery checkpoint highway motorway arena
    armory armoury
    """.split()  # noqa: SIM905  (a word list reads better as prose than as quoted items)
)
_FEATURE_WORD = r"(?:[A-Z][\w'’.-]*|al|el|de|of|the|du|des|la|le)"
_FEATURE_NAME = re.compile(rf"^{_FEATURE_WORD}(?: {_FEATURE_WORD})+$")


def _named_feature(name: str) -> Place | None:
    """A place NER found that the gazetteer lacks, named by a geographic head noun ("Frenchmen Street", "Mitiga
    Airport", "Daviess County"): kept as a place of its own, under its name as written, without a country or a point
    (nothing says where it is)."""
    words = name.split()
    if len(words) < 2 or words[-1].lower() not in _FEATURE_HEADS or not _FEATURE_NAME.match(name):
        return None
    if all(w.lower() in _FEATURE_HEADS or (is_generic_word(w) and w.lower() not in COLOUR_WORDS) for w in words):
        return None  # "Central Park"-like words only say what, not which; a colour names one ("White Street")
    return _unknown_place(name, " ".join(words))


_WAY_HEADS = frozenset(("street", "avenue", "road", "drive", "boulevard", "lane", "bridge"))
_WORD_GOES_ON = frozenset("-‐‑–/")
"""After NER's span, a hyphen or a slash says its last word is part of a longer one ("Best Road-to-Trail Shoe")."""


_BASE_OPENERS = frozenset(("Camp", "Fort"))


def _named_way(name: str, text: str) -> Place | None:
    """A street, road or bridge NER found that the gazetteer lacks ("Haifa Street", "Lansdowne Road", "Stamford
    Bridge"), or a camp or a fort ("Camp David", "Fort Hood"): the way or the base itself, as ``_named_feature``
    keeps it, not the town a word of it names: ways and bases are named after towns and people elsewhere (Haifa
    Street is in Baghdad, Stamford Bridge in London, Camp David in Maryland), unlike an airport or a port. Not a
    camp's words the page also writes in lower case: "Camp Stoves", "Camp Gear" are headings of things."""
    words = name.split()
    if len(words) < 2:
        return None
    if words[0] in _BASE_OPENERS and _FEATURE_NAME.match(name):
        common = any(re.search(rf"(?<![\w-]){re.escape(w.lower())}(?![\w-])", text) for w in words[1:])
        return None if common else _unknown_place(name, name)
    return _named_feature(name) if words[-1].lower() in _WAY_HEADS else None


_LOCATIVE_BEFORE = re.compile(
    r"(?<![\w-])(?:in|near|at|from|between|through|outside|across) (?:the )?"
    r"(?:(?:north|south)(?:-?(?:east|west))?ern |eastern |western )?$"
)  # "in eastern Ghouta": a direction between the preposition and the name
_UNKNOWN_NAME = re.compile(
    r"^[A-ZÀ-ÖØ-ÞĀ-ɏЀ-Я][\w'’.-]*(?: (?:[A-ZÀ-ÖØ-ÞĀ-ɏЀ-Я][\w'’.-]*|al|el|de|of|the|du|des|la|le))*$"
)  # a capital of Latin-1, Latin Extended ("Šibenik": that block mixes both cases) or Cyrillic


def _plausible_unknown_name(name: str) -> bool:
    """Whether a name the gazetteer lacks may still be kept as a place as written: capitalised words (no capitals
    only, no digits), no generic word, no function word NER took for a name ("None", "Nothing"). The costlier
    misspelt-date test (``_misspelt_date``) is the caller's, once the context has spoken."""
    if not _UNKNOWN_NAME.match(name) or name.isupper() or any(ch.isdigit() for ch in name) or is_generic_word(name):
        return False
    return name.lower() not in _stop_words()


def _mostly_no_place(
    text: str,
    pending: Sequence[_Pending],
    in_context: Sequence[int],
    mentions: Sequence[Mention],
    actor_spans: Sequence[tuple[int, int]],
) -> list[int]:
    """Those of ``in_context`` (indices in ``pending``: names the gazetteer lacks, taken as places from their
    context) that the article writes more often where NER sees nothing at all than where it sees a place, twice at
    least: a tool, a product or a topic NER once read as a place ("written in Python" on a page that names Python
    ten times, "apps in React"). A village the gazetteer lacks is a place at each mention, or named once or twice
    ("in Torkula village"); a river named in its bodies' names ("the Cauvery dispute", "the Cauvery Management
    Board") is written inside actors' spans, which do not count. One pass over the text for all the names."""
    names = {pending[i].text for i in in_context}
    automaton: WordAutomaton[str] = WordAutomaton()
    for name in names:
        automaton.add(name, name)
    automaton.build()
    inside_actor = _SpanSet(actor_spans)
    bare = Counter(key for start, end, key, _ in automaton.finditer(text) if not inside_actor.overlaps(start, end))
    placed = Counter(m.text for m in mentions if m.text in names)
    return [
        i
        for i in in_context
        if (elsewhere := bare[pending[i].text] - placed[pending[i].text]) >= 2 and elsewhere > placed[pending[i].text]
    ]


def _place_word_before(text: str, start: int) -> bool:
    """Whether an English preposition of place ("in eastern Ghouta") or a settlement's noun ("the village of
    Nagrig") stands just before ``start``."""
    return bool(
        _LOCATIVE_BEFORE.search(text, max(0, start - 28), start)
        or _SETTLEMENT_OF_BEFORE.search(text, max(0, start - 24), start)
    )


def _place_in_context(text: str, m: Mention, gaz: Gazetteer, place_starts: frozenset[int]) -> Place | None:
    """A place NER found that the gazetteer lacks (an island, a township, an airport: "stuck in Samos", "near New
    Quay"), written after a preposition of place, after a settlement's noun ("the village of Nagrig"), or before a
    state or country NER and the gazetteer know (``place_starts``: where NER's places start), unless it is an item
    of a list ("Snetterton, Norfolk", never "Origin, Spread, Ethiopia"): kept under its name as written, like
    ``_named_feature``. Names in capitals, with digits or lower-case words, function words, generic words and
    misspelt dates are not taken (NER's misses)."""
    name = m.text
    if not _plausible_unknown_name(name):
        return None
    located = _place_word_before(text, m.start) or (
        text[max(0, m.start - 2) : m.start] != ", " and _in_known_division(text, m.end, gaz, place_starts)
    )
    if not located or _misspelt_date(name) or _GROUP_AFTER.match(text, m.end):
        return None  # "from Zintani militias": a group's adjective, not a town
    if POSSESSIVE_AFTER.match(text, m.end):
        return None  # "in Eurogamer's review": a publication's, a company's; a place unknown to us is not owned
    return _unknown_place(name, name)


_GROUP_AFTER = re.compile(r" (?:militias?|fighters|forces|brigades?|troops|tribes?|tribesmen|gunmen|rebels)\b")
_SETTLEMENT_NOUNS = (
    "village|town|city|suburb|district|area|region|province|county|township|community|municipality|neighbou?rhood|"
    "locality|settlement|camp|oasis"
)
_SETTLEMENT_AFTER = re.compile(rf" (?:{_SETTLEMENT_NOUNS})$")
"""A settlement's lower-case noun NER ran into the name ("Torkula village"): the name is what comes before it."""
_SETTLEMENT_OF_BEFORE = re.compile(rf"(?<![\w-])(?:{_SETTLEMENT_NOUNS}|outskirts|block) of (?:the )?$")
"""A settlement's noun, or a street's block ("the 200 block of River Avenue"), then "of" before the name."""
_DIVISION_NEXT = re.compile(r", ([A-Z][\w'’-]*(?: [A-Z][\w'’-]*){0,2})(?=[\s.,;:)]|$)(?!,? (?:and|or|&) )")
"""A comma, then up to three capitalised words, not the last but one item of a list ("Iceberg, Delta, and Hudi")."""


def _in_known_division(text: str, end: int, gaz: Gazetteer, place_starts: frozenset[int]) -> bool:
    """Whether a name is followed by a comma and a state or country, a place for NER (``place_starts``) and the
    gazetteer ("Snetterton, Norfolk", "Ballyjamesduff, Ireland", "Jupiter, Fla.": an AP abbreviation keeps its full
    stop): the way news places a small town. Not "Apache
    Iceberg, Delta": a product's name, NER reads no place in "Delta" there."""
    m = _DIVISION_NEXT.match(text, end)
    if m is None or m.start(1) not in place_starts:
        return False
    spellings = (m.group(1), m.group(1) + ".") if text.startswith(".", m.end(1)) else (m.group(1),)
    return any(c.feature in ("state", "country") for spelling in spellings for c in gaz.candidates(spelling))


def _unknown_place(written: str, name: str) -> Place:
    """A place the gazetteer lacks, kept under its name as written: no country, no point (nothing says where)."""
    return Place(
        place_id=f"name:{normalize_name(written)}",
        name=name,
        asciiname=written,
        alternatenames=(),
        lat=None,
        lon=None,
        population=0,
        feature=PlaceFeature.PLACE,
        country_code="",
        country="",
    )


def _misspelt_date(name: str) -> bool:
    """A month or day name with a letter wrong or missing ("in Septemer"): a date NER took for a place."""
    key = name.lower()
    return " " not in key and bool(get_close_matches(key, _CALENDAR, n=1, cutoff=0.85))


_ORG_HEAD = re.compile(
    r"\b(?:Department|Ministry|Office|Army|Navy|Air Force|Coast Guard|Embassy|Government|Parliament|Senate|Congress|"
    r"Council|Agency|Bank|Forces|Police|Court|Commission|Service|Guard|Marines)\b"
)
"""A country's name opening an organisation's name ("U.S. State Department", "U.K. Foreign Office", "Libyan Coast
Guard" does not start with one) names the organisation's country: that country is the article's too."""


_NATIONS = frozenset(("country", "continent", "region"))
_DIVISION_AFTER = re.compile(r" (?:State|Province|province)(?![\w-])")
_DIVISION_BEFORE = re.compile(r"(?<![\w-])(?:[Pp]rovince|[Ss]tate|[Rr]egion) of (?:the )?$")
"""A division's word before its name ("the province of Yunnan", "the state of Kano")."""


def _named_as_division(text: str, p: _Pending) -> bool:
    """A scan hit written with its division's word ("Yunnan province", "Borno State", "the province of Yunnan"):
    the word says what the name is, as a country's name says it of itself, whatever the article's other places."""
    return normalize_name(p.text).endswith(DIVISION_WORDS) or bool(
        _DIVISION_BEFORE.search(text, max(0, p.start - 20), p.start)
    )


def _acronym_in_running_text(text: str, start: int, end: int) -> bool:
    """A word of two to four capitals in a line that is not written in capitals: an acronym ("AEA ribbon
    microphones", "the ICC"), not a town written in capitals as a headline or a dateline writes it."""
    if not 2 <= end - start <= 4 or not text[start:end].isalpha() or not text[start:end].isupper():
        return False
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    return any(ch.islower() for ch in line)


ACRONYM_TOWN = 100_000
"""A town this large written in capitals inside a line is the town ("ROME", "GAZA"); a smaller one is an acronym."""


def _own_names_only(mention: str, cands: list[Place], dateline: bool = False) -> list[Place]:
    """The candidates an acronym can name: a nation, state or region written short ("UAE", "DRC"), or a place
    whose own name it is, written as a dateline's town (``_as_dateline``: "ZINTAN, Libya") or a large town
    ("ROME", ``ACRONYM_TOWN``); not a town through one of its other names ("AEA", a microphone maker, was Tripoli
    by its ancient name Aea), nor a small town that shares its letters ("SIM card", "die PEPA" in German: Sim,
    Russia and Pepa, Congo)."""
    key = normalize_name(mention)
    return [
        c
        for c in cands
        if c.feature in _NATIONS
        or c.feature in ("state", "region")
        or (
            key in (normalize_name(c.name), normalize_name(c.asciiname))
            and (dateline or c.feature != "city" or c.population >= ACRONYM_TOWN)
        )
    ]


_AGENCY_AFTER = re.compile(r"[ \t]+\([A-Z]")


def _as_dateline(text: str, start: int, end: int) -> bool:
    """Whether a word in capitals is written as a dateline's town: opening its line ("AMES, Iowa (AP) -"), or
    before the agency in brackets ("By Ann Lee | AMES (Reuters) -"). A comma says nothing: lists of regions are
    written so too ("sales in MENA, APAC and EMEA")."""
    return not text[text.rfind("\n", 0, start) + 1 : start].strip() or _AGENCY_AFTER.match(text, end) is not None


def _scan_mentions(
    text: str,
    scan: Sequence[tuple[int, int, list[Place]]],
    ner_spans: Sequence[tuple[int, int]],
    exclude_spans: Sequence[tuple[int, int]],
    *,
    language: str = "",
) -> tuple[list[_Pending], set[tuple[int, int]]]:
    """Scan hits outside NER's spans that look like names; ``weak`` ones (a bare actor span) need a named country.

    In the article's language (``language``), its function words are no towns ("Dabei", "Para", "Durant": see
    ``_language_stop_words``), and outside English a town's name written before a month or a year is a time word
    ("Mitte Oktober", "seit Mitte 2020": see ``_time_expression``). In a language that capitalises every noun
    (German), a capital says nothing: a one-word town under 100,000 people ("Lage", "Haar", "Lauf": also nouns) is
    taken only after a preposition of place ("in Lage"); a town under a million people is a noun after a preposition
    that is not one of place ("vor Corona": see ``_after_other_preposition``) and a word of the hyphenated compound
    it opens ("Corona-Jahr", "Kita-Winter": see ``_compound_head``)."""
    nouns_capitalised = language == "de"
    language_stops = _language_stop_words(language)
    time_words = language not in ("", "en")
    ner_span_set = _SpanSet(ner_spans)
    actor_span_set = _SpanSet(exclude_spans)
    lower_words = LowerWords(text)
    scan_only: list[_Pending] = []
    weak: set[tuple[int, int]] = set()
    org_starts = {s: e for s, e in exclude_spans if _ORG_HEAD.search(text, s, e)}
    org_ends = {e: s for s, e in exclude_spans}
    actor_names = {text[s:e] for s, e in exclude_spans}
    title_end = text.find("\n")
    for i, (s, e, cands) in enumerate(scan):
        if _acronym_in_running_text(text, s, e) and not (
            cands := _own_names_only(text[s:e], cands, _as_dateline(text, s, e))
        ):
            continue
        division = _DIVISION_AFTER.match(text, e) if text[e + 1 : e + 2] in ("S", "P", "p") else None
        in_full = False
        if division is not None and any(c.feature == "state" for c in cands):  # "Borno State": the state, in full
            in_full, e = True, division.end()
            cands = [c for c in cands if c.feature == "state"]
        if s in org_starts and e < org_starts[s] and cands[0].feature == "country":
            scan_only.append(_Pending(s, e, text[s:e], cands[:1], "scan"))  # "U.S. State Department": its country
            continue
        if (
            e in org_ends
            and org_ends[e] < s
            and _OF_BEFORE.search(text, max(0, s - 8), s)
            and not _NOBLE_TITLE.match(text, org_ends[e])
        ):
            nations = [c for c in cands if c.feature in ("country", "state")]
            if nations:  # "the National Bank of Kenya", "the Embassy of Italy": the country whose body it is
                scan_only.append(_Pending(s, e, text[s:e], nations, "scan"))
                continue
        if text[s].islower() and "LATIN" in _char_script(text[s]):
            continue  # a word in lower case: ``_looks_like_name`` says no, asked first as a quarter of hits are
        if s > 1 and text[s - 1] == "-" and _compound_tail(text, s, scan[i - 1][1] if i else -1):
            continue
        excluded = _excluded(text, s, e, actor_span_set) if actor_span_set.overlaps(s, e) else False
        if ner_span_set.overlaps(s, e) or excluded:
            continue
        if not _looks_like_name(
            text,
            s,
            e,
            lower_words,
            cands[0].feature in _NATIONS,
            division=in_full,
            language_stops=frozenset() if nouns_capitalised else language_stops,
        ) or is_generic_word(text[s:e]):
            continue
        if language_stops and text[s:e].lower() in language_stops and not any(c.feature in _NATIONS for c in cands):
            continue  # "Dabei" (Dubai), "Para" (Belém); never a country ("USA" is a Spanish verb too)
        if time_words and _time_expression(text, s, e):
            continue
        if nouns_capitalised and (
            _needs_preposition(text, s, e, cands)
            or _after_other_preposition(text, s, e, cands)
            or _compound_head(text, s, e, cands, scan[i + 1][0] if i + 1 < len(scan) else -1)
        ):
            continue
        if _alternate_name_only(text, text[s:e], cands):
            continue
        if (
            text[s:e].isupper()
            and e - s > 3
            and (title_end < 0 or s < title_end)  # the title: a body line in capitals is a heading ("COZUMEL")
            and not any(c.feature in _NATIONS for c in cands)
            and (_full_name_elsewhere(text, text[s:e].title()) or text[s:e].title() in actor_names)
        ):
            continue  # "LARA HITS CENTURY" over a story about Brian Lara, "CAMPBELL NAMED" over one about Campbell
        if excluded is None:
            if _full_name_elsewhere(text, text[s:e]):
                continue
            weak.add((s, e))
        scan_only.append(_Pending(s, e, text[s:e], cands, "scan"))
    return scan_only, weak


_WORD_BEFORE_HYPHEN = re.compile(r"(?<![\w'’-])[A-ZÀ-ÖØ-Þ][\w'’]*-$")


def _compound_tail(text: str, start: int, previous_hit_end: int) -> bool:
    """A name glued by a hyphen after a capitalised word that is no place ("Croissant-Rouge", "Rolls-Royce",
    "Rose-Lynn"): the end of a compound name, not the town. Not after a place ("Libya-Tunisia": a scan hit ends at
    ``previous_hit_end``), an Arabic article or particle ("Al-Bayda", "Ben-Gardane"), a direction ("Ost-London") or
    a party's letter ("R-Texas")."""
    if previous_hit_end == start - 1:
        return False
    before = _WORD_BEFORE_HYPHEN.search(text, max(0, start - 30), start)
    if before is None or len(before.group()) < 4:
        return False  # a party's letter ("Sen. Ted Cruz, R-Texas") or a two-letter prefix
    word = before.group()[:-1].lower()
    return word not in _ARABIC_PREFIXES and word not in _DIRECTION_PREFIXES


_ARABIC_PREFIXES = _NAME_PARTICLES | frozenset(
    """
    al el ad ed as es ash at az ar an sidi bir ras wadi jebel djebel ain
    """.split()  # noqa: SIM905  (a word list reads better as prose than as quoted items)
)
"""Arabic articles, name particles and geographic words glued before a town's name ("Al-Bayda", "Ras-Lanuf")."""

_DIRECTION_PREFIXES = frozenset(
    """
    north south east west central upper lower greater northern southern eastern western nord süd sud ost est ouest
    nordost nordwest südost südwest zentral mittel
    """.split()  # noqa: SIM905  (a word list reads better as prose than as quoted items)
)
"""A direction or a size glued before a place's name names a part of it ("Ost-London", "Greater-Manchester")."""

_GERMAN_LOCATIVE_BEFORE = re.compile(r"(?<![\w-])(?:in|nach|aus|bei|von|nahe|um|zwischen|durch|über|bis) $")


def _needs_preposition(text: str, start: int, end: int, candidates: Sequence[Place]) -> bool:
    """A one-word small town's name in German text with no preposition of place before it (see ``_scan_mentions``)."""
    top = candidates[0]
    if " " in text[start:end] or top.feature != "city" or top.population >= 100_000:
        return False
    return _GERMAN_LOCATIVE_BEFORE.search(text, max(0, start - 10), start) is None


_GERMAN_OTHER_PREPOSITION = re.compile(
    r"(?<![\w-])(?:zu|vor|mit|wegen|seit|trotz|für|ohne|gegen|auf|dank|laut|gegenüber) $"
)


def _after_other_preposition(text: str, start: int, end: int, candidates: Sequence[Place]) -> bool:
    """A one-word town under a million people right after a German preposition that is not one of place ("zu
    Corona", "vor Corona", "positiv auf Corona", "mit Essen und Getränken", "laut Cicero"): the noun it governs is a
    thing, a time or a source, not the town. (Under 100,000 people a preposition of place is needed anyway.)"""
    top = candidates[0]
    if " " in text[start:end] or top.feature != "city" or top.population >= MILLION:
        return False
    return _GERMAN_OTHER_PREPOSITION.search(text, max(0, start - 11), start) is not None


_MONTHS = frozenset(
    """
    januar jänner februar märz april mai juni juli august september oktober november dezember
    janvier février mars avril mai juin juillet août septembre octobre novembre décembre
    enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre
    gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre
    janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro
    januari februari maart april mei juni juli augustus september oktober november december
    """.split()  # noqa: SIM905  (a word list reads better as prose than as quoted items)
)
"""Month names of the languages the pipeline reads besides English (lower case; capitalised in German and Dutch)."""
_TEMPORAL_BEFORE = frozenset("seit bis ab vor since until desde hasta depuis jusqu dès".split())  # noqa: SIM905
_YEAR_AFTER = re.compile(r"[ \t]+(?:1[5-9]|20)\d\d(?!\d)")
_TIME_PHRASE_AFTER = re.compile(
    r"[ \t]+(?:des|der|dieses|diesen|nächsten|kommenden|vergangenen|letzten)[ \t]+"
    r"(?:Jahr|Monat|Woche|Jahrzehnt|Jahrhundert|Quartal|Saison|Sommer|Winter|Herbst|Frühling|Frühjahr)"
)


def _time_expression(text: str, start: int, end: int) -> bool:
    """A capitalised word opening a time expression, not a town: before a month ("Mitte Oktober", "Ende März"),
    before a period ("bis Mitte des Jahrhunderts"), or before a year after a preposition of time ("seit Mitte
    2020"). GeoNames has towns named like such words (Mitte, Ende); a town is not written that way."""
    before, after = _neighbour(text, start, end)
    if after.lower().rstrip(".") in _MONTHS:
        return True
    if before.lower() in _TEMPORAL_BEFORE and _YEAR_AFTER.match(text, end):
        return True
    return text[end : end + 1] in (" ", "\t") and _TIME_PHRASE_AFTER.match(text, end) is not None


_COMPOUND_PLACE_TAILS = frozenset("nord süd ost west mitte zentrum stadt altstadt innenstadt land".split())  # noqa: SIM905
"""Second parts that leave the first a place ("Düsseldorf-Süd", "Berlin-Mitte")."""


def _compound_head(text: str, start: int, end: int, candidates: Sequence[Place], next_hit: int) -> bool:
    """A town under a million people opening a hyphenated German compound ("Corona-Jahr", "Kita-Winter",
    "Oxford-Studie"): the compound is a noun and its first part a word of it, not a place of the story. A big
    city's name stays ("Berlin-Besuch": the visit is to Berlin), and so does a place before another place
    ("Hamburg-Bielefeld", ``next_hit`` being where the next scan hit starts) or before a quarter ("Düsseldorf-Süd")."""
    if text[end : end + 1] != "-" or not text[end + 1 : end + 2].isalpha() or next_hit == end + 1:
        return False
    top = candidates[0]
    if top.feature != "city" or top.population >= MILLION:
        return False
    tail = _WORD.match(text, end + 1)
    return tail is None or tail.group(0).split("-")[0].lower() not in _COMPOUND_PLACE_TAILS


def _alternate_name_only(text: str, name: str, candidates: Sequence[Place]) -> bool:
    """Whether a name NER did not call a place (alone) is only a GeoNames alternate name of towns under a million people
    whose own names the article never writes: GeoNames lists "Google" for Topeka. Big cities' other names ("Kiev",
    "Bombay"), divisions' abbreviations ("Calif."), towns the article also names as themselves and the curated
    spellings of the detailed countries' towns ("Misurata") stay places."""
    key = normalize_name(name)
    for place in candidates:
        if place.feature != "city" or place.population >= MILLION or place.country_code in DETAILED_COUNTRIES:
            return False
        if key in (normalize_name(place.name), normalize_name(place.asciiname)):
            return False
        if place.name in text or place.asciiname in text:
            return False
    return True


def _full_name_elsewhere(text: str, name: str) -> bool:
    """Whether the article also writes ``name`` after a capitalised word that is no function word ("Ashley Sutton"):
    then the bare name an actor span holds ("Sutton goes into the season") is that person's surname, not the town.
    (Asked of bare actor-span hits only; ``str.find`` walks the occurrences, no pattern runs over the text.)"""
    stops = _stop_words()
    at = text.find(name)
    while at != -1:
        after = at + len(name)
        glued = after < len(text) and (text[after].isalnum() or text[after] == "-")
        if at >= 2 and text[at - 1] == " " and not glued:
            before, _ = _neighbour(text, at, after)
            if _is_capitalised(before) and before.lower() not in stops:
                return True
        at = text.find(name, at + 1)
    return False


def capitalised_words(text: str) -> set[str]:
    """The distinct ``_WORD`` tokens of ``text`` that open with a capital: ``{w for w in _WORD.findall(text) if
    w[0].isupper()}``.

    Why not that line: the pattern read every character of the article, 0.2 ms per bench article. A token never
    spans white space (none of its characters is one), so the text's space-separated pieces tokenise apart; a piece
    with no capital in it (``str.islower``: every cased character lower case) holds no such token and is left out
    before the pattern runs over the rest (a fifth of the text), for about half the time."""
    return {w for w in _WORD.findall(" ".join(filterfalse(str.islower, text.split()))) if w[0].isupper()}


def _read_context(text: str, pending: Sequence[_Pending], scan_only: Sequence[_Pending], gaz: Gazetteer) -> _Context:
    """Countries named outright, countries of unambiguous places, nationality adjectives, states named, and a first
    reading of every mention (the anchors distances are measured from)."""
    mentions = [*pending, *scan_only]
    named: dict[str, int] = {}
    for p in mentions:
        countries = [c for c in p.candidates if c.feature == "country"]
        if countries:
            cc = countries[0].country_code
            named[cc] = named.get(cc, 0) + 1
    place_countries = {
        p.candidates[0].country_code
        for p in pending
        if p.candidates and len({c.country_code for c in p.candidates}) == 1
    }
    demonym_countries: set[str] = set()
    for word in capitalised_words(text):  # each distinct capitalised word once
        dem_cc = gaz.demonym_country(word)
        if dem_cc is not None:
            demonym_countries.add(dem_cc)
    top = max(named.values(), default=0)
    main = frozenset(cc for cc, n in named.items() if n == top)
    states = frozenset(
        (c.country_code, c.district_code)
        for p in mentions
        if p.candidates and normalize_name(p.text) == normalize_name(p.candidates[0].name)
        for c in p.candidates[:1]
        if c.feature == "state"
    )
    ctx = _Context(named, place_countries, demonym_countries, main, states)
    ctx.anchors = _first_pass_anchors(mentions, ctx)
    return ctx


FACILITY_AFTER = re.compile(
    r" (?:[Cc]onference [Hh]all|[Cc]onference [Cc]ent(?:er|re)|[Hh]all|[Hh]otel|[Ss]tadium|[Aa]irport|[Ss]treet|"
    r"[Rr]oad|[Ss]quare|[Aa]venue|[Bb]ridge|[Pp]alace|[Tt]ower|[Ss]chool|[Uu]niversity|[Hh]ospital|[Cc]lub)\b"
)
"""A town's name before a building's noun often names the building ("the Ouagadougou conference hall" in Sirte):
such a mention counts only in a country the rest of the article points to."""


def _decide(
    text: str, pending: Sequence[_Pending], scan_only: Sequence[_Pending], weak: set[tuple[int, int]], ctx: _Context
) -> list[ResolvedMention]:
    """NER mentions take their best candidate, unless only this mention points to its country and it names a
    building; a scan hit is accepted only in a country the article is about (or as a country,
    continent, region, or a city of a million people)."""
    named = ctx.named_countries
    first = [(p, _best(p, ctx) if p.candidates else None) for p in pending]
    support: dict[str, set[str]] = {}  # country -> the mention texts whose reading lies in it
    lone = {(p.start, p.end): p.text for p, place in first if place is not None and _lone_small_town(p, place)}
    if lone:  # only their names' mentions are read for a preposition: the common article has none to read
        names = set(lone.values())
        placed = {
            p.text for p in [*pending, *scan_only] if p.text in names and _written_as_a_place(text, p.start, p.end)
        }
        lone = {span: name for span, name in lone.items() if name not in placed}
    doubtful = set(lone) | {
        (p.start, p.end) for p, place in first if place is not None and FACILITY_AFTER.match(text, p.end)
    }
    if doubtful:
        for p, place in [*first, *((p, _best(p, ctx)) for p in scan_only if p.candidates)]:
            if place is not None and place.country_code:
                support.setdefault(place.country_code, set()).add(normalize_name(p.text))
    resolved: list[ResolvedMention] = []
    for p, place in first:
        if place is not None and (p.start, p.end) in doubtful and not _supported(p, place, ctx, support):
            place = None
        resolved.append(ResolvedMention(p.start, p.end, p.text, place, p.source))
    context_countries = set(named) | ctx.demonym_countries
    context_countries |= {r.place.country_code for r in resolved if r.place is not None}
    waiting = [(p, _best(p, ctx)) for p in scan_only]
    for _ in range(2):  # a second round lets a town in the country of an accepted one in ("Washington", "California")
        rejected: list[tuple[_Pending, Place]] = []
        for p, place in waiting:
            if (p.start, p.end) in weak:
                ok = place.feature in ("country", "region", "continent") or place.country_code in named
            elif place.feature in ("country", "continent") or not place.country_code:
                ok = True
            elif place.feature == "state" and _named_as_division(text, p):
                ok = True  # "Yunnan province", "the province of Yunnan": named as what it is
            elif place.feature == "region":
                exact = normalize_name(p.text) == normalize_name(place.name)
                ok = exact or place.country_code in context_countries
            else:
                ok = place.country_code in context_countries or place.population >= MILLION
            if ok:
                resolved.append(ResolvedMention(p.start, p.end, p.text, place, "scan"))
                if place.feature != "region":
                    context_countries.add(place.country_code)
            else:
                rejected.append((p, place))
        if len(rejected) == len(waiting):
            break
        waiting = rejected
    resolved.sort(key=lambda r: (r.start, r.end))
    return resolved


SMALL_TOWN = 100_000
_MOTION_TO_BEFORE = re.compile(
    r"(?<![\w-])(?:trips?|travel(?:s|led|ed)?|flew|fl(?:y|ies|ights?)|mov(?:e|es|ed|ing)|c(?:o|a)mes?|go(?:es)?|"
    r"went|return(?:s|ed)?|back|head(?:s|ed)?|bound|road|route|way|visits?|visited|arriv(?:e|es|ed)) "
    r"(?:to |in )?$"
)
"""A verb or noun of going before a name ("a return trip to Saipan", "comes to Clacton", "visited Delft")."""


_FRENCH_LOCATIVE_BEFORE = re.compile(
    r"(?<![\w-])(?:à|au|aux|en|dans|vers|depuis|de|du|par|entre|sur) $|(?<![\w-])d['’]$"
)
"""French prepositions of place (and "de", "d'": "venus de Koufra", "près d'Ajdabiya")."""


def _written_as_a_place(text: str, start: int, end: int) -> bool:
    """Whether the article writes this mention as a place: after a preposition of place (English or French) or a
    verb of going, after a settlement's noun, or as a dateline."""
    return bool(
        _place_word_before(text, start)
        or _FRENCH_LOCATIVE_BEFORE.search(text, max(0, start - 8), start)
        or _MOTION_TO_BEFORE.search(text, max(0, start - 16), start)
        or (text[start:end].isupper() and _as_dateline(text, start, end))
    )


def _lone_small_town(p: _Pending, place: Place) -> bool:
    """Whether a reading is a small town (under ``SMALL_TOWN`` people) named by one word; the caller then asks whether
    the article ever writes it as a place (``_written_as_a_place``: a preposition of place, a verb of going or a
    dateline before any of its mentions): if never ("Siri shortcuts", "Martin and Illie Anderson Senior Fellow"),
    the reading is doubtful, and stands only where the article points to the town's country (``_supported``): NER
    reads surnames, brands and products as places, and the gazetteer has a small town abroad for many of them (Sīrē,
    Ethiopia; Martin, Slovakia). A town of an analyst region keeps its reading ("Tarhuna's mass graves"): Libya is
    the coverage the product is built for, and its gazetteer curated."""
    return (
        place.feature == "city"
        and bool(place.country_code)
        and not place.region  # a town of an analyst region (Libya's) is what the product reads the news for
        and place.population < SMALL_TOWN
        and " " not in p.text
        and "-" not in p.text
    )


def _supported(p: _Pending, place: Place, ctx: _Context, support: dict[str, set[str]]) -> bool:
    """Whether a doubtful NER reading stands (one before a building's noun, "the Ouagadougou conference hall", or a
    lone small town, ``_lone_small_town``): a country, continent, region or state does, and a town whose country
    the article points to some other way (the country named, a nationality, another place there) or that lies near
    the article's other places. (Checked for those mentions only: the anchor distances stay off the common path.)"""
    if place.feature in ("country", "continent", "region", "state") or not place.country_code:
        return True  # also the informal regions and seas ("Middle East"), which have no country
    code = place.country_code
    key = normalize_name(p.text)
    return (
        ctx.named_countries.get(code, 0) > 0
        or code in ctx.demonym_countries
        or bool(support.get(code, set()) - {key})
        or any(
            anchor.key != key and _km(place.lat or 0.0, place.lon or 0.0, anchor.lat, anchor.lon) < NEAR_KM
            for anchor in ctx.anchors
            if place.lat is not None
        )
    )


def resolve_locations(
    text: str,
    place_mentions: Sequence[Mention],
    gazetteer: Gazetteer | None = None,
    *,
    exclude_spans: Sequence[tuple[int, int]] = (),
    language: str = "",
    scan: Sequence[tuple[int, int, list[Place]]] | None = None,
) -> tuple[Location, ...]:
    """Resolved places, then their countries, then their analyst regions: one ``Location`` each, deduplicated.

    ``text`` is ``analysis_text(article)``; ``place_mentions`` are NER GPE/LOC/FAC spans (may be empty);
    ``exclude_spans`` are actor spans (people, organisations) whose words must not count as places; ``language``
    the article's (German capitalises nouns, so a small town's name alone needs more there: see ``_scan_mentions``);
    ``scan``: the gazetteer's ``scan(text)``, when the caller ran it already (``etl.enrich.locate_all``).
    """
    gaz = gazetteer or Gazetteer.load()
    mentions = resolve_mentions(text, place_mentions, gaz, exclude_spans=exclude_spans, language=language, scan=scan)
    places: dict[str, tuple[Place, list[str]]] = {}
    countries: dict[str, list[str]] = {}
    regions: dict[str, list[str]] = {}
    for r in mentions:
        if r.place is None:
            continue
        spelling = _spelling(r.text)
        if r.place.feature == "country":
            _add(countries.setdefault(r.place.country_code, []), spelling)
            continue
        if r.place.feature == "region":
            _add(regions.setdefault(r.place.name, []), spelling)
            countries.setdefault(r.place.country_code, [])
            continue
        entry = places.setdefault(r.place.place_id, (r.place, []))
        _add(entry[1], spelling)
        if r.place.country_code:
            countries.setdefault(r.place.country_code, [])
        if r.place.region:
            regions.setdefault(r.place.region, [])
        if r.place.contested_region:  # Ras Lanuf: Tripolitania by district, Cyrenaica by usage (GAZETTEER.md)
            regions.setdefault(r.place.contested_region, [])

    out: list[Location] = []
    for place, spellings in places.values():
        out.append(
            Location(
                name=place.name,
                lat=place.lat,
                lon=place.lon,
                country=place.country or None,
                country_code=place.country_code or None,
                district=place.district,
                region=place.region,
                feature=PlaceFeature(place.feature),
                geonameid=place.geonameid,
                mentions=tuple(spellings),
            )
        )
    for cc, spellings in countries.items():
        country = gaz.country(cc)
        if country is None:
            continue
        out.append(
            Location(
                name=country.name,
                lat=country.lat,
                lon=country.lon,
                country=country.name,
                country_code=cc,
                feature=PlaceFeature.COUNTRY,
                geonameid=country.geonameid,
                mentions=tuple(spellings),
            )
        )
    for name, spellings in regions.items():
        node = gaz.region_place(name)
        out.append(
            Location(
                name=name,
                lat=node.lat if node else None,
                lon=node.lon if node else None,
                country=node.country if node else None,
                country_code=node.country_code if node else None,
                region=name,
                feature=PlaceFeature.REGION,
                mentions=tuple(spellings),
            )
        )
    return tuple(out)


def _trim(m: Mention) -> Mention:
    """NER spans may open with "the" and end with a possessive; the place name is what lies between."""
    text, start, end = m.text, m.start, m.end
    for article in ("the ", "The ", "THE "):
        if text.startswith(article) and len(text) > len(article):
            text, start = text[len(article) :], start + len(article)
    for suffix in ("'s", "’s"):
        if text.endswith(suffix) and len(text) > len(suffix):
            text, end = text[: -len(suffix)], end - len(suffix)
    settlement = _SETTLEMENT_AFTER.search(text)
    if settlement is not None and settlement.start() > 0:  # "Torkula village": the village is Torkula
        text, end = text[: settlement.start()], end - (len(text) - settlement.start())
    return m if (start, end) == (m.start, m.end) else Mention(text, start, end)


def _spelling(surface: str) -> str:
    """The article's spelling, without a possessive ("Libya's" -> "Libya")."""
    s = " ".join(surface.split())
    for suffix in ("'s", "’s", "'", "’"):
        if s.endswith(suffix):
            return s[: -len(suffix)]
    return s


def _add(bucket: list[str], value: str) -> None:
    if value and value not in bucket:
        bucket.append(value)


__all__ = ["ResolvedMention", "resolve_locations", "resolve_mentions"]
