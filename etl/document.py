"""The indexed document: an enriched article shaped for the mapping in ``mappings/articles.json``.

Facet fields hold canonical values (``actors``, ``regions``, ``countries``...), full-text fields the article's
parts, ``locations`` the map points, and provenance says which file, content, pipeline and knowledge made it.

Nothing here may cost an article its place in the index: every value the strict mapping could refuse is made safe
first. Dates become strict ISO-8601 (or are dropped, with a note saying so), keyword values are clipped to
``KEYWORD_MAX`` characters (Elasticsearch refuses a term over 32,766 bytes: a 40 KB ``og:site_name`` failed a whole
document), and the notes travel with the document (``notes``) where a user can see them.

Two kinds of field serve people who query the index directly (Kibana's Discover, KQL) rather than through
``newsfacet search``, which resolves aliases itself:

- ``actor_names`` / ``place_names``: every name the knowledge base and the gazetteer know for the article's actors
  and places (regions and countries included), as folded full text, so ``actor_names : Hifter`` or
  ``place_names : Fazzan`` find the article whatever spelling it used.
- ``timestamp``: the time axis. ``published_at`` when the article says when it was published, else the time it
  was ingested (``timestamp_source`` says which), so an undated article still appears on a timeline.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any

from etl.clean import MAX_TEXT_CHARS
from etl.knowledge.actors import KnowledgeBase
from etl.knowledge.gazetteer import Gazetteer
from etl.records import ACTOR_TYPES, EnrichedArticle
from etl.sentences import count_words
from etl.settings import PIPELINE_VERSION

STEMMED_BODY_FIELDS = {"en": "body_en", "fr": "body_fr", "de": "body_de", "es": "body_es", "ar": "body_ar"}
"""Language code -> the field holding the body again under that language's stemming analyzer (mapping v2)."""
KEYWORD_MAX = 300
"""Characters kept of a keyword value (a facet value, a name, a source): far above any real one, far below the
32,766-byte term limit even in four-byte characters."""
TITLE_MAX = 2000
URL_MAX = 2048
LENGTHS = ((100, "brief"), (300, "short"), (1000, "medium"))
"""Upper word counts of the ``length`` facet's values; longer is "long". A brief is kept and marked, not rejected."""


def to_document(
    enriched: EnrichedArticle,
    *,
    kb_version: str = "",
    gazetteer_version: str = "",
    ingested_at: str | None = None,
    kb: KnowledgeBase | None = None,
    gazetteer: Gazetteer | None = None,
) -> dict[str, Any]:
    """The indexed document: canonical facet values, full text, nested entities and quotes, provenance.

    ``kb`` and ``gazetteer``: the knowledge the article was enriched with (``etl.knowledge.loader``: with your
    ``NEWSFACET_KB_DIR``), whose aliases go into ``actor_names`` and ``place_names``; default: the shipped one."""
    article = enriched.article
    notes: list[str] = []
    stemmed = STEMMED_BODY_FIELDS.get(enriched.language.code)  # no stemmer for this language: folded body only
    words = article.word_count or count_words(article.body)
    if article.from_description:
        notes.append("the saved page holds no main text (rendered by script?): its own description is the body")
    if article.truncated:
        notes.append(f"text cut at {MAX_TEXT_CHARS:,} characters: the rest of the input was not analysed")
    ingested_at = ingested_at or datetime.now(UTC).isoformat(timespec="seconds")
    document: dict[str, Any] = {
        "doc_id": article.doc_id,
        "title": _clip(article.title, TITLE_MAX, "title", notes),
        "body": article.body,
        **({stemmed: article.body} if stemmed else {}),
        "headings": list(article.headings),
        "captions": list(article.captions),
        "credits": _unique(_clip(c, KEYWORD_MAX, "credit", notes) for c in article.credits),
        "byline": _clip(article.byline, KEYWORD_MAX, "byline", notes),
        "source": _clip(article.source, KEYWORD_MAX, "source", notes),
        "url": _clip(article.url, URL_MAX, "url", notes),
        "published_at": strict_date(article.published_at, notes),
        "language": enriched.language.code,
        "language_confidence": enriched.language.confidence,
        "word_count": words,
        "length": length_of(words),
        **_linked_fields(enriched),
        "notes": notes,
        "source_file": article.source_file,
        "content_sha256": article.content_sha256,
        "pipeline_version": PIPELINE_VERSION,
        "kb_version": kb_version,
        "gazetteer_version": gazetteer_version,
        "ingested_at": ingested_at,
    }
    return complete_document(document, kb, gazetteer)


