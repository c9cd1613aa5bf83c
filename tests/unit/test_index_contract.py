"""Contract: the documents ``to_document`` makes fit the strict mapping in ``mappings/``, field for field."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from etl.document import STEMMED_BODY_FIELDS, to_document
from etl.errors import InvalidQuery
from etl.records import CleanArticle, EnrichedArticle, Entity, Language, Location, Mention, Quote
from etl.search import FACETS, TEXT_FIELDS, SearchQuery, build_body
from etl.store.indices import _replace_analysis, load_mapping, mapping_version, new_index_name


def _sample() -> EnrichedArticle:
    article = CleanArticle(
        doc_id="abc",
        source_file="seeds/x.txt",
        content_sha256="0" * 64,
        title="T",
        body="Body text",
        paragraphs=("Body text",),
        headings=("H",),
        captions=("C",),
        credits=("REUTERS/X",),
        source="RFI",
        published_at="2018-11-13",
        url="https://example.org/a",
        byline="By X",
    )
    return EnrichedArticle(
        article=article,
        language=Language("en", 0.99),
        entities=(
            Entity("Khalifa Haftar", "person", "khalifa_haftar", "Q1", (Mention("Haftar", 0, 6),)),
            Entity("Libyan National Army", "armed_group", "lna", None, (Mention("LNA", 10, 13),)),
            Entity("RFI", "media", "rfi", None, (Mention("RFI", 20, 23),)),
        ),
        quotes=(Quote("Mitchell Belfer", "It ticks all the boxes", "mitchell_belfer"),),
        locations=(
            Location("Tripoli", 32.9, 13.2, "Libya", "LY", "Tripoli", "Tripolitania", "city", 2210247, ("Tripoli",)),
            Location("Libya", 26.0, 17.0, "Libya", "LY", None, None, "country", 2215636, ("Libya",)),
            Location("Fezzan", 26.0, 14.0, "Libya", "LY", None, "Fezzan", "region", None, ("Fezzan",)),
        ),
    )


def _fields(properties: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for name, spec in properties.items():
        out[prefix + name] = spec.get("type", "object")
        if "properties" in spec:
            out.update(_fields(spec["properties"], prefix + name + "."))
    return out


def _doc_paths(value: Any, prefix: str = "") -> set[str]:
    if isinstance(value, dict):
        paths: set[str] = set()
        for key, item in value.items():
            if prefix.endswith("point.") or (prefix == "locations." and key == "point"):
                paths.add(prefix + key)
                continue
            paths |= _doc_paths(item, prefix + key + ".") | {prefix + key}
        return paths
    if isinstance(value, list):
        return set().union(*(_doc_paths(v, prefix) for v in value)) if value else set()
    return set()


def test_every_document_field_is_mapped() -> None:
    doc = to_document(_sample(), kb_version="k", gazetteer_version="g")
    mapped = _fields(load_mapping()["mappings"]["properties"])
    unmapped = {p for p in _doc_paths(doc) if p not in mapped}
    assert unmapped == set()


def test_facets_are_keyword_and_canonical() -> None:
    mapped = _fields(load_mapping()["mappings"]["properties"])
    for field_name in ("regions", "countries", "places", "actors", "persons", "organizations", "language", "source"):
        assert mapped[field_name] == "keyword", field_name
    assert mapped["published_at"] == "date"
    assert mapped["locations.point"] == "geo_point"
    assert mapped["entities"] == "nested" and mapped["quotes"] == "nested"
    doc = to_document(_sample())
    assert doc["regions"] == ["Tripolitania", "Fezzan"]
    assert doc["countries"] == ["Libya"]
    assert doc["places"] == ["Tripoli"]
    assert doc["persons"] == ["Khalifa Haftar"]
    assert doc["armed_groups"] == ["Libyan National Army"]
    assert set(doc["actors"]) == {"Khalifa Haftar", "Libyan National Army", "RFI"}
    assert doc["organizations"] == ["RFI"]


def test_search_aggregates_only_mapped_keyword_fields() -> None:
    mapped = _fields(load_mapping()["mappings"]["properties"])
    body = build_body(SearchQuery(text="migrant flow", regions=("Fezzan",), actors=("Khalifa Haftar",)))
    for agg in body["aggs"].values():
        assert mapped[agg["terms"]["field"]] == "keyword"
    assert set(FACETS) >= {"regions", "countries", "actors", "language"}


def test_analysis_fallback_replaces_only_missing_names() -> None:
    body = load_mapping()
    fallback = _replace_analysis(body, {"english", "asciifolding"})
    title = fallback["mappings"]["properties"]["title"]["fields"]
    assert title["english"]["analyzer"] == "standard"
    assert title["french"]["analyzer"] == "french"
    assert fallback["settings"]["analysis"]["normalizer"]["folded"]["filter"] == ["lowercase"]


def test_index_names_are_versioned_and_sortable() -> None:
    name = new_index_name("articles")
    assert name.startswith(f"articles-v{mapping_version()}-")


def test_each_stemmed_body_field_uses_its_languages_analyzer() -> None:
    properties = load_mapping()["mappings"]["properties"]
    analyzers = {"en": "english", "fr": "french", "de": "german", "es": "spanish", "ar": "arabic"}
    assert set(STEMMED_BODY_FIELDS) == set(analyzers)
    for code, field_name in STEMMED_BODY_FIELDS.items():
        assert properties[field_name] == {"type": "text", "analyzer": analyzers[code]}
        assert field_name in TEXT_FIELDS  # searched, or it is indexed for nothing
    assert set(analyzers.values()) == set(load_mapping()["mappings"]["_meta"]["analyzers_required"])
    assert "fields" not in properties["body"]  # one language-neutral copy; stemming only in the article's language


def test_a_document_carries_the_body_stemmed_in_its_own_language_only() -> None:
    english = to_document(_sample(), kb_version="k", gazetteer_version="g", ingested_at="2026-01-01T00:00:00Z")
    assert english["body_en"] == english["body"]
    assert not {f for f in STEMMED_BODY_FIELDS.values() if f != "body_en"} & set(english)
    swahili = dataclasses.replace(_sample(), language=Language("sw", 0.9))
    document = to_document(swahili, kb_version="k", gazetteer_version="g", ingested_at="2026-01-01T00:00:00Z")
    assert not set(STEMMED_BODY_FIELDS.values()) & set(document)
    assert document["body"] == "Body text"


def test_a_query_counts_the_facets_it_asks_for() -> None:
    default = build_body(SearchQuery(text="migrant flow"))
    assert list(default["aggs"]) == ["regions", "countries", "actors", "language"]
    chosen = build_body(SearchQuery(facets=("places", "source")))
    assert {name: agg["terms"]["field"] for name, agg in chosen["aggs"].items()} == {
        "places": "places",
        "source": "source",
    }
    assert build_body(SearchQuery(facets=()))["aggs"] == {}  # hits only
    with pytest.raises(InvalidQuery, match="unknown facet"):
        SearchQuery(facets=("regions", "colour"))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"date_from": "notadate"}, "--from 'notadate' is not a date"),
        ({"date_to": "2019-13-45"}, "--to '2019-13-45' is not a date"),
        ({"size": -1}, "--size -1: choose 0 to 1000"),
        ({"size": 100_000}, "--size 100000: choose 0 to 1000"),
        ({"text": "Haftar " * 20_000}, "the query is 140000 characters long; at most 1000"),
        ({"actors": ("x" * 100_000,)}, "a actors filter of 100000 characters; at most 300"),
    ],
)
def test_a_search_that_cannot_be_run_says_why(fields: dict[str, object], message: str) -> None:
    """Issue 11 #15: these ended in a 77-line traceback from Elasticsearch."""
    with pytest.raises(InvalidQuery) as refused:
        SearchQuery(**fields)  # type: ignore[arg-type]
    assert str(refused.value).startswith(message)


def test_dates_in_a_search_are_made_strict() -> None:
    body = build_body(SearchQuery(date_from="20190214", date_to="2019-W07-4"))
    assert body["query"]["bool"]["filter"] == [{"range": {"published_at": {"gte": "2019-02-14", "lte": "2019-02-14"}}}]
