"""The seed article indexed into the real node: every search in expected.md finds it, with facet counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from etl.run.flow import run
from etl.search import SearchQuery, resolve_filters, search
from etl.settings import Settings
from tests.paths import SEED_ARTICLE

pytestmark = pytest.mark.integration


@pytest.fixture
def indexed(settings: Settings, es: Any, tmp_path: Path) -> Settings:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / SEED_ARTICLE.name).write_bytes(SEED_ARTICLE.read_bytes())
    report = run([inbox], settings, client=es)
    assert report.indexed == 1, report.summary()
    return settings


def _find(settings: Settings, es: Any, query: SearchQuery) -> Any:
    result = search(es, settings.index_alias, resolve_filters(query))
    titles = [hit.title for hit in result.hits]
    assert "Libya strongman boycotts Italy peace summit" in titles, (query, titles)
    return result


@pytest.mark.parametrize(
    ("query", "facet", "value"),
    [
        (SearchQuery(regions=("Fezzan",)), "regions", "Fezzan"),
        (SearchQuery(regions=("Tripolitania",)), "regions", "Tripolitania"),
        (SearchQuery(actors=("Khalifa Haftar",)), "actors", "Khalifa Haftar"),
        (SearchQuery(actors=("Hifter",)), "actors", "Khalifa Haftar"),
        (SearchQuery(actors=("Haftar",)), "actors", "Khalifa Haftar"),
        (SearchQuery(actors=("Libyan National Army",)), "actors", "Libyan National Army"),
        (SearchQuery(actors=("LNA",)), "actors", "Libyan National Army"),
        (SearchQuery(countries=("Qatar",)), "countries", "Qatar"),
        (SearchQuery(languages=("en",)), "language", "en"),
        (SearchQuery(text="migrant flow"), "regions", "Fezzan"),
    ],
    ids=[
        "region-fezzan",
        "region-tripolitania",
        "actor-haftar",
        "actor-hifter",
        "actor-haftar-surname",
        "actor-lna",
        "actor-lna-acronym",
        "country-qatar",
        "language-en",
        "text-migrant-flow",
    ],
)
def test_expected_searches_find_the_seed(
    indexed: Settings, es: Any, query: SearchQuery, facet: str, value: str
) -> None:
    result = _find(indexed, es, query)
    assert dict(result.facets[facet]).get(value, 0) >= 1


def test_facet_counts_cover_regions_countries_actors_language(indexed: Settings, es: Any) -> None:
    result = _find(indexed, es, SearchQuery(regions=("Fezzan",), actors=("Hifter",)))
    facets = {name: dict(values) for name, values in result.facets.items()}
    assert {"Tripolitania", "Cyrenaica", "Fezzan"} <= set(facets["regions"])
    assert {"Libya", "Italy", "France", "Qatar", "Chad", "Sudan"} <= set(facets["countries"])
    assert {"Khalifa Haftar", "Libyan National Army", "Fayez al-Sarraj"} <= set(facets["actors"])
    assert facets["language"] == {"en": 1}


def test_filters_exclude_what_does_not_match(indexed: Settings, es: Any) -> None:
    result = search(es, indexed.index_alias, resolve_filters(SearchQuery(regions=("Fezzan",), countries=("Peru",))))
    assert result.total == 0


def test_document_carries_locations_quotes_and_provenance(indexed: Settings, es: Any) -> None:
    hits = es.search(index=indexed.index_alias, query={"match_all": {}})["hits"]["hits"]
    doc = hits[0]["_source"]
    tripoli = [loc for loc in doc["locations"] if loc["name"] == "Tripoli"]
    assert tripoli and tripoli[0]["country"] == "Libya" and tripoli[0]["region"] == "Tripolitania"
    assert abs(tripoli[0]["point"]["lat"] - 32.9) < 0.3
    assert doc["content_sha256"] and doc["pipeline_version"] and doc["kb_version"] and doc["ingested_at"]
    assert doc["source_file"].endswith(SEED_ARTICLE.name)

    # the geo_point is mapped as such: a distance query around Tripoli finds it, one around Lima does not
    def near(lat: float, lon: float) -> int:
        query = {"geo_distance": {"distance": "30km", "locations.point": {"lat": lat, "lon": lon}}}
        return int(es.search(index=indexed.index_alias, query=query)["hits"]["total"]["value"])

    assert near(32.89, 13.19) == 1
    assert near(-12.05, -77.04) == 0


def test_what_belfer_said_about_migration(indexed: Settings, es: Any) -> None:
    response = es.search(
        index=indexed.index_alias,
        query={
            "nested": {
                "path": "quotes",
                "query": {
                    "bool": {
                        "must": [
                            {"term": {"quotes.speaker": "Mitchell Belfer"}},
                            {"match": {"quotes.text.english": "migration"}},
                        ]
                    }
                },
                "inner_hits": {},
            }
        },
    )
    assert response["hits"]["total"]["value"] == 1
    inner = response["hits"]["hits"][0]["inner_hits"]["quotes"]["hits"]["hits"]
    assert inner and all(h["_source"]["speaker"] == "Mitchell Belfer" for h in inner)
