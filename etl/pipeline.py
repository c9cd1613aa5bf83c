"""The pipeline pass: inbox files -> plan -> batches -> (extract, clean, enrich, index) -> a run report.

The CLI and the Airflow DAG call the same three functions: ``plan`` (which files are new), ``process_batch``
(one transaction: every file ends indexed or rejected with a reason) and ``verify`` (the index holds what the
run says it wrote). Each input's outcome is written to a ledger keyed by its content hash *after* its document
is indexed, so a crash before that point only means the file is processed again, and upserts by stable id make
that harmless: no duplicates, no gaps.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import stat
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from etl.errors import ConfigurationError, RejectedInput, RejectReason, TransientError
from etl.index import transient_faults
from etl.records import CleanArticle, EnrichedArticle, RawArticle
from etl.settings import Settings

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

log = logging.getLogger(__name__)
Progress = Callable[[str], None]
ENRICH_CHUNK = 64  # articles through spaCy at a time: bounds memory whatever the batch size


@dataclass
class RunReport:
    """Counts by outcome and reason. Every file read ends in exactly one of indexed / unchanged / rejected."""

    run_id: str
    read: int = 0
    indexed: int = 0
    unchanged: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    entities: int = 0
    with_region: int = 0
    analysis_fallback: list[str] = field(default_factory=list)
    indexed_ids: list[str] = field(default_factory=list)
    rejections: list[dict[str, str]] = field(default_factory=list)

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    def merge(self, other: RunReport) -> None:
        """Fold a batch's report into the run's."""
        self.read += other.read
        self.indexed += other.indexed
        self.unchanged += other.unchanged
        self.rejected.update(other.rejected)
        self.entities += other.entities
        self.with_region += other.with_region
        self.indexed_ids.extend(other.indexed_ids)
        self.rejections.extend(other.rejections)
        for name in other.analysis_fallback:
            if name not in self.analysis_fallback:
                self.analysis_fallback.append(name)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form (Airflow XCom, ``var/runs/*.json``)."""
        return {
            "run_id": self.run_id,
            "read": self.read,
            "indexed": self.indexed,
            "unchanged": self.unchanged,
            "rejected": dict(sorted(self.rejected.items())),
            "rejected_total": self.rejected_total,
            "entities": self.entities,
            "with_region": self.with_region,
            "analysis_fallback": self.analysis_fallback,
            "indexed_ids": self.indexed_ids,
            "rejections": self.rejections,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunReport:
        return cls(
            run_id=data["run_id"],
            read=data["read"],
            indexed=data["indexed"],
            unchanged=data["unchanged"],
            rejected=Counter(data["rejected"]),
            entities=data.get("entities", 0),
            with_region=data.get("with_region", 0),
            analysis_fallback=list(data.get("analysis_fallback", [])),
            indexed_ids=list(data.get("indexed_ids", [])),
            rejections=list(data.get("rejections", [])),
        )

    def summary(self) -> str:
        """The line a person waiting on a run reads."""
        reasons = ", ".join(f"{reason} {count}" for reason, count in sorted(self.rejected.items()))
        share = f"{self.with_region / self.indexed:.0%}" if self.indexed else "n/a"
        text = (
            f"read {self.read} · indexed {self.indexed} · unchanged {self.unchanged} · "
            f"rejected {self.rejected_total}{f' ({reasons})' if reasons else ''} · "
            f"entities {self.entities} · with a region {share}"
        )
        if self.analysis_fallback:
            text += f" · WARNING analyzers replaced by standard: {', '.join(self.analysis_fallback)}"
        return text


@dataclass(frozen=True)
class Plan:
    """Which inbox files a run must process, and which it can skip (already handled, same content)."""

    todo: list[str]
    unchanged: list[str]


def new_run_id() -> str:
    """Sortable and unique: UTC time plus a random suffix."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def list_inbox(paths: Sequence[Path | str]) -> list[str]:
    """Every file under the given files, folders or object-store URLs, sorted; hidden names are skipped."""
    from etl.inbox import list_files

    return list_files([str(p) for p in paths])


def file_sha256(path: str, limit: int) -> str | None:
    """Content hash, streamed; None when the file cannot be read or is past the size limit (it will be rejected)."""
    from etl.inbox import content_sha256, is_url

    if is_url(path):
        return content_sha256(path, limit)
    digest = hashlib.sha256()
    try:
        # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever (the plan hung).
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            return None
        with os.fdopen(fd, "rb") as handle:
            total = 0
            while chunk := handle.read(1 << 20):
                total += len(chunk)
                if total > limit:
                    return None
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def stat_key(path: str) -> str | None:
    """Name + size + modification time: unchanged on disk means unchanged content, without reading it."""
    from etl.inbox import is_url

    try:
        if is_url(path):
            from fsspec.core import url_to_fs

            fs, inner = url_to_fs(path)
            info = fs.info(inner)
            stamp = info.get("mtime") or info.get("LastModified") or info.get("ETag") or info.get("created")
            if stamp is None:
                return None
            size, modified = info.get("size"), str(stamp)
        else:
            status = os.stat(path, follow_symlinks=False)
            if not stat.S_ISREG(status.st_mode):
                return None
            size, modified = status.st_size, str(status.st_mtime_ns)
    except (OSError, ValueError):
        return None
    return hashlib.sha256(f"{source_name(path)}\0{size}\0{modified}".encode()).hexdigest()


def _found(client: Elasticsearch, index: str, ids: Sequence[str], field: str | None = None) -> dict[str, Any]:
    """Ids present in ``index`` (with ``field`` of each when asked), looked up 1000 at a time."""
    found: dict[str, Any] = {}
    for start in range(0, len(ids), 1000):
        chunk = list(ids[start : start + 1000])
        response = (client.mget(index=index, ids=chunk, source_includes=[field]) if field
                    else client.mget(index=index, ids=chunk, source=False))
        for doc in response["docs"]:
            if doc.get("found"):
                found[doc["_id"]] = doc["_source"].get(field) if field else True
    return found


def plan(paths: Sequence[Path | str], settings: Settings, client: Elasticsearch) -> Plan:
    """Split the inbox into files to process and files the ledger already has, reading as little as possible.

    A file whose name, size and mtime the last plan saw as handled is unchanged at the cost of listing it (local
    snapshot, below); one whose stat a ledger entry remembers is confirmed with two lookups and no read; the others
    are hashed and looked up by content, so a touched-but-identical file is still unchanged (and its new stat is
    remembered).
    """
    from etl.index import bulk_upsert_raw, ensure_ledger, ensure_stat_cache, index_uuid

    files = list_inbox(paths)
    stats = {f: k for f in files if (k := stat_key(f))}
    with transient_faults("reading the ledger"):
        ledger = ensure_ledger(client, settings.index_alias, settings.replicas)
        stat_cache = ensure_stat_cache(client, settings.index_alias, settings.replicas)
        ledger_id = index_uuid(client, ledger)
    snapshot = _load_plan_snapshot(settings, ledger_id)
    keys: dict[str, str] = {f: snapshot[k] for f, k in stats.items() if k in snapshot}
    from_snapshot = set(keys.values())
    rest = [f for f in files if f not in keys]
    cached: dict[str, Any] = {}
    with _cache_only("reading the stat cache"), transient_faults("reading the stat cache"):
        cached = _found(client, stat_cache, sorted({stats[f] for f in rest if f in stats}), "ledger_id")
    with transient_faults("reading the ledger"):
        confirmed = _found(client, ledger, sorted({str(v) for v in cached.values()}))
    for f in rest:
        via_stat = cached.get(stats.get(f, ""))
        if via_stat is not None and via_stat in confirmed:
            keys[f] = str(via_stat)
        elif sha := file_sha256(f, settings.max_file_bytes):
            keys[f] = ledger_key(f, sha)
    with transient_faults("reading the ledger"):
        missing = sorted({keys[f] for f in rest if f in keys and keys[f] not in confirmed})
        known = set(confirmed) | set(_found(client, ledger, missing)) | from_snapshot
    remember = [(stats[f], {"ledger_id": keys[f]}) for f in rest
                if f in stats and keys.get(f) in known and cached.get(stats[f]) != keys[f]]
    with _cache_only("updating the stat cache"):
        bulk_upsert_raw(client, stat_cache, remember)
    todo = [f for f in files if keys.get(f) not in known]
    unchanged = [f for f in files if keys.get(f) in known]
    handled = {stats[f]: keys[f] for f in unchanged if f in stats}
    if handled != snapshot:
        _save_plan_snapshot(settings, ledger_id, handled)
    return Plan(todo=todo, unchanged=unchanged)


def _plan_snapshot_path(settings: Settings) -> Path:
    return settings.data_dir / "plan" / f"{_safe_name(settings.index_alias)}.json"


def _load_plan_snapshot(settings: Settings, ledger_id: str) -> dict[str, str]:
    """Stat key -> ledger key of every file the last plan found handled, if it was made against this very ledger.

    Why it is safe to trust: ledger entries are never deleted, so "handled" stays true while the ledger index is the
    same one (its uuid; a recreated ledger invalidates the snapshot). A lost or unreadable snapshot only costs the
    lookups it saves. It lives under ``NEWSFACET_DATA_DIR``, beside the archive and quarantine.
    """
    try:
        data = json.loads(_plan_snapshot_path(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    entries = data.get("entries") if isinstance(data, dict) and data.get("ledger_uuid") == ledger_id else None
    return {str(k): str(v) for k, v in entries.items()} if isinstance(entries, dict) else {}


def _save_plan_snapshot(settings: Settings, ledger_id: str, entries: dict[str, str]) -> None:
    _write_atomic(_plan_snapshot_path(settings),
                  json.dumps({"ledger_uuid": ledger_id, "entries": entries}, separators=(",", ":")))  # fmt: skip


def batches(items: Sequence[str], size: int) -> list[list[str]]:
    """Fixed-size batches, in order: the unit of work of one mapped Airflow task."""
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def _safe_name(source_file: str) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(source_file).name)[:80] or "file"
    return f"{base}.{hashlib.sha256(source_file.encode('utf-8', 'surrogateescape')).hexdigest()[:10]}"


def _write_atomic(path: Path, text: str) -> None:
    """Temp-then-rename: a reader never sees half a file, a crash never leaves one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def quarantine(settings: Settings, run_id: str, source_file: str, reason: RejectReason, detail: str,
               content_sha256: str | None) -> dict[str, str]:
    """Record a rejected input where a user can read it: one JSON note per file under ``quarantine/``."""
    note = {
        "source_file": source_file,
        "reason": reason.value,
        "detail": detail,
        "content_sha256": content_sha256 or "",
        "run_id": run_id,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    _write_atomic(settings.quarantine_dir / reason.value / f"{_safe_name(source_file)}.json",
                  json.dumps(note, ensure_ascii=False, indent=2))
    return note


def archive(settings: Settings, document: dict[str, Any]) -> None:
    """Keep the enriched document so ``reindex_articles`` can rebuild the index without the raw input."""
    doc_id = document["doc_id"]
    _write_atomic(settings.archive_dir / doc_id[:2] / f"{doc_id}.json", json.dumps(document, ensure_ascii=False))


def iter_archive(settings: Settings) -> Iterator[dict[str, Any]]:
    """Every archived document (the latest version of each id)."""
    if not settings.archive_dir.exists():
        return
    for path in sorted(settings.archive_dir.glob("*/*.json")):
        yield json.loads(path.read_text(encoding="utf-8"))


def _clean(raw: RawArticle, settings: Settings) -> CleanArticle:
    from etl.clean import clean
    from etl.extract import decode

    return clean(decode(raw, settings.max_file_bytes))


def source_name(path: str) -> str:
    """The file's name as recorded (index, ledger, quarantine): valid Unicode even when the name's bytes are not.

    A name with non-UTF-8 bytes arrives from ``os.walk`` with lone surrogates, which no UTF-8 writer accepts (the
    archive write crashed the batch); such bytes are spelt ``\\xNN``. Valid names are unchanged.
    """
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def ledger_key(source_file: str, content_sha256: str | None) -> str:
    """One ledger entry per (file, content): an edited file is new work, a renamed copy is checked again."""
    return hashlib.sha256(f"{source_name(source_file)}\0{content_sha256 or ''}".encode()).hexdigest()


def process_batch(paths: Sequence[str], settings: Settings, run_id: str, client: Elasticsearch | None = None,
                  progress: Progress | None = None) -> RunReport:
    """One transaction: each file ends indexed or rejected (quarantined, in the ledger), never lost.

    Bad input is a counted result; Elasticsearch faults raise ``TransientError`` before the ledger records
    anything, so the retried batch redoes the same work under the same ids.
    """
    from etl.enrich import enrich, knowledge_versions
    from etl.extract import read_file
    from etl.index import (
        bulk_upsert,
        bulk_upsert_raw,
        connect,
        ensure_index,
        ensure_ledger,
        ensure_stat_cache,
        to_document,
    )

    report = RunReport(run_id=run_id)
    client = client or connect(settings)
    ensure_index(client, settings.index_alias, settings.replicas)
    ledger: list[dict[str, Any]] = []

    def reject(path: str, sha: str | None, reason: RejectReason, detail: str) -> None:
        report.rejected[reason.value] += 1
        note = quarantine(settings, run_id, path, reason, detail, sha)
        report.rejections.append({"source_file": path, "reason": reason.value, "detail": detail})
        ledger.append({**note, "outcome": "rejected", "doc_id": ""})

    articles: list[CleanArticle] = []
    seen_ids: dict[str, str] = {}
    seen_hashes: dict[str, str] = {}
    stat_keys: dict[str, str] = {}
    for file_path in paths:
        report.read += 1
        path = source_name(file_path)
        if key := stat_key(file_path):  # before reading: a change while we read gives the next run a new key
            stat_keys[path] = key
        try:
            raw = read_file(file_path, settings.max_file_bytes, source_name=path)
        except RejectedInput as exc:
            reject(path, None, exc.reason, exc.detail)
            continue
        if raw.content_sha256 in seen_hashes:
            reject(path, raw.content_sha256, RejectReason.DUPLICATE, f"same bytes as {seen_hashes[raw.content_sha256]}")
            continue
        seen_hashes[raw.content_sha256] = path
        try:
            article = _clean(raw, settings)
        except RejectedInput as exc:
            reject(path, raw.content_sha256, exc.reason, exc.detail)
            continue
        if article.doc_id in seen_ids:
            reject(path, raw.content_sha256, RejectReason.DUPLICATE, f"same article as {seen_ids[article.doc_id]}")
            continue
        seen_ids[article.doc_id] = path
        articles.append(article)

    # An article already indexed from another file (re-saved under a new name) is a duplicate, not a new doc.
    if articles:
        with transient_faults("checking for duplicates"):
            existing = client.mget(index=settings.index_alias, ids=[a.doc_id for a in articles],
                                   source_includes=["source_file", "content_sha256"])
        owners = {d["_id"]: d["_source"] for d in existing["docs"] if d.get("found")}
        fresh: list[CleanArticle] = []
        for article in articles:
            owner = owners.get(article.doc_id)
            if owner and owner["source_file"] != article.source_file:
                reject(article.source_file, article.content_sha256, RejectReason.DUPLICATE,
                       f"same article as {owner['source_file']}, already indexed")
            else:
                fresh.append(article)
        articles = fresh

    kb_version, gazetteer_version = knowledge_versions()
    documents: list[dict[str, Any]] = []
    for start in range(0, len(articles), ENRICH_CHUNK):
        chunk = articles[start : start + ENRICH_CHUNK]
        for enriched in _enrich_isolated(chunk, settings, enrich, reject):
            documents.append(to_document(enriched, kb_version=kb_version, gazetteer_version=gazetteer_version))
        if progress:
            progress(f"  enriched {min(start + ENRICH_CHUNK, len(articles))}/{len(articles)}")

    outcome = bulk_upsert(client, settings.index_alias, documents, max_retries=settings.max_retries)
    for doc in documents:
        doc_id = doc["doc_id"]
        if doc_id in outcome.failed:
            reject(doc["source_file"], doc["content_sha256"], RejectReason.INDEX_REJECTED, outcome.failed[doc_id])
            continue
        archive(settings, doc)
        report.indexed += 1
        report.indexed_ids.append(doc_id)
        report.entities += len(doc["entities"])
        report.with_region += bool(doc["regions"])
        ledger.append({
            "content_sha256": doc["content_sha256"], "source_file": doc["source_file"], "outcome": "indexed",
            "reason": "", "detail": "", "doc_id": doc_id, "run_id": run_id,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        })
    with transient_faults("recording the batch"):
        _supersede(client, settings.index_alias, {d["source_file"]: d["doc_id"] for d in documents
                                                  if d["doc_id"] not in outcome.failed})
        _record_ledger(client, ensure_ledger(client, settings.index_alias, settings.replicas), ledger)
    with _cache_only("updating the stat cache"), transient_faults("updating the stat cache"):
        bulk_upsert_raw(client, ensure_stat_cache(client, settings.index_alias, settings.replicas), [
            (stat_keys[e["source_file"]], {"ledger_id": ledger_key(e["source_file"], e["content_sha256"])})
            for e in ledger if e["content_sha256"] and e["source_file"] in stat_keys
        ])
    return report


@contextmanager
def _cache_only(doing: str) -> Iterator[None]:
    """The stat cache only saves reading files: when Elasticsearch cannot serve it (a shard lost with its node, an
    overload), the batch or plan goes on without it, and the next plan hashes what it could not remember."""
    from elasticsearch import ApiError
    from elasticsearch.helpers import BulkIndexError

    try:
        yield
    except (TransientError, BulkIndexError, ApiError) as exc:
        log.warning("stat cache unavailable while %s, going on without it: %s", doing, exc)


def _supersede(client: Elasticsearch, alias: str, current: dict[str, str]) -> None:
    """An edited file replaces its older version: delete documents of the same file under another id.

    Done by search + bulk delete by id (``delete_by_query`` needs the reindex module, absent on some nodes).
    """
    from elasticsearch.helpers import bulk

    files = list(current)
    for start in range(0, len(files), 500):
        chunk = files[start : start + 500]
        response = client.search(index=alias, size=10_000, source_includes=["source_file"],
                                 query={"terms": {"source_file": chunk}})
        stale = [h["_id"] for h in response["hits"]["hits"] if current.get(h["_source"]["source_file"]) != h["_id"]]
        if stale:
            bulk(client, ({"_op_type": "delete", "_index": alias, "_id": i} for i in stale), raise_on_error=False)


def _enrich_isolated(chunk: Sequence[CleanArticle], settings: Settings,
                     enrich: Callable[[Sequence[CleanArticle], Settings], list[EnrichedArticle]],
                     reject: Callable[[str, str | None, RejectReason, str], None]) -> list[EnrichedArticle]:
    """Enrich a chunk; if one article breaks a stage, redo the chunk one by one and reject only that article.

    A bug triggered by one odd text must cost that article (quarantined, with the error), not the batch.
    Configuration errors (a missing spaCy model) still stop the run: every article would fail the same way.
    """
    try:
        return enrich(chunk, settings)
    except ConfigurationError:
        raise
    except Exception:
        log.warning("enrichment failed on a chunk of %d; retrying article by article", len(chunk), exc_info=True)
    survivors: list[EnrichedArticle] = []
    for article in chunk:
        try:
            survivors.extend(enrich([article], settings))
        except ConfigurationError:
            raise
        except Exception as exc:
            reject(article.source_file, article.content_sha256, RejectReason.PROCESSING_ERROR,
                   f"{type(exc).__name__} in enrichment: {exc}"[:500])
    return survivors


def _record_ledger(client: Elasticsearch, ledger_index: str, entries: list[dict[str, Any]]) -> None:
    from etl.index import bulk_upsert_raw

    bulk_upsert_raw(client, ledger_index, [(ledger_key(e["source_file"], e["content_sha256"]), e) for e in entries])


def verify(client: Elasticsearch, alias: str, doc_ids: Sequence[str]) -> list[str]:
    """Data-quality check: the ids this run says it indexed that the index does not hold."""
    missing: list[str] = []
    for start in range(0, len(doc_ids), 1000):
        response = client.mget(index=alias, ids=list(doc_ids[start : start + 1000]), source=False)
        missing.extend(d["_id"] for d in response["docs"] if not d.get("found"))
    return missing


def write_summary(settings: Settings, report: RunReport) -> Path:
    """The run's report as JSON under ``runs/``, for users and for the DAG's summary task."""
    path = settings.runs_dir / f"{report.run_id}.json"
    _write_atomic(path, json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    return path


def run(paths: Sequence[Path | str], settings: Settings, progress: Progress | None = None,
        client: Elasticsearch | None = None) -> RunReport:
    """One full pass without Airflow (``newsfacet run``): plan, batches, verify, summary."""
    from etl.index import connect, ensure_index, refresh

    say = progress or (lambda _msg: None)
    client = client or connect(settings)
    ensure_index(client, settings.index_alias, settings.replicas)
    work = plan(paths, settings, client)
    report = RunReport(run_id=new_run_id())
    report.read += len(work.unchanged)
    report.unchanged += len(work.unchanged)
    say(f"inbox: {len(work.todo) + len(work.unchanged)} files, {len(work.todo)} to process, "
        f"{len(work.unchanged)} unchanged")
    todo_batches = batches(work.todo, settings.batch_size)
    for number, batch in enumerate(todo_batches, start=1):
        batch_report = process_batch(batch, settings, report.run_id, client, progress=say)
        report.merge(batch_report)
        say(f"batch {number}/{len(todo_batches)}: {batch_report.summary()}")
    refresh(client, settings.index_alias)
    missing = verify(client, settings.index_alias, report.indexed_ids)
    if missing:
        raise RuntimeError(f"data-quality check failed: {len(missing)} indexed ids missing, e.g. {missing[:3]}")
    write_summary(settings, report)
    return report
