"""Faceted search over the articles alias: full text plus filters on canonical facets, with facet counts.

Filters take canonical values; ``resolve_filters`` turns whatever a user typed ("Hifter", "LNA", "Fazzan")
into them through the knowledge base and the gazetteer, so the index never needs alias expansion.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from etl.display import printable
from etl.document import strict_date
from etl.errors import InvalidQuery
from etl.knowledge.actors import KnowledgeBase
from etl.knowledge.folding import fold_with_map
from etl.knowledge.gazetteer import Gazetteer

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

FACETS: dict[str, str] = {
    "regions": "regions",
    "countries": "countries",
    "actors": "actors",
    "language": "language",
    "places": "places",
    "source": "source",
}
DEFAULT_FACETS = ("regions", "countries", "actors", "language")
"""Counted unless a query asks for others: each facet is a terms aggregation over every hit, the largest part of a
search's cost (``bench/search_bench.py``), so a page asks only for the facets it shows."""
MAX_SIZE = 1000
"""Hits one search may return (deep paging is not what a terminal or a dashboard needs)."""
MAX_TEXT = 1000
MAX_VALUE = 300
"""Characters of a query and of a filter value: far above a real one, far below what would strain the cluster."""
TEXT_FIELDS = [
    "title^3",
    "title.english^2",
    "title.french^2",
    "headings^2",
    "body",
    "body_en",
    "body_fr",
    "body_de",
    "body_es",
    "body_ar",
    "captions",
]  # body_<code>: the body stemmed in its own language (mapping v2)


@dataclass(frozen=True)
class SearchQuery:
    """What a user asks: optional text, facet filters (any of the values), a date range, a page size."""

    text: str | None = None
    regions: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    size: int = 10
    facets: tuple[str, ...] = DEFAULT_FACETS  # names from FACETS to count

    def __post_init__(self) -> None:
        """Refuse what no search can answer, with a message saying why (``InvalidQuery``)."""
        unknown = sorted(set(self.facets) - set(FACETS))
        if unknown:
            raise InvalidQuery(f"unknown facet(s) {unknown}: choose from {sorted(FACETS)}")
        if not 0 <= self.size <= MAX_SIZE:
            raise InvalidQuery(f"--size {self.size}: choose 0 to {MAX_SIZE} hits")
        if self.text and len(self.text) > MAX_TEXT:
            raise InvalidQuery(f"the query is {len(self.text)} characters long; at most {MAX_TEXT}")
        for name in ("regions", "actors", "countries", "places", "languages", "sources"):
            for value in getattr(self, name):
                if len(value) > MAX_VALUE:
                    raise InvalidQuery(f"a {name} filter of {len(value)} characters; at most {MAX_VALUE}")
        for flag, value in (("--from", self.date_from), ("--to", self.date_to)):
            if value is not None and strict_date(value, []) is None:
                raise InvalidQuery(f"{flag} {value[:40]!r} is not a date (YYYY-MM-DD)")


@dataclass(frozen=True)
class Hit:
    """One matching article, as a search result line shows it."""

    doc_id: str
    score: float
    title: str
    source: str | None
    published_at: str | None
    language: str | None
    regions: list[str]
    actors: list[str]
    highlight: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SearchResult:
    """Hits plus facet counts (value, count), most frequent first."""

    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "hits": [hit.__dict__ for hit in self.hits],
            "facets": {name: [{"value": v, "count": c} for v, c in values] for name, values in self.facets.items()},
        }


def resolve_filters(
    query: SearchQuery, kb: KnowledgeBase | None = None, gazetteer: Gazetteer | None = None
) -> SearchQuery:
    """Canonical names for what the user typed: actor and place aliases, any spelling or script.

    Pass the knowledge the index was made with (``etl.knowledge.loader.load_knowledge``: yours included); the
    default is the shipped knowledge alone."""
    kb = kb or KnowledgeBase.load()
    gazetteer = gazetteer or Gazetteer.load()
    return replace(
        query,
        actors=tuple(kb.canonical_actor(a) or a for a in query.actors),
        regions=tuple(gazetteer.canonical_region(r) or r for r in query.regions),
        countries=tuple(gazetteer.canonical_country(c) or c for c in query.countries),
        places=tuple(gazetteer.canonical_place(p) or p for p in query.places),
        languages=tuple(code.lower() for code in query.languages),
    )


@dataclass(frozen=True)
class UnknownFilter:
    """A filter value that names nothing the knowledge base or gazetteer knows, with the nearest known names."""

    kind: str  # "region", "country", "actor", "place"
    value: str
    suggestions: tuple[str, ...]
    closed: bool  # regions and countries: the facet holds only known names, so this filter matches nothing

    def message(self) -> str:
        """The line a user reads before the (probably empty) result."""
        near = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        if self.closed:
            return f"unknown {self.kind} '{self.value}': no article can match it{near}"
        return f"'{self.value}' is not a known {self.kind} (searched as typed){near}"