def knowledge_fields(
    enriched: EnrichedArticle, kb: KnowledgeBase | None = None, gazetteer: Gazetteer | None = None
) -> dict[str, Any]:
    """The fields of the document made from the knowledge (actors, places, entities, quotes, ``actor_names``,
    ``place_names``), exactly as ``to_document`` makes them, without the rest of the document.

    Why: ``relink`` rewrites only these; making the whole document (dates, clipped text, word counts) for each
    re-derived article only to keep these fields was a tenth of its cost."""
    fields = _linked_fields(enriched)
    fields["actor_names"] = actor_names(fields["entities"], kb)
    fields["place_names"] = place_names(fields["locations"], gazetteer)
    return fields


def _linked_fields(enriched: EnrichedArticle) -> dict[str, Any]:
    """The facet fields, locations, entities and quotes of the document (in the document's order)."""
    by_type: dict[str, list[str]] = {}
    for entity in enriched.entities:
        by_type.setdefault(entity.type, [])
        if entity.name not in by_type[entity.type]:
            by_type[entity.type].append(entity.name)
    actors = [e.name for e in enriched.entities if e.type in ACTOR_TYPES]
    locations = list(enriched.locations)
    # continents are context, not a place users facet on; countries and regions have facets of their own
    places = _unique(loc.name for loc in locations if loc.feature not in ("country", "region", "continent"))
    return {
        "actors": _facet(actors),
        "actors_folded": _facet(actors),
        "persons": _facet(by_type.get("person", [])),
        "organizations": _facet(by_type.get("organization", []) + by_type.get("media", [])),
        "armed_groups": _facet(by_type.get("armed_group", [])),
        "places": _facet(places),
        "districts": _facet(loc.district for loc in locations),
        "regions": _facet(loc.region for loc in locations),
        "countries": _facet(loc.country for loc in locations),
        "locations": [
            {
                "name": _keyword(loc.name),
                "feature": loc.feature,
                "country": _keyword(loc.country),
                "country_code": loc.country_code,
                "district": _keyword(loc.district),
                "region": _keyword(loc.region),
                "geonameid": loc.geonameid,
                "mentions": _facet(loc.mentions),
                **({"point": {"lat": loc.lat, "lon": loc.lon}} if loc.lat is not None and loc.lon is not None else {}),
            }
            for loc in locations
        ],
        "entities": [
            {
                "name": _keyword(e.name),
                "type": e.type,
                "kb_id": e.kb_id,
                "wikidata": e.wikidata,
                "mentions": _facet(m.text for m in e.mentions),
                "count": len(e.mentions),
            }
            for e in enriched.entities
        ],
        "quotes": [
            {"speaker": _keyword(q.speaker), "speaker_kb_id": q.speaker_kb_id, "text": q.text} for q in enriched.quotes
        ],
    }


def complete_document(
    document: dict[str, Any], kb: KnowledgeBase | None = None, gazetteer: Gazetteer | None = None
) -> dict[str, Any]:
    """Add the fields derived from the rest of the document (mapping v3: ``timestamp``, ``timestamp_source``,
    ``actor_names``, ``place_names``) where they are missing; returns the same dict.

    ``to_document`` ends with it, and a rebuild from the archive runs it on documents archived before those fields
    existed, so ``newsfacet reindex`` gives every older document its time axis and its aliases.
    """
    if "timestamp" not in document:
        published = document.get("published_at")
        document["timestamp"] = published or document.get("ingested_at")
        document["timestamp_source"] = "published" if published else "ingested"
    if "actor_names" not in document:
        document["actor_names"] = actor_names(document.get("entities") or [], kb)
    if "place_names" not in document:
        document["place_names"] = place_names(document.get("locations") or [], gazetteer)
    return document


