"""The test node must analyse text like production does (official image with analysis-common).

Runs against a live node at $ELASTICSEARCH_URL (default http://localhost:9200), such as the
one ``etl.esnode.start`` runs with the test-only analysis-lucene plugin. Plain urllib keeps
these checks independent of the Python client's version.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

pytestmark = pytest.mark.integration

BASE_URL = (os.environ.get("ELASTICSEARCH_URL") or "http://localhost:9200").rstrip("/")


def _request(method: str, path: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE_URL + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read().decode() or "null")
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace")
        raise AssertionError(f"{method} {path} -> HTTP {exc.code}: {detail}") from exc


def _tokens(body: dict[str, Any], index: str | None = None) -> list[str]:
    path = f"/{index}/_analyze" if index else "/_analyze"
    return [token["token"] for token in _request("POST", path, body)["tokens"]]


@pytest.fixture(scope="module", autouse=True)
def _node_reachable() -> None:
    try:
        _request("GET", "/_cluster/health")
    except (urllib.error.URLError, OSError) as exc:
        pytest.fail(f"no Elasticsearch at {BASE_URL} ({exc}); start one with etl.esnode.start()")


def test_english_analyzer_stems_and_drops_stopwords() -> None:
    assert _tokens({"analyzer": "english", "text": "The running foxes"}) == ["run", "fox"]


def test_french_analyzer_elides_and_stems() -> None:
    # Elision ("l'"), stopwords ("les") and the light French stemmer.
    assert _tokens({"analyzer": "french", "text": "l'avion et les chevaux"}) == ["avion", "cheval"]


def test_arabic_analyzer_normalises_and_stems() -> None:
    # "الكتاب" (the book): the light stemmer strips the article "ال".
    assert _tokens({"analyzer": "arabic", "text": "الكتاب"}) == ["كتاب"]


@pytest.mark.parametrize(
    ("analyzer", "text", "expected"),
    [
        ("german", "Häuser", ["haus"]),
        ("spanish", "las canciones", ["cancion"]),
    ],
)
def test_other_language_analyzers(analyzer: str, text: str, expected: list[str]) -> None:
    assert _tokens({"analyzer": analyzer, "text": text}) == expected


def test_asciifolding_filter() -> None:
    body = {"tokenizer": "standard", "filter": ["lowercase", "asciifolding"], "text": "Salamé Ñoño"}
    assert _tokens(body) == ["salame", "nono"]


@pytest.fixture()
def folded_index() -> Iterator[str]:
    """An index with the production-style `folded` normalizer on a keyword field."""
    name = f"test-esnode-folded-{uuid.uuid4().hex[:8]}"
    _request(
        "PUT",
        f"/{name}",
        {
            "settings": {
                "number_of_shards": 1,
                "number_of_replicas": 0,
                "analysis": {"normalizer": {"folded": {"type": "custom", "filter": ["lowercase", "asciifolding"]}}},
            },
            "mappings": {
                "properties": {
                    "entity": {"type": "keyword", "normalizer": "folded"},
                    "body": {"type": "text", "analyzer": "english"},
                }
            },
        },
    )
    try:
        yield name
    finally:
        _request("DELETE", f"/{name}")


def test_folded_normalizer_on_keyword_field(folded_index: str) -> None:
    assert _tokens({"normalizer": "folded", "text": "Salamé"}, folded_index) == ["salame"]
    _request("PUT", f"/{folded_index}/_doc/1?refresh=true", {"entity": "Salamé", "body": "x"})

    for query_value in ("Salame", "SALAMÉ", "salamé"):
        result = _request("POST", f"/{folded_index}/_search", {"query": {"term": {"entity": query_value}}})
        assert result["hits"]["total"]["value"] == 1, query_value

    # Terms aggregations expose the normalised value.
    result = _request(
        "POST",
        f"/{folded_index}/_search",
        {"size": 0, "aggs": {"entities": {"terms": {"field": "entity"}}}},
    )
    assert [b["key"] for b in result["aggregations"]["entities"]["buckets"]] == ["salame"]