def _distance(a: str, b: str, limit: int) -> int:
    """Edit distance with adjacent transpositions ("Lybia" / "Libya": 2), stopping early past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _near(value: str, names: dict[str, str], limit: int = 3) -> tuple[str, ...]:
    """Canonical names whose spelling (any alias in ``names``: alias -> canonical) is close to ``value``, nearest
    first: a few typing slips per word, compared folded (case and accents ignored)."""
    key = fold_with_map(value)[0]
    allowed = max(1, min(3, len(key) // 3))
    ranked: dict[str, tuple[int, float]] = {}
    for alias, canonical in names.items():
        folded = fold_with_map(alias)[0]
        distance = _distance(key, folded, allowed)
        if distance <= allowed:
            score = (distance, -difflib.SequenceMatcher(None, key, folded).ratio())
            ranked[canonical] = min(ranked.get(canonical, score), score)
    return tuple(sorted(ranked, key=lambda name: ranked[name])[:limit])


def unknown_filters(
    query: SearchQuery, kb: KnowledgeBase | None = None, gazetteer: Gazetteer | None = None
) -> list[UnknownFilter]:
    """The filter values of a resolved query that are not known names, each with near known names (for regions,
    the few there are when none is near). Actors and places may still match names the pipeline found outside the
    knowledge base, so those are searched as typed. ``kb``, ``gazetteer``: as for ``resolve_filters``."""
    kb = kb or KnowledgeBase.load()
    gazetteer = gazetteer or Gazetteer.load()
    found: list[UnknownFilter] = []
    regions = {alias: name for name, region in gazetteer.regions.items() for alias in (name, *region.aliases)}
    for value in query.regions:
        if value not in gazetteer.regions:
            found.append(
                UnknownFilter("region", value, _near(value, regions) or tuple(sorted(gazetteer.regions)), closed=True)
            )
    countries = {alias: p.name for p in gazetteer.places if p.feature == "country" for alias in p.names}
    for value in query.countries:
        if value not in countries.values():
            found.append(UnknownFilter("country", value, _near(value, countries), closed=True))
    if query.actors:
        actors = {alias: actor.name for actor in kb.actors for alias in (actor.name, *actor.aliases)}
        for value in query.actors:
            if value not in actors.values():
                found.append(UnknownFilter("actor", value, _near(value, actors), closed=False))
    for value in query.places:
        if gazetteer.canonical_place(value) is None:
            found.append(UnknownFilter("place", value, (), closed=False))
    return found


def build_body(query: SearchQuery) -> dict[str, Any]:
    """The Elasticsearch request body: a bool query, highlights and one terms aggregation per facet.

    With text, hits come best match first; without (filters only, or everything), newest first: undated articles
    after the dated ones, newest ingested first."""
    must: list[dict[str, Any]] = []
    if query.text:
        must.append({"multi_match": {"query": query.text, "fields": TEXT_FIELDS, "operator": "and"}})
    filters: list[dict[str, Any]] = []
    for field_name, values in (
        ("regions", query.regions),
        ("actors", query.actors),
        ("countries", query.countries),
        ("places", query.places),
        ("language", query.languages),
        ("source", query.sources),
    ):
        if values:
            filters.append({"terms": {field_name: list(values)}})
    if query.date_from or query.date_to:
        bounds = {k: strict_date(v, []) for k, v in (("gte", query.date_from), ("lte", query.date_to)) if v}
        filters.append({"range": {"published_at": bounds}})
    body: dict[str, Any] = {
        "query": {"bool": {"must": must or [{"match_all": {}}], "filter": filters}},
        "size": query.size,
        "_source": ["doc_id", "title", "source", "published_at", "language", "regions", "actors"],
        "highlight": {"fields": {"body": {"number_of_fragments": 2, "fragment_size": 160}}},
        "aggs": {name: {"terms": {"field": FACETS[name], "size": 20}} for name in query.facets},
        "track_total_hits": True,
    }
    if not query.text:
        body["sort"] = [{"published_at": {"order": "desc", "missing": "_last"}}, {"ingested_at": {"order": "desc"}}]
    return body


def search(client: Elasticsearch, alias: str, query: SearchQuery) -> SearchResult:
    """Run the query against the alias and shape the answer."""
    response = client.search(index=alias, **build_body(query))
    hits = [
        Hit(
            doc_id=h["_id"],
            score=float(h.get("_score") or 0.0),
            title=h["_source"].get("title", ""),
            source=h["_source"].get("source"),
            published_at=h["_source"].get("published_at"),
            language=h["_source"].get("language"),
            regions=list(h["_source"].get("regions", [])),
            actors=list(h["_source"].get("actors", [])),
            highlight=list(h.get("highlight", {}).get("body", [])),
        )
        for h in response["hits"]["hits"]
    ]
    aggregations = response.get("aggregations") or {}
    facets = {name: [(b["key"], int(b["doc_count"])) for b in aggregations[name]["buckets"]] for name in query.facets}
    return SearchResult(total=int(response["hits"]["total"]["value"]), hits=hits, facets=facets)


def format_result(result: SearchResult, facets: Sequence[str] | None = None) -> str:
    """Plain-text rendering for the terminal: hits, then the counts of the facets asked for (default: all)."""
    facets = list(result.facets) if facets is None else facets
    lines = [f"{result.total} article(s)"]
    for hit in result.hits:
        when = (hit.published_at or "")[:10]
        lines.append(f"  • {hit.title}  [{hit.source or '?'} {when} {hit.language or ''}]".rstrip())
        if hit.regions:
            lines.append(f"      regions: {', '.join(hit.regions)}")
        for fragment in hit.highlight[:1]:
            lines.append(f"      …{fragment.replace('<em>', '[').replace('</em>', ']')}…")
    for name in facets:
        counts = ", ".join(f"{value} ({count})" for value, count in result.facets.get(name, [])[:8])
        lines.append(f"{name:>10}: {counts or '-'}")
    return "\n".join(printable(line) for line in lines)  # titles and names are data: no control characters out
