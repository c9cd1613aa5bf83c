"""Relink: bring every document of an alias up to the current knowledge, from the archived NER spans, without spaCy.

Why: analysts curate (a new armed group, a commander's new spelling, a district moved to another region); the
indexed articles must follow, in minutes, without re-running NER. Each document records the knowledge versions it
was made with (``kb_version``, ``gazetteer_version``); relink takes every document whose versions differ from the
current ones and

1. reads its archive record (``etl.store.files``: the document, its analysed text and NER spans);
2. asks ``etl.knowledge.changes`` whether the change of knowledge can touch it at all; if it can, redoes linking,
   quotes, place resolution and the region roll-up (``etl.enrich.derive``, the very function the ingest uses);
3. writes, in bulk by id, the knowledge fields (and versions) of the documents that changed; for the others it
   records in ``<alias>-knowledge-checks`` that this very version of the document (index, ``_seq_no``,
   ``_primary_term``) holds for the current knowledge: a small entry, where rewriting the article only to change its
   versions would make Elasticsearch analyse its whole text again (3-4 ms a document, against 0.2 ms);
4. reports per actor and per region how many documents gained or lost it. ``dry_run`` writes nothing.

A document is stale when its versions differ from the current ones and no check entry vouches for its current
``_seq_no`` under the current versions (a document rewritten since its check is stale again).

Safe:

- idempotent and resumable: what is done is in Elasticsearch (a document's versions, or its check entry), so a
  second run, or a run after a crash, only finds what is left;
- beside a running ingest: every write carries the ``_seq_no`` / ``_primary_term`` the document was read at, so a
  document the ingest rewrote meanwhile is not overwritten (a version conflict): the next pass reads it again. Passes
  repeat until no stale document is left; and a batch that wrote documents with knowledge that changed while it ran
  relinks its own documents (``etl.run.batch``), so an article ingested during a relink ends with the newest
  knowledge whichever finishes first;
- per alias: the alias's documents and its own archive only.

Only the fields made from the knowledge are written (``KNOWLEDGE_FIELDS``); the article's own fields, its
``pipeline_version`` and ``ingested_at`` stay as the ingest wrote them.
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from etl.run.rederive import (
    KNOWLEDGE_FIELDS,
    Outcome,
    Stale,
    init_worker,
    noop,
    rederive,
    rederive_in_worker,
    same,
)
from etl.settings import Settings
from etl.store.client import connect, es_faults

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

__all__ = ["KNOWLEDGE_FIELDS", "RelinkReport", "checks_index", "relink", "stale_count"]

log = logging.getLogger(__name__)
Progress = Callable[[str], None]

CHECKS_SUFFIX = "-knowledge-checks"
_CHECK_FIELDS: dict[str, Any] = {
    "index": {"type": "keyword"},
    "seq_no": {"type": "long"},
    "primary_term": {"type": "long"},
    "kb_version": {"type": "keyword"},
    "gazetteer_version": {"type": "keyword"},
}
PAGE = 2000  # stale documents read per search page
CHUNK = 250  # documents per unit of work handed to a worker process
MAX_PASSES = 5  # passes until no stale document is left (each pass only meets what the last could not write)


@dataclass
class RelinkReport:
    """What a relink found and did; ``to_dict`` is plain JSON (Airflow XCom, ``--json``)."""

    alias: str
    index: str
    dry_run: bool
    kb_version: str = ""
    gazetteer_version: str = ""
    stale: int = 0  # documents whose versions differed (first pass)
    rederived: int = 0  # documents the change could touch: linking, quotes and places redone
    changed: int = 0  # of those, documents whose knowledge fields changed
    untouched: int = 0  # the change cannot touch them, or re-deriving gave the same: checked, article not rewritten
    no_record: int = 0  # no archive record (indexed elsewhere): left as they are
    no_spans: int = 0  # archived before NER spans were kept: `newsfacet run --stale` re-makes them
    conflicts: int = 0  # written meanwhile by someone else: read again by the next pass
    refused: int = 0  # updates Elasticsearch refused for their content (logged; a bug to report)
    passes: int = 0
    remaining: int = 0  # still stale after the last pass
    actors_gained: Counter[str] = field(default_factory=Counter)
    actors_lost: Counter[str] = field(default_factory=Counter)
    regions_gained: Counter[str] = field(default_factory=Counter)
    regions_lost: Counter[str] = field(default_factory=Counter)
    load_s: float = 0.0
    work_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("actors_gained", "actors_lost", "regions_gained", "regions_lost"):
            data[name] = dict(getattr(self, name).most_common())
        return data

    def summary(self) -> str:
        """The line a person waiting on a relink reads."""
        verb = "would change" if self.dry_run else "changed"
        text = (
            f"{'dry run: ' if self.dry_run else ''}{self.stale} stale document(s) in '{self.alias}' -> knowledge "
            f"{self.kb_version[:8]}/{self.gazetteer_version[:8]}: {self.rederived} re-derived, {verb} "
            f"{self.changed}, {self.untouched} unchanged"
        )
        if self.no_spans or self.no_record:
            text += (
                f"; {self.no_spans} without NER spans (`newsfacet run --stale` re-makes them), "
                f"{self.no_record} without an archive record"
            )
        if self.conflicts:
            text += f"; {self.conflicts} write conflict(s) re-read"
        if self.refused:
            text += f"; {self.refused} update(s) REFUSED (see the log)"
        if self.remaining:
            text += f"; {self.remaining} STILL STALE after {self.passes} passes: run relink again"
        return text + f" ({self.work_s:.1f}s, {self.passes} pass(es))"

    def diff_lines(self, limit: int = 30) -> list[str]:
        """Per actor and per region, how many documents gained or lost it (largest moves first)."""
        lines: list[str] = []
        for label, gained, lost in (
            ("actor", self.actors_gained, self.actors_lost),
            ("region", self.regions_gained, self.regions_lost),
        ):
            names = sorted(set(gained) | set(lost), key=lambda n: (-(gained[n] + lost[n]), n))
            for name in names[:limit]:
                lines.append(f"  {label:<6} {name}: +{gained[name]} -{lost[name]}")
            if len(names) > limit:
                lines.append(f"  ... and {len(names) - limit} more {label}s")
        return lines


# -- the coordinating side: search, compare, write ---------------------------------------------------------------------


def _stale_query(versions: tuple[str, str], ids: Sequence[str] | None) -> dict[str, Any]:
    current = {
        "bool": {"filter": [{"term": {"kb_version": versions[0]}}, {"term": {"gazetteer_version": versions[1]}}]}
    }
    query: dict[str, Any] = {"bool": {"must_not": [current]}}
    if ids is not None:
        query["bool"]["filter"] = [{"ids": {"values": list(ids)}}]
    return query


def checks_index(alias: str) -> str:
    """The index where a relink records which document versions hold for which knowledge."""
    return alias + CHECKS_SUFFIX


def _ensure_checks(client: Elasticsearch, alias: str, replicas: int) -> str:
    from elasticsearch import BadRequestError

    name = checks_index(alias)
    if not client.indices.exists(index=name):
        try:
            client.indices.create(
                index=name,
                settings={"number_of_shards": 1, "number_of_replicas": replicas},
                mappings={"dynamic": "strict", "properties": _CHECK_FIELDS},
            )
        except BadRequestError as exc:  # created meanwhile by another relink: fine
            if "resource_already_exists" not in str(exc):
                raise
    return name


def _checks(client: Elasticsearch, alias: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    name = checks_index(alias)
    if not ids or not client.indices.exists(index=name):
        return {}
    response = client.mget(index=name, ids=list(ids))
    return {d["_id"]: d["_source"] for d in response["docs"] if d.get("found")}


_STALE_FIELDS = ("kb_version", "gazetteer_version", "countries", "regions", "districts")
"""What the stale search reads of each document, from doc values (keyword columns): filtering ``_source`` made
Elasticsearch load and parse each whole stored document (its text twice, its place names) for five short fields.
Doc values come sorted and without repeats: the facets are only ever compared as sets (``Changes.touches``)."""


def _first(values: dict[str, list[Any]], name: str) -> str:
    found = values.get(name) or [""]
    return str(found[0] or "")


def _stale_pages(
    client: Elasticsearch, alias: str, index: str, versions: tuple[str, str], ids: Sequence[str] | None
) -> Iterator[list[Stale]]:
    """Stale documents in pages, by ``doc_id`` (search_after on a unique key: documents rewritten meanwhile
    simply drop out of later pages); a document whose check entry vouches for it is not stale."""
    after: list[Any] | None = None
    while True:
        with es_faults("reading stale documents"):
            response = client.search(
                index=index,
                query=_stale_query(versions, ids),
                size=PAGE,
                sort=[{"doc_id": "asc"}],
                search_after=after,
                seq_no_primary_term=True,
                source=False,
                docvalue_fields=[{"field": f} for f in _STALE_FIELDS],
            )
            hits = response["hits"]["hits"]
            checked = _checks(client, alias, [h["_id"] for h in hits])
        page: list[Stale] = []
        for h in hits:
            values = h.get("fields") or {}
            served = (_first(values, "kb_version"), _first(values, "gazetteer_version"))
            made_with = served
            check = checked.get(h["_id"])
            if check and (check["index"], check["seq_no"], check["primary_term"]) == (
                h["_index"],
                h["_seq_no"],
                h["_primary_term"],
            ):
                made_with = (str(check["kb_version"]), str(check["gazetteer_version"]))  # this version holds for it
                if made_with == versions:
                    continue
            page.append(
                Stale(
                    doc_id=h["_id"],
                    index=h["_index"],
                    seq_no=int(h["_seq_no"]),
                    primary_term=int(h["_primary_term"]),
                    versions=made_with,
                    countries=tuple(values.get("countries") or ()),
                    regions=tuple(values.get("regions") or ()),
                    districts=tuple(values.get("districts") or ()),
                    made_with=served,
                )
            )
        if page:
            yield page
        if len(hits) < PAGE:
            return
        after = hits[-1]["sort"]


def stale_count(settings: Settings, client: Elasticsearch, index: str | None = None) -> int:
    """How many documents of ``index`` (default: the alias) are stale for the current knowledge files."""
    from etl.knowledge.loader import current_versions

    target = index or settings.index_alias
    client.indices.refresh(index=target)
    pages = _stale_pages(client, settings.index_alias, target, current_versions(settings), None)
    return sum(len(page) for page in pages)


class _Pool:
    """Worker processes (each loads the knowledge once), or the calling process itself for one worker."""

    def __init__(self, settings: Settings, workers: int) -> None:
        self.executor: ProcessPoolExecutor | None = None
        if workers > 1:
            with _bare_main():  # every worker starts here: each submit below waits for one
                self.executor = ProcessPoolExecutor(
                    max_workers=workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=init_worker,
                    initargs=(settings,),
                )
                for ready in [self.executor.submit(noop) for _ in range(workers)]:
                    ready.result()  # knowledge loaded in every worker before timing starts
        else:
            init_worker(settings)
        self.workers = workers

    def map(self, chunks: Iterator[list[Stale]], full: bool) -> Iterator[tuple[list[Stale], list[Outcome]]]:
        """Outcomes chunk by chunk, in order, with at most two chunks per worker in flight (bounded memory)."""
        if self.executor is None:
            for chunk in chunks:
                yield chunk, rederive(chunk, full)
            return
        pending: list[tuple[list[Stale], Future[list[Outcome]]]] = []
        for chunk in chunks:
            pending.append((chunk, self.executor.submit(rederive_in_worker, (chunk, full))))
            while len(pending) >= 2 * self.workers:
                done, future = pending.pop(0)
                yield done, future.result()
        for done, future in pending:
            yield done, future.result()

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(cancel_futures=True)


@contextmanager
def _bare_main() -> Iterator[None]:
    """Start worker processes without re-importing the parent's ``__main__`` in them.

    Why: a spawned process imports its parent's main module first; in an Airflow task that is Airflow's task
    runner, whose import sets Airflow up (and fails: a task process has no database settings). The workers need
    nothing from ``__main__``: everything they run lives in this module.
    """
    import sys
    import types

    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def _chunks(pages: Iterator[list[Stale]], skip: set[str]) -> Iterator[list[Stale]]:
    for page in pages:
        todo = [s for s in page if s.doc_id not in skip]
        for start in range(0, len(todo), CHUNK):
            yield todo[start : start + CHUNK]


def relink(
    settings: Settings,
    *,
    dry_run: bool = False,
    full: bool = False,
    index: str | None = None,
    ids: Sequence[str] | None = None,
    client: Elasticsearch | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> RelinkReport:
    """Bring the documents of ``index`` (default: the alias) to the current knowledge; see the module docstring.

    ``full``: re-derive every stale document, not only those the change can touch. ``ids``: only these documents
    (an ingest batch relinking its own). ``workers``: processes (default ``NEWSFACET_RELINK_WORKERS``).
    """
    from etl.knowledge.changes import ensure_snapshots
    from etl.knowledge.loader import load_knowledge
    from etl.store.files import adopt_legacy_archive
    from etl.store.ledger import lookup

    say = progress or (lambda _msg: None)
    client = client or connect(settings)
    target = index or settings.index_alias
    t0 = time.perf_counter()
    knowledge = load_knowledge(settings, refresh=True)
    ensure_snapshots(settings, knowledge)
    versions = knowledge.versions
    report = RelinkReport(
        alias=settings.index_alias, index=target, dry_run=dry_run, kb_version=versions[0], gazetteer_version=versions[1]
    )
    with es_faults("looking for the index"):
        if not client.indices.exists(index=target):  # nothing indexed yet (a new deployment): nothing to relink
            log.info("relink: '%s' does not exist yet, nothing to relink", target)
            return report
    with es_faults("adopting the old archive"):
        adopt_legacy_archive(settings, lambda chunk: lookup(client, settings.index_alias, chunk))
    pool = _Pool(settings, max(1, workers if workers is not None else settings.relink_workers) if ids is None else 1)
    report.load_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    skip: set[str] = set()  # no record or no spans: nothing a pass can do, not retried
    try:
        if not dry_run:
            with es_faults("preparing the checks index"):
                _ensure_checks(client, settings.index_alias, settings.replicas)
        for number in range(1, (1 if dry_run else MAX_PASSES) + 1):
            with es_faults("refreshing"):
                client.indices.refresh(index=target)
            found, acted = _pass(
                client, pool, report, versions, settings.index_alias, target, ids, skip, full, dry_run, say
            )
            report.passes = number
            if number == 1:
                report.stale = found
            if acted == 0:
                break
        else:
            if not dry_run:  # every pass found work: count what is left (written meanwhile by others)
                with es_faults("counting what is left"):
                    client.indices.refresh(index=target)
                    left = _stale_pages(client, settings.index_alias, target, versions, ids)
                    report.remaining = sum(1 for page in left for item in page if item.doc_id not in skip)
    finally:
        pool.close()
    report.work_s = time.perf_counter() - t1
    log.info("relink: %s", report.summary())
    return report


def _pass(
    client: Elasticsearch,
    pool: _Pool,
    report: RelinkReport,
    versions: tuple[str, str],
    alias: str,
    target: str,
    ids: Sequence[str] | None,
    skip: set[str],
    full: bool,
    dry_run: bool,
    say: Progress,
) -> tuple[int, int]:
    """One pass over the stale documents; returns (found, acted on)."""
    found = acted = 0
    for chunk, outcomes in pool.map(_chunks(_stale_pages(client, alias, target, versions, ids), skip), full):
        found += len(chunk)
        by_id = {s.doc_id: s for s in chunk}
        unknown = [o.doc_id for o in outcomes if o.status == "rederived" and o.before is None]
        old = _knowledge_fields(client, target, unknown) if unknown else {}
        writes: list[tuple[Stale, dict[str, Any]]] = []
        checks: list[tuple[Stale, tuple[str, str]]] = []
        for outcome in outcomes:
            item = by_id[outcome.doc_id]
            if outcome.status in ("no_record", "no_spans"):
                skip.add(outcome.doc_id)
                setattr(report, outcome.status, getattr(report, outcome.status) + 1)
                continue
            acted += 1
            if outcome.fields is not None:
                report.rederived += 1
                before = outcome.before if outcome.before is not None else old.get(outcome.doc_id, {})
                if outcome.before is not None or not same(before, outcome.fields):
                    report.changed += 1
                    _tally(report, before, outcome.fields)
                    writes.append((item, outcome.fields))
                    continue
            report.rederived += outcome.status == "same"
            report.untouched += 1
            checks.append((item, outcome.versions))
        if not dry_run:
            conflicts, refused = _write(client, writes)
            report.conflicts += conflicts
            report.refused += len(refused)
            skip.update(refused)
            _record_checks(client, alias, checks)
        say(f"  relink: {found} stale document(s) read, {report.rederived} re-derived, {report.changed} changed")
    return found, acted


def _record_checks(client: Elasticsearch, alias: str, checks: Sequence[tuple[Stale, tuple[str, str]]]) -> None:
    """This version of each document (index, ``_seq_no``, ``_primary_term``) holds for these knowledge versions.

    Not guarded: an entry about a version of the document that was rewritten meanwhile matches nothing, and the
    rewritten document is stale again."""
    from etl.store.bulk import bulk_upsert_raw

    bulk_upsert_raw(
        client,
        checks_index(alias),
        [
            (
                item.doc_id,
                {
                    "index": item.index,
                    "seq_no": item.seq_no,
                    "primary_term": item.primary_term,
                    "kb_version": versions[0],
                    "gazetteer_version": versions[1],
                },
            )
            for item, versions in checks
        ],
    )


def _knowledge_fields(client: Elasticsearch, index: str, doc_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    with es_faults("reading documents to compare"):
        response = client.mget(index=index, ids=list(doc_ids), source_includes=list(KNOWLEDGE_FIELDS))
    return {d["_id"]: d["_source"] for d in response["docs"] if d.get("found")}


def _tally(report: RelinkReport, before: dict[str, Any], after: dict[str, Any]) -> None:
    for field_name, gained, lost in (
        ("actors", report.actors_gained, report.actors_lost),
        ("regions", report.regions_gained, report.regions_lost),
    ):
        old, new = set(before.get(field_name) or ()), set(after.get(field_name) or ())
        gained.update(new - old)
        lost.update(old - new)


def _write(client: Elasticsearch, writes: Sequence[tuple[Stale, dict[str, Any]]]) -> tuple[int, list[str]]:
    """Partial updates by id, each only if the document is still the one read (``if_seq_no``); returns how many
    conflicted (rewritten meanwhile, or deleted: the next pass reads what is there now) and the ids refused for
    their content."""
    from elasticsearch.helpers import streaming_bulk

    from etl.store.bulk import item_fault

    actions = (
        {
            "_op_type": "update",
            "_index": item.index,
            "_id": item.doc_id,
            "if_seq_no": item.seq_no,
            "if_primary_term": item.primary_term,
            "doc": fields,
        }
        for item, fields in writes
    )
    conflicts = 0
    refused: list[str] = []
    with es_faults("writing relinked documents"):
        for ok, result in streaming_bulk(
            client,
            actions,
            chunk_size=500,
            max_retries=5,
            initial_backoff=1,
            max_backoff=30,
            raise_on_error=False,
            raise_on_exception=True,
        ):
            if ok:
                continue
            info = result.get("update", {})
            if info.get("status") in (404, 409):
                conflicts += 1
                continue
            fault = item_fault(str(info.get("_id")), info.get("status"), info.get("error"))
            if fault is not None:
                raise fault
            log.error("relinked document %s refused: %s", info.get("_id"), info.get("error"))
            refused.append(str(info.get("_id")))
    return conflicts, refused