def actor_names(entities: Iterable[dict[str, Any]], kb: KnowledgeBase | None = None) -> list[str]:
    """Each actor's canonical name, its knowledge-base aliases and the spellings the article used."""
    kb = kb or KnowledgeBase.load()
    seen: dict[str, str] = {}
    merged: set[tuple[Any, ...]] = set()
    for entity in entities:
        if entity.get("type") not in ACTOR_TYPES:
            continue
        _add_folded(seen, (entity["name"],))
        if entity.get("kb_id"):
            _merge(seen, merged, kb, ("aliases", entity["kb_id"]), _aliases)
        _add_folded(seen, entity.get("mentions", ()))
    return list(seen.values())


def place_names(locations: Iterable[dict[str, Any]], gazetteer: Gazetteer | None = None) -> list[str]:
    """Every gazetteer name of the article's places and of the districts, regions and countries they roll up to."""
    gazetteer = gazetteer or Gazetteer.load()
    seen: dict[str, str] = {}
    merged: set[tuple[Any, ...]] = set()
    for loc in locations:
        _add_folded(seen, (loc["name"], *loc.get("mentions", ())))
        geonameid = loc.get("geonameid")
        place = ("place", loc["name"], geonameid or None, None if geonameid else loc.get("feature"))
        _merge(seen, merged, gazetteer, place, _place_spellings)
        if loc.get("district"):
            _merge(seen, merged, gazetteer, ("district", loc["district"]), _district_spellings)
        if loc.get("region"):
            _merge(seen, merged, gazetteer, ("region", loc["region"]), _region_spellings)
        if loc.get("country_code"):
            _merge(seen, merged, gazetteer, ("country", loc["country_code"]), _country_spellings)
    return list(seen.values())


def _aliases(kb: KnowledgeBase, key: tuple[Any, ...]) -> tuple[str, ...]:
    known = kb.get(key[1])
    return known.aliases if known else ()


def _place_spellings(gazetteer: Gazetteer, key: tuple[Any, ...]) -> tuple[str, ...]:
    """Every spelling of the entry a location stands for: by its GeoNames id if it has one, else by name and
    feature."""
    _, name, geonameid, feature = key
    for place in gazetteer.candidates(name):
        if (place.geonameid == geonameid) if geonameid else (place.name, place.feature) == (name, feature):
            return place.names
    return ()


def _district_spellings(gazetteer: Gazetteer, key: tuple[Any, ...]) -> list[str]:
    return [n for p in gazetteer.candidates(key[1])[:1] if p.feature == "district" for n in p.names]


def _region_spellings(gazetteer: Gazetteer, key: tuple[Any, ...]) -> tuple[str, ...]:
    region = gazetteer.region(key[1])
    return (region.name, *region.aliases) if region else ()


def _country_spellings(gazetteer: Gazetteer, key: tuple[Any, ...]) -> tuple[str, ...]:
    country = gazetteer.country(key[1])
    return country.names if country else ()


_FoldedNames = tuple[tuple[str, str], ...]
_NAME_GROUPS_CACHED = 50_000
_name_groups: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], _FoldedNames]] = weakref.WeakKeyDictionary()
"""Per knowledge base and gazetteer, the names behind one actor, place, district, region or country, folded once.

Why: a Libyan town's country alone has hundreds of spellings; folding them again for every location of every
article was most of the cost of ``place_names`` (and a tenth of a relink). Keyed by the object, so a reloaded
knowledge base or gazetteer starts afresh and a dropped one takes its names with it."""


