"""One batch of inbox files, as one transaction: each file ends indexed or rejected with a reason, never lost.

Phases: read and clean each file (bad input and a stage's crash on one file are that file's rejection); drop
articles already indexed from another file; enrich in chunks (one article breaking a stage costs that article
only), each enriched chunk bulk-loaded on a thread while the next is enriched; then archive, supersede older
versions of edited files, and record every outcome in the ledger.
Elasticsearch faults raise before the ledger records anything, so a retried batch redoes the same work under the
same ids: no duplicates, no gaps.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from etl.clean import clean
from etl.display import printable
from etl.document import to_document
from etl.enrich import enrich_with_spans
from etl.errors import ConfigurationError, RejectedInput, RejectReason
from etl.extract import decode, read_file
from etl.inbox import same_file, source_key, stat_key
from etl.knowledge.loader import load_knowledge
from etl.records import CleanArticle, EnrichedArticle, NerSpan, analysis_text
from etl.run.report import RunReport
from etl.settings import Settings
from etl.store.bulk import BackgroundBulk, BulkOutcome, bulk_upsert_raw
from etl.store.client import connect, es_faults
from etl.store.files import archive, quarantine
from etl.store.indices import ensure_index
from etl.store.ledger import (
    LedgerEntry,
    cache_only,
    ensure_ledger,
    ensure_stat_cache,
    forget_other_versions,
    ledger_key,
)

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

log = logging.getLogger(__name__)
Progress = Callable[[str], None]
ENRICH_CHUNK = 64  # articles through spaCy at a time: bounds memory whatever the batch size


@dataclass
class _Batch:
    """A batch's working state: its report, the ledger entries to write at the end, the files' stat keys."""

    settings: Settings
    run_id: str
    report: RunReport
    roots: tuple[str, ...] = ()
    ledger: list[LedgerEntry] = field(default_factory=list)
    stat_keys: dict[str, str] = field(default_factory=dict)
    ner: dict[str, tuple[tuple[NerSpan, ...], str]] = field(default_factory=dict)  # doc id -> spans, analysed text
    versions: tuple[str, str] = ("", "")  # the knowledge versions the documents were made with

    def reject(self, path: str, sha: str | None, reason: RejectReason, detail: str) -> None:
        """Count, quarantine and ledger one rejected file."""
        self.report.rejected[reason.value] += 1
        note = quarantine(self.settings, self.run_id, path, reason, detail, sha)
        self.report.rejections.append({"source_file": path, "reason": reason.value, "detail": detail})
        self.ledger.append(_entry(path, note["content_sha256"], "rejected", reason.value, detail, "", self.run_id))

    def indexed(self, document: dict[str, Any]) -> None:
        """Count and ledger one indexed document."""
        self.report.indexed += 1
        self.report.entities += len(document["entities"])
        self.report.with_region += bool(document["regions"])
        self.ledger.append(
            _entry(
                str(document["source_file"]),
                str(document["content_sha256"]),
                "indexed",
                "",
                "",
                str(document["doc_id"]),
                self.run_id,
            )
        )


def _entry(source_file: str, sha: str, outcome: str, reason: str, detail: str, doc_id: str, run_id: str) -> LedgerEntry:
    return LedgerEntry(
        content_sha256=sha,
        source_file=source_file,
        outcome=outcome,
        reason=reason,
        detail=detail,
        doc_id=doc_id,
        run_id=run_id,
        at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def process_batch(
    paths: Sequence[str],
    settings: Settings,
    run_id: str,
    client: Elasticsearch | None = None,
    progress: Progress | None = None,
    roots: Sequence[str] = (),
) -> RunReport:
    """Process one batch of files (see the module docstring); returns its counts and rejections.

    ``roots`` are the folders or files the run was given (``etl.run.flow`` passes them): a link leading out of them
    is rejected, not read. Without roots, the caller named each file itself and each is read as named.
    """
    client = client or connect(settings)
    ensure_index(client, settings.index_alias, settings.replicas)
    batch = _Batch(settings=settings, run_id=run_id, report=RunReport(run_id=run_id), roots=tuple(roots))
    articles = _read_and_clean(paths, batch)
    articles = _not_indexed_elsewhere(client, articles, batch)
    with BackgroundBulk(client, settings.index_alias, max_retries=settings.max_retries) as loader:
        documents = _enrich_all(articles, batch, progress, loader.submit)
        outcome = loader.finish()
    _load_and_record(client, documents, outcome, batch)
    return batch.report


def _read_and_clean(paths: Sequence[str], batch: _Batch) -> list[CleanArticle]:
    """Each file read, decoded and cleaned, or rejected; the same bytes or article twice in a batch is kept once."""
    articles: list[CleanArticle] = []
    seen_ids: dict[str, str] = {}
    seen_hashes: dict[str, str] = {}
    max_bytes = batch.settings.max_file_bytes
    settings = batch.settings
    for file_path in paths:
        batch.report.read += 1
        path = source_key(file_path, settings.inbox)
        if key := stat_key(file_path, path):  # before reading: a change while we read gives the next run a new key
            batch.stat_keys[path] = key
        try:
            raw = read_file(
                file_path, max_bytes, source_name=path, roots=batch.roots, follow_links=settings.follow_links
            )
        except RejectedInput as exc:
            batch.reject(path, None, exc.reason, exc.detail)
            continue
        if not raw.data.strip():  # before the duplicate check: a second empty file is empty, not a copy of the first
            batch.reject(path, raw.content_sha256, RejectReason.EMPTY, "the file is empty or holds only white space")
            continue
        if raw.content_sha256 in seen_hashes:
            batch.reject(
                path, raw.content_sha256, RejectReason.DUPLICATE, f"same bytes as {seen_hashes[raw.content_sha256]}"
            )
            continue
        seen_hashes[raw.content_sha256] = path
        try:
            article = clean(decode(raw, max_bytes))
        except RejectedInput as exc:
            batch.reject(path, raw.content_sha256, exc.reason, exc.detail)
            continue
        except Exception as exc:  # a bug met by one odd file costs that file, never the batch
            log.warning("decoding or cleaning %s failed", printable(path), exc_info=True)
            batch.reject(
                path,
                raw.content_sha256,
                RejectReason.PROCESSING_ERROR,
                f"{type(exc).__name__} while decoding or cleaning: {exc}"[:500],
            )
            continue
        if article.doc_id in seen_ids:
            batch.reject(
                path, raw.content_sha256, RejectReason.DUPLICATE, f"same article as {seen_ids[article.doc_id]}"
            )
            continue
        seen_ids[article.doc_id] = path
        articles.append(article)
    return articles


def _not_indexed_elsewhere(client: Elasticsearch, articles: list[CleanArticle], batch: _Batch) -> list[CleanArticle]:
    """An article already indexed from another file (re-saved under a new name) is a duplicate, not a new doc."""
    if not articles:
        return articles
    with es_faults("checking for duplicates"):
        existing = client.mget(
            index=batch.settings.index_alias,
            ids=[a.doc_id for a in articles],
            source_includes=["source_file", "content_sha256"],
        )
    owners = {d["_id"]: d["_source"] for d in existing["docs"] if d.get("found")}
    fresh: list[CleanArticle] = []
    for article in articles:
        owner = owners.get(article.doc_id)
        if owner and not same_file(owner["source_file"], article.source_file, batch.settings.inbox):
            batch.reject(
                article.source_file,
                article.content_sha256,
                RejectReason.DUPLICATE,
                f"same article as {owner['source_file']}, already indexed",
            )
        else:
            fresh.append(article)
    return fresh


def _enrich_all(
    articles: list[CleanArticle],
    batch: _Batch,
    progress: Progress | None,
    load: Callable[[Sequence[dict[str, Any]]], None],
) -> list[dict[str, Any]]:
    """Documents for the articles, enriched ``ENRICH_CHUNK`` at a time (spaCy's memory stays bounded); each chunk's
    documents go to ``load`` as soon as they are made."""
    knowledge = load_knowledge(batch.settings)
    kb_version, gazetteer_version = batch.versions = knowledge.versions
    if articles:
        _leave_knowledge_snapshot(batch.settings)
    documents: list[dict[str, Any]] = []
    for start in range(0, len(articles), ENRICH_CHUNK):
        chunk = articles[start : start + ENRICH_CHUNK]
        made = len(documents)
        for enriched, spans in _enrich_isolated(chunk, batch):
            batch.ner[enriched.article.doc_id] = (spans, analysis_text(enriched.article))
            documents.append(
                to_document(
                    enriched,
                    kb_version=kb_version,
                    gazetteer_version=gazetteer_version,
                    kb=knowledge.kb,
                    gazetteer=knowledge.gazetteer,
                )
            )
        load(documents[made:])
        if progress:
            progress(f"  enriched {min(start + ENRICH_CHUNK, len(articles))}/{len(articles)}")
    return documents


def _enrich_isolated(chunk: Sequence[CleanArticle], batch: _Batch) -> list[tuple[EnrichedArticle, tuple[NerSpan, ...]]]:
    """Enrich a chunk; if one article breaks a stage, redo the chunk one by one and reject only that article.

    A bug triggered by one odd text must cost that article (quarantined, with the error), not the batch.
    Configuration errors (a missing spaCy model) still stop the run: every article would fail the same way.
    """
    try:
        return enrich_with_spans(chunk, batch.settings)
    except ConfigurationError:
        raise
    except Exception:
        log.warning("enrichment failed on a chunk of %d; retrying article by article", len(chunk), exc_info=True)
    survivors: list[tuple[EnrichedArticle, tuple[NerSpan, ...]]] = []
    for article in chunk:
        try:
            survivors.extend(enrich_with_spans([article], batch.settings))
        except ConfigurationError:
            raise
        except Exception as exc:
            batch.reject(
                article.source_file,
                article.content_sha256,
                RejectReason.PROCESSING_ERROR,
                f"{type(exc).__name__} in enrichment: {exc}"[:500],
            )
    return survivors


def _load_and_record(
    client: Elasticsearch, documents: list[dict[str, Any]], outcome: BulkOutcome, batch: _Batch
) -> None:
    """After the load (``outcome``): archive the documents, retire older versions of edited files, write the ledger."""
    settings = batch.settings
    current: dict[str, str] = {}
    for doc in documents:
        doc_id = str(doc["doc_id"])
        if doc_id in outcome.failed:
            batch.reject(
                str(doc["source_file"]), str(doc["content_sha256"]), RejectReason.INDEX_REJECTED, outcome.failed[doc_id]
            )
            continue
        archive(settings, doc, *batch.ner.get(doc_id, (None, None)))
        batch.indexed(doc)
        current[str(doc["source_file"])] = doc_id
    _relink_if_knowledge_changed(client, batch, list(current.values()))
    with es_faults("recording the batch"):
        _supersede(client, settings.index_alias, current)
        ledger = ensure_ledger(client, settings.index_alias, settings.replicas)
        entries = {ledger_key(e["source_file"], e["content_sha256"]): e for e in batch.ledger}
        bulk_upsert_raw(client, ledger, [(key, dict(e)) for key, e in entries.items()])
        forget_other_versions(client, ledger, {e["source_file"]: key for key, e in entries.items()})
    with cache_only("updating the stat cache"), es_faults("updating the stat cache"):
        bulk_upsert_raw(
            client,
            ensure_stat_cache(client, settings.index_alias, settings.replicas),
            [
                (batch.stat_keys[e["source_file"]], {"ledger_id": ledger_key(e["source_file"], e["content_sha256"])})
                for e in batch.ledger
                if e["content_sha256"] and e["source_file"] in batch.stat_keys
            ],
        )


def _supersede(client: Elasticsearch, alias: str, current: dict[str, str]) -> None:
    """An edited file replaces its older version: delete documents of the same file under another id.

    Done by search + bulk delete by id (``delete_by_query`` needs the reindex module, absent on some nodes).
    """
    from elasticsearch.helpers import bulk

    files = list(current)
    for start in range(0, len(files), 500):
        chunk = files[start : start + 500]
        response = client.search(
            index=alias, size=10_000, source_includes=["source_file"], query={"terms": {"source_file": chunk}}
        )
        stale = [h["_id"] for h in response["hits"]["hits"] if current.get(h["_source"]["source_file"]) != h["_id"]]
        if stale:
            bulk(client, ({"_op_type": "delete", "_index": alias, "_id": i} for i in stale), raise_on_error=False)


def _leave_knowledge_snapshot(settings: Settings) -> None:
    """The fingerprints of the knowledge these documents are made with, for a later relink to know what changed."""
    from etl.knowledge.changes import ensure_snapshots

    ensure_snapshots(settings, load_knowledge(settings))


def _relink_if_knowledge_changed(client: Elasticsearch, batch: _Batch, doc_ids: list[str]) -> None:
    """If the knowledge files changed while this batch ran, bring its documents to the new knowledge now.

    Why: a relink started after the change may have searched for stale documents before this batch wrote its
    own; checking here, after the write, closes that gap (no lost update: the article ends with the newest
    knowledge whichever of the two finishes first).
    """
    from etl.knowledge.loader import current_versions
    from etl.run.relink import relink

    if not doc_ids or current_versions(batch.settings) == batch.versions:
        return
    log.info("the knowledge changed while this batch ran: relinking its %d documents", len(doc_ids))
    relink(batch.settings, ids=doc_ids, client=client)
