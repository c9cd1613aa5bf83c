"""The indexed document: an enriched article shaped for the mapping in ``mappings/articles.json``.

Facet fields hold canonical values (``actors``, ``regions``, ``countries``...), full-text fields the article's
parts, ``locations`` the map points, and provenance says which file, content, pipeline and knowledge made it.

Two kinds of field serve people who query the index directly (Kibana's Discover, KQL) rather than through
``newsfacet search``, which resolves aliases itself:

- ``actor_names`` / ``place_names``: every name the knowledge base and the gazetteer know for the article's actors
  and places (regions and countries included), as folded full text, so ``actor_names : Hifter`` or
  ``place_names : Fazzan`` find the article whatever spelling it used.
- ``timestamp``: the time axis. ``published_at`` when the article says when it was published, else the time it
  was ingested (``timestamp_source`` says which), so an undated article still appears on a timeline.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from etl.knowledge.actors import KnowledgeBase
from etl.knowledge.gazetteer import Gazetteer
from etl.records import ACTOR_TYPES, EnrichedArticle
from etl.settings import PIPELINE_VERSION

STEMMED_BODY_FIELDS = {"en": "body_en", "fr": "body_fr", "de": "body_de", "es": "body_es", "ar": "body_ar"}
"""Language code -> the field holding the body again under that language's stemming analyzer (mapping v2)."""


def to_document(enriched: EnrichedArticle, *, kb_version: str = "", gazetteer_version: str = "",
                ingested_at: str | None = None) -> dict[str, Any]:
    """The indexed document: canonical facet values, full text, nested entities and quotes, provenance."""
    article = enriched.article
    by_type: dict[str, list[str]] = {}
    for entity in enriched.entities:
        by_type.setdefault(entity.type, [])
        if entity.name not in by_type[entity.type]:
            by_type[entity.type].append(entity.name)
    actors = [e.name for e in enriched.entities if e.type in ACTOR_TYPES]
    locations = [loc for loc in enriched.locations]
    # continents are context, not a place users facet on; countries and regions have facets of their own
    places = _unique(loc.name for loc in locations if loc.feature not in ("country", "region", "continent"))
    stemmed = STEMMED_BODY_FIELDS.get(enriched.language.code)  # no stemmer for this language: folded body only
    ingested_at = ingested_at or datetime.now(UTC).isoformat(timespec="seconds")
    document: dict[str, Any] = {
        "doc_id": article.doc_id,
        "title": article.title,
        "body": article.body,
        **({stemmed: article.body} if stemmed else {}),
        "headings": list(article.headings),
        "captions": list(article.captions),
        "credits": list(article.credits),
        "byline": article.byline,
        "source": article.source,
        "url": article.url,
        "published_at": article.published_at,
        "language": enriched.language.code,
        "language_confidence": enriched.language.confidence,
        "word_count": len(article.body.split()),
        "actors": _unique(actors),
        "actors_folded": _unique(actors),
        "persons": by_type.get("person", []),
        "organizations": _unique(by_type.get("organization", []) + by_type.get("media", [])),
        "armed_groups": by_type.get("armed_group", []),
        "places": places,
        "districts": _unique(loc.district for loc in locations if loc.district),
        "regions": _unique(loc.region for loc in locations if loc.region),
        "countries": _unique(loc.country for loc in locations if loc.country),
        "locations": [
            {
                "name": loc.name,
                "feature": loc.feature,
                "country": loc.country,
                "country_code": loc.country_code,
                "district": loc.district,
                "region": loc.region,
                "geonameid": loc.geonameid,
                "mentions": list(loc.mentions),
                **({"point": {"lat": loc.lat, "lon": loc.lon}} if loc.lat is not None and loc.lon is not None else {}),
            }
            for loc in locations
        ],
        "entities": [
            {
                "name": e.name,
                "type": e.type,
                "kb_id": e.kb_id,
                "wikidata": e.wikidata,
                "mentions": _unique(m.text for m in e.mentions),
                "count": len(e.mentions),
            }
            for e in enriched.entities
        ],
        "quotes": [{"speaker": q.speaker, "speaker_kb_id": q.speaker_kb_id, "text": q.text} for q in enriched.quotes],
        "source_file": article.source_file,
        "content_sha256": article.content_sha256,
        "pipeline_version": PIPELINE_VERSION,
        "kb_version": kb_version,
        "gazetteer_version": gazetteer_version,
        "ingested_at": ingested_at,
    }
    return complete_document(document)


def complete_document(document: dict[str, Any]) -> dict[str, Any]:
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
        document["actor_names"] = actor_names(document.get("entities") or [])
    if "place_names" not in document:
        document["place_names"] = place_names(document.get("locations") or [])
    return document


def actor_names(entities: Iterable[dict[str, Any]]) -> list[str]:
    """Each actor's canonical name, its knowledge-base aliases and the spellings the article used."""
    kb = KnowledgeBase.load()
    names: list[str] = []
    for entity in entities:
        if entity.get("type") not in ACTOR_TYPES:
            continue
        known = kb.get(entity["kb_id"]) if entity.get("kb_id") else None
        names += [entity["name"], *(known.aliases if known else ()), *entity.get("mentions", ())]
    return _unique_folded(names)


def place_names(locations: Iterable[dict[str, Any]]) -> list[str]:
    """Every gazetteer name of the article's places and of the districts, regions and countries they roll up to."""
    gazetteer = Gazetteer.load()
    names: list[str] = []
    for loc in locations:
        names += [loc["name"], *loc.get("mentions", ())]
        for place in gazetteer.candidates(loc["name"]):
            if (place.geonameid == loc["geonameid"]) if loc.get("geonameid") else (place.name, place.feature) == (
                    loc["name"], loc.get("feature")):
                names += place.names
                break
        if loc.get("district"):
            names += [n for p in gazetteer.candidates(loc["district"])[:1] if p.feature == "district" for n in p.names]
        if loc.get("region") and (region := gazetteer.region(loc["region"])):
            names += [region.name, *region.aliases]
        if loc.get("country_code") and (country := gazetteer.country(loc["country_code"])):
            names += list(country.names)
    return _unique_folded(names)


def _unique_folded(values: Iterable[str]) -> list[str]:
    """First spelling of each name, ignoring case: the folded analyzer would index the others the same."""
    seen: dict[str, str] = {}
    for value in values:
        if value and value.strip():
            seen.setdefault(value.casefold(), value)
    return list(seen.values())


def _unique(values: Iterable[str | None]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value:
            seen.setdefault(value, None)
    return list(seen)
