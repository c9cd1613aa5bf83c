"""Rebuilding from the archive on the real node: searches never fail or come back empty while the alias moves,
the previous index stays for rollback, older ones are pruned, and a doubtful rebuild is refused."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest

from etl.errors import ReindexCheckError
from etl.run.flow import run
from etl.settings import Settings
from etl.store.reindex import family, reindex, rollback, serving
from tests.paths import SEEDS

pytestmark = pytest.mark.integration


@dataclass
class Sampler:
    """Queries the alias in a loop (no client retries, so nothing is hidden) and tallies what it saw."""

    client: Any
    alias: str
    query: dict[str, Any]
    expected: int
    queries: int = 0
    failures: list[str] = field(default_factory=list)
    empty: int = 0
    wrong: list[int] = field(default_factory=list)
    served_by: Counter[str] = field(default_factory=Counter)
    stop: threading.Event = field(default_factory=threading.Event)

    def loop(self) -> None:
        while not self.stop.is_set():
            try:
                response = self.client.search(index=self.alias, query=self.query, size=1, track_total_hits=True)
            except Exception as exc:  # any error is a failed search, whatever its kind
                self.failures.append(repr(exc)[:300])
            else:
                total = response["hits"]["total"]["value"]
                if total == 0:
                    self.empty += 1
                elif total != self.expected:
                    self.wrong.append(total)
                for hit in response["hits"]["hits"]:
                    self.served_by[hit["_index"]] += 1
            self.queries += 1

    def wait_for(self, count: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while self.queries < count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert self.queries >= count, f"sampler made only {self.queries} queries"


def _seed(settings: Settings, es: Any) -> tuple[str, int]:
    """Index the seeds; return the busiest region and its document count (the sampler's filter)."""
    report = run([SEEDS], settings, client=es)
    assert report.indexed >= 3, report.summary()
    aggs = es.search(index=settings.index_alias, size=0, aggs={"r": {"terms": {"field": "regions", "size": 1}}})
    buckets = aggs["aggregations"]["r"]["buckets"]
    assert buckets, "the seeds should give at least one region"
    return str(buckets[0]["key"]), int(buckets[0]["doc_count"])


def test_swap_under_load_rollback_and_pruning(settings: Settings, es: Any) -> None:
    region, expected = _seed(settings, es)
    alias = settings.index_alias
    [first] = serving(es, alias)
    served = es.count(index=alias)["count"]

    sampler = Sampler(es.options(max_retries=0, request_timeout=10), alias,
                      {"bool": {"filter": [{"terms": {"regions": [region]}}]}}, expected)
    thread = threading.Thread(target=sampler.loop, daemon=True)
    thread.start()
    try:
        sampler.wait_for(20)
        result = reindex(settings, es)
        sampler.wait_for(sampler.queries + 20)
    finally:
        sampler.stop.set()
        thread.join(timeout=30)
    second = result.build.index
    print(f"\nreindex: {result.summary()}\nsampler: {sampler.queries} queries, served by {dict(sampler.served_by)}")
    assert sampler.failures == [], sampler.failures[:5]
    assert sampler.empty == 0
    assert sampler.wrong == []
    assert set(sampler.served_by) == {first, second}, "the sampler must have queried across the swap"

    assert serving(es, alias) == [second]
    assert es.indices.get_alias(name=alias)[second]["aliases"][alias]["is_write_index"] is True
    assert result.previous == [first] and result.deleted == []
    assert family(es, alias) == [first, second]  # the old index is kept for rollback
    assert result.new_count == served == es.count(index=alias)["count"]
    assert result.region_buckets >= 1

    assert rollback(settings, es) == (second, first)
    assert serving(es, alias) == [first]
    assert es.count(index=alias)["count"] == served

    after_rollback = reindex(settings, es)  # the rolled-back-from index is neither current nor previous
    third = after_rollback.build.index
    assert after_rollback.previous == [first] and after_rollback.deleted == [second]
    assert family(es, alias) == [first, third]

    last = reindex(settings, es)  # keep=2: the oldest goes
    fourth = last.build.index
    assert last.previous == [third] and last.deleted == [first]
    assert family(es, alias) == [third, fourth]
    assert serving(es, alias) == [fourth]
    assert es.count(index=alias)["count"] == served
    assert not es.indices.exists(index=first)


def test_doubtful_rebuild_is_refused_and_superseded_versions_skipped(settings: Settings, es: Any) -> None:
    _seed(settings, es)
    alias = settings.index_alias
    [current] = serving(es, alias)
    served = es.count(index=alias)["count"]
    archived = sorted(settings.archive_dir.glob("*/*.json"))
    assert len(archived) == served

    # An older version of an edited file, still in the archive: skipped, as the ingest's supersede step does.
    old = json.loads(archived[0].read_text())
    old.update(doc_id="0" * 16, ingested_at="2000-01-01T00:00:00+00:00", title="superseded version")
    (settings.archive_dir / "00").mkdir(exist_ok=True)
    (settings.archive_dir / "00" / f"{old['doc_id']}.json").write_text(json.dumps(old))
    result = reindex(settings, es)
    assert result.build.superseded == 1 and result.new_count == served
    assert es.count(index=alias, query={"term": {"doc_id": old["doc_id"]}})["count"] == 0
    current = result.build.index

    # An archive that lost a document would shrink the index: refused, alias untouched, candidate deleted.
    archived[-1].unlink()
    before = family(es, alias)
    with pytest.raises(ReindexCheckError, match="fewer than"):
        reindex(settings, es)
    assert serving(es, alias) == [current]
    assert family(es, alias) == before
    assert es.count(index=alias)["count"] == served

    allowed = dataclasses.replace(settings, reindex_allow_shrink=True)
    assert reindex(allowed, es).new_count == served - 1