def _merge(
    seen: dict[str, str],
    merged: set[tuple[Any, ...]],
    owner: Any,
    key: tuple[Any, ...],
    names: Callable[[Any, tuple[Any, ...]], Iterable[str]],
) -> None:
    """``_add_folded(seen, names(owner, key))``, the names folded once per ``owner`` (a knowledge base or a
    gazetteer) and ``key``; a group already merged into ``seen`` is skipped (merging it again would change
    nothing: its first spellings are already there)."""
    if key in merged:
        return
    merged.add(key)
    cache = _name_groups.get(owner)
    if cache is None:
        cache = _name_groups.setdefault(owner, {})
    group = cache.get(key)
    if group is None:
        folded: dict[str, str] = {}
        _add_folded(folded, names(owner, key))
        group = tuple(folded.items())
        if len(cache) < _NAME_GROUPS_CACHED:
            cache[key] = group
    for fold, value in group:
        seen.setdefault(fold, value)


def _add_folded(seen: dict[str, str], values: Iterable[str]) -> None:
    """First spelling of each name, ignoring case: the folded analyzer would index the others the same."""
    for value in values:
        if value and value.strip():
            seen.setdefault(value.casefold(), value)


def length_of(words: int) -> str:
    """The ``length`` facet value of an article of ``words`` words."""
    return next((name for limit, name in LENGTHS if words < limit), "long")


_DATE_FORMATS = ("%Y%m%d", "%Y%m%dT%H%M%S", "%Y%m%dT%H%M%S%z", "%d.%m.%Y", "%d/%m/%Y")


def strict_date(value: str | None, notes: list[str]) -> str | None:
    """``value`` as strict ISO-8601 (a date, or a date-time with its offset), or None with a note when it cannot be.

    Takes what pages and file names carry: ``2019-11-19 02:24:00``, ``2021-05-05 08:07:52+0200``, ``20190214``,
    ``2019-W07-4``, ``14.02.2019``; refuses an impossible ``2019-02-30``. Elasticsearch then never refuses the field.
    """
    if not value:
        return None
    text = " ".join(value.split())
    parsed = _parse_date(text)
    if parsed is None:
        notes.append(f"published_at {text[:60]!r} dropped: not a date")
        return None
    if not 1800 <= parsed.year <= 2200:
        notes.append(f"published_at {text[:60]!r} dropped: year {parsed.year} out of range")
        return None
    if isinstance(parsed, datetime):
        return parsed.isoformat()
    return parsed.isoformat()


def _parse_date(text: str) -> date | datetime | None:
    candidate = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text.replace(" ", "T", 1)).replace("Z", "+00:00")
    for parse in (datetime.fromisoformat, date.fromisoformat):
        try:
            parsed: date | datetime = parse(candidate)
        except ValueError:
            continue
        if isinstance(parsed, datetime) and len(text) <= 10 and "T" not in text and ":" not in text:
            return parsed.date()  # a bare date read as midnight: keep it a date
        return parsed
    week = re.fullmatch(r"(\d{4})-?W(\d{2})-?(\d)", text)
    if week:
        try:
            return date.fromisocalendar(int(week.group(1)), int(week.group(2)), int(week.group(3)))
        except ValueError:
            return None
    for fmt in _DATE_FORMATS:
        try:
            stamp = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return stamp if "H" in fmt else stamp.date()
    return None


def _clip(value: str | None, limit: int, field: str, notes: list[str]) -> str | None:
    """``value`` with its white space collapsed and cut to ``limit`` characters (noted when cut)."""
    if value is None:
        return None
    value = " ".join(value.split())
    if len(value) > limit:
        notes.append(f"{field} cut from {len(value)} to {limit} characters")
        return value[:limit]
    return value or None


def _keyword(value: str | None) -> str | None:
    return value[:KEYWORD_MAX] if value is not None else None


def _facet(values: Iterable[str | None]) -> list[str]:
    """Distinct non-empty values in order of first appearance, each clipped to a keyword's length."""
    return _unique(value[:KEYWORD_MAX] for value in values if value)


def _unique(values: Iterable[str | None]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value:
            seen.setdefault(value, None)
    return list(seen)
