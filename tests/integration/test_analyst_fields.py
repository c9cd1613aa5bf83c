"""On the real node: what analysts query directly (Kibana's Discover and KQL) and what tells them a run went wrong.

- every article has the time field, an undated one its ingest time, so the Kibana timeline misses none;
- ``actor_names`` / ``place_names`` make a KQL query such as ``actor_names : Hifter`` find the article (KQL turns
  ``field : value`` on a text field into a ``match`` query, which is what is sent here);
- a search with filters and no text lists the newest first;
- a rebuild gives documents archived before mapping v3 their time field and aliases;
- a run whose documents went missing from the index fails ``verify``, naming them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from etl.errors import IncompleteRun
from etl.run import flow
from etl.search import SearchQuery, resolve_filters, search
from etl.settings import Settings
from etl.store.files import ArchiveRecord, alias_archive_dir
from etl.store.reindex import reindex
from tests.paths import SEEDS

pytestmark = pytest.mark.integration
V3_FIELDS = ("timestamp", "timestamp_source", "actor_names", "place_names")


def _count(es: Any, alias: str, query: dict[str, Any]) -> int:
    es.indices.refresh(index=alias)
    return int(es.count(index=alias, query=query)["count"])


@pytest.fixture
def indexed(settings: Settings, es: Any) -> Settings:
    report = flow.run([SEEDS], settings, client=es)
    assert report.indexed == 4, report.summary()
    return settings


def test_every_article_is_on_the_timeline(indexed: Settings, es: Any) -> None:
    alias = indexed.index_alias
    assert _count(es, alias, {"exists": {"field": "timestamp"}}) == 4
    undated = es.search(index=alias, query={"term": {"timestamp_source": "ingested"}})["hits"]["hits"]
    assert [Path(h["_source"]["source_file"]).name for h in undated] == ["newsfacet-demo-benghazi-port-cp1252.txt"]
    assert undated[0]["_source"]["timestamp"] == undated[0]["_source"]["ingested_at"]
    in_2018 = {"range": {"timestamp": {"gte": "2018-01-01", "lt": "2019-01-01"}}}
    assert _count(es, alias, in_2018) == 1  # the RFI article, by its publication date


@pytest.mark.parametrize(
    ("field", "typed", "expected"),
    [
        ("actor_names", "Hifter", 3),  # Khalifa Haftar, in the RFI, Sabha and Benghazi articles
        ("actor_names", "حفتر", 3),  # his name in Arabic, though every article is English or French
        ("place_names", "Fazzan", 2),  # Fezzan by another transliteration
        ("place_names", "Tarabulus", 4),  # Tripoli / Tripolitania
    ],
)
def test_a_kql_query_finds_any_spelling(indexed: Settings, es: Any, field: str, typed: str, expected: int) -> None:
    canonical = {"Hifter": "Khalifa Haftar", "حفتر": "Khalifa Haftar"}.get(typed)
    if canonical:
        assert _count(es, indexed.index_alias, {"term": {"actors": canonical}}) == expected
    assert _count(es, indexed.index_alias, {"match": {field: typed}}) == expected


def test_filters_without_text_list_the_newest_first(indexed: Settings, es: Any) -> None:
    result = search(es, indexed.index_alias, resolve_filters(SearchQuery(countries=("Libya",))))
    dates = [hit.published_at for hit in result.hits]
    assert len(dates) == 4 and dates[-1] is None, "the undated article comes last"
    assert dates[:-1] == sorted(dates[:-1], reverse=True)


def test_a_rebuild_completes_documents_archived_before_v3(indexed: Settings, es: Any) -> None:
    archived = list(alias_archive_dir(indexed).glob("*/*.json"))
    assert len(archived) == 4
    for path in archived:  # as the archive of a run made before mapping v3 holds them
        record = ArchiveRecord.from_json(path.read_text(encoding="utf-8"))
        for name in V3_FIELDS:
            record.document.pop(name)
        path.write_text(record.to_json(), encoding="utf-8")

    result = reindex(indexed, es)

    assert result.build.loaded == 4
    alias = indexed.index_alias
    assert _count(es, alias, {"exists": {"field": "timestamp"}}) == 4
    assert _count(es, alias, {"match": {"actor_names": "Hifter"}}) == 3


def test_a_run_that_lost_an_article_fails_verify(settings: Settings, es: Any, tmp_path: Path) -> None:
    prepared = flow.prepare(settings, "lost-one", [SEEDS], es)
    counts = [flow.process(settings, "lost-one", manifest, es).report.counts() for manifest in prepared.manifests]
    report, _ = flow.summarize(settings, prepared, counts, es)
    assert report.indexed == 4
    es.indices.refresh(index=settings.index_alias)
    victim = es.search(index=settings.index_alias, size=1, query={"match_all": {}})["hits"]["hits"][0]["_id"]
    es.delete(index=settings.index_alias, id=victim, refresh=True)

    with pytest.raises(IncompleteRun) as failed:
        flow.verify(settings, "lost-one", es)
    assert victim in str(failed.value) and "lacks 1 of the 4" in str(failed.value)
