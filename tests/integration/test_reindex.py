"""Rebuilding from the archive on the real node: searches never fail or come back empty while the alias moves,
the previous index stays for rollback, older ones are pruned, and a doubtful rebuild is refused."""

from __future__ import annotations

import dataclasses
import shutil
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from etl.errors import ReindexCheckError
from etl.run.flow import run
from etl.settings import Settings
from etl.store.files import ArchiveRecord, alias_archive_dir
from etl.store.ledger import LEDGER_SUFFIX
from etl.store.reindex import RollbackResult, family, reindex, rollback, serving
from tests.paths import PROJECT_ROOT, SEEDS

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

    sampler = Sampler(
        es.options(max_retries=0, request_timeout=10),
        alias,
        {"bool": {"filter": [{"terms": {"regions": [region]}}]}},
        expected,
    )
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

    assert rollback(settings, es) == RollbackResult(second, first, reapplied=0, removed=0)
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
    archived = sorted(alias_archive_dir(settings).glob("*/*.json"))
    assert len(archived) == served

    # An older version of an edited file, still in the archive: skipped, as the ingest's supersede step does.
    record = ArchiveRecord.from_json(archived[0].read_text())
    old = dict(record.document, doc_id="0" * 16, ingested_at="2000-01-01T00:00:00+00:00", title="superseded version")
    (alias_archive_dir(settings) / "00").mkdir(exist_ok=True)
    (alias_archive_dir(settings) / "00" / f"{old['doc_id']}.json").write_text(
        dataclasses.replace(record, document=old).to_json()
    )
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


FIXTURE_ARTICLES = PROJECT_ROOT / "tests" / "fixtures" / "knowledge"


def _ids(es: Any, index: str) -> set[str]:
    es.indices.refresh(index=index)
    return {h["_id"] for h in es.search(index=index, size=1000, source=False)["hits"]["hits"]}


def test_rollback_keeps_articles_ingested_since_the_swap(settings: Settings, es: Any, tmp_path: Path) -> None:
    """Issue 11, item 9: a rollback dropped the articles ingested after the last swap (258 -> 248, rc 0), and the
    ledger, which says they are handled, kept every rerun from bringing them back."""
    run([SEEDS], settings, client=es)
    alias = settings.index_alias
    [first] = serving(es, alias)
    second = reindex(settings, es).build.index
    later = tmp_path / "later"
    later.mkdir()
    for article in FIXTURE_ARTICLES.glob("*.txt"):
        shutil.copy(article, later / article.name)
    assert run([later], settings, client=es).indexed == 2
    served = _ids(es, alias)

    done = rollback(settings, es)
    assert (done.from_index, done.to_index, done.reapplied, done.removed) == (second, first, 2, 0)
    assert serving(es, alias) == [first]
    assert _ids(es, alias) == served  # nothing dropped
    rerun = run([SEEDS, later], settings, client=es)
    assert rerun.indexed == 0 and rerun.unchanged == rerun.read - rerun.rejected_total
    assert _ids(es, alias) == served

    # the ledger and the index agree: every document the ledger says is indexed is served, and only those
    es.indices.refresh(index=alias + LEDGER_SUFFIX)
    entries = es.search(index=alias + LEDGER_SUFFIX, size=1000, query={"term": {"outcome": "indexed"}})
    assert {h["_source"]["doc_id"] for h in entries["hits"]["hits"]} == served


def test_the_archive_is_per_alias(settings: Settings, es: Any, tmp_path: Path) -> None:
    """Issue 11, item 10: reindexing alias B imported alias A's documents (one archive per data directory)."""
    other = dataclasses.replace(settings, index_alias=settings.index_alias + "-b")  # same data dir, other alias
    run([SEEDS], settings, client=es)
    run([FIXTURE_ARTICLES], other, client=es)
    before_a, before_b = _ids(es, settings.index_alias), _ids(es, other.index_alias)
    assert before_a and before_b and not before_a & before_b

    rebuilt = reindex(other, es)
    assert rebuilt.new_count == len(before_b)
    assert _ids(es, other.index_alias) == before_b
    assert reindex(settings, es).new_count == len(before_a)
    assert _ids(es, settings.index_alias) == before_a
