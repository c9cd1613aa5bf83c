"""Rebuild the index from the archive of clean records, then swap the alias with no moment of empty answers.

Why: a mapping change (new analyzer, new facet) needs a fresh index, and re-reading raw input would redo the
slow enrichment. The alias's archive (``var/archive/aliases/<alias>``) holds every document indexed behind it, so a
rebuild is a bulk load; documents made with older knowledge are then relinked in the new index (from their archived
NER spans, ``etl.run.relink``), so a rebuild never brings back what a relink had fixed.

Steps, each a function the DAG (``reindex_articles``) and ``newsfacet reindex`` share:

1. ``build``: a new versioned index (``new_index_name`` + ``create_index``) bulk-loaded from the archive.
   The archive keeps every version of an edited file; like the ingest's supersede step, only the latest
   document per source file is loaded. Then the loaded documents are relinked to the current knowledge.
2. ``check``: the new index holds exactly what was loaded, not fewer documents than the alias serves (unless
   ``NEWSFACET_REINDEX_ALLOW_SHRINK``), answers a terms aggregation on ``regions``, and no write reached the
   old index meanwhile (it would be missing from the new one). A failed check deletes the candidate.
3. ``swap``: ONE ``update_aliases`` call removes the old index and adds the new one as write index, so every
   search sees either the old or the new index, never neither. The old index is recorded in the new one's
   ``_meta.previous_index`` for ``rollback``.
4. ``prune``: keep ``NEWSFACET_KEEP_INDICES`` indices (current, previous, then newest), delete the rest.

``rollback`` points the alias back at the previous index, after copying into it what the alias's index took since
the swap (articles ingested, edited files' new versions, relinked documents) and removing what it lost (superseded
versions): the ledger and the index agree afterwards. If those documents cannot go into the previous index (its
older mapping refuses them), it refuses, with the alias untouched.

Elasticsearch's own ``_reindex`` is not used on purpose: some distributions lack the reindex module.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from etl.document import complete_document
from etl.errors import ConfigurationError, ReindexCheckError
from etl.settings import Settings
from etl.store.bulk import bulk_upsert
from etl.store.client import connect, es_faults
from etl.store.files import adopt_legacy_archive, iter_archive
from etl.store.indices import create_index, new_index_name
from etl.store.ledger import lookup

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

log = logging.getLogger(__name__)
LOAD_CHUNK = 500  # documents per bulk_upsert call: bounds memory whatever the archive size


@dataclass
class BuildResult:
    """What ``build`` made; plain JSON (Airflow XCom) via ``asdict``."""

    alias: str
    index: str
    archived: int = 0
    superseded: int = 0
    expected: int = 0
    loaded: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    with_regions: int = 0
    serving: list[str] = field(default_factory=list)
    serving_writes: int = 0
    analysis_fallback: list[str] = field(default_factory=list)
    relinked: int = 0  # loaded documents whose knowledge fields the relink changed

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON for XCom."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BuildResult:
        return cls(**data)


@dataclass
class ReindexResult:
    """A whole rebuild: the build, the checks' numbers, the swap and what pruning deleted."""

    build: BuildResult
    alias_count: int
    new_count: int
    region_buckets: int
    previous: list[str]
    deleted: list[str]
    seconds: float

    def summary(self) -> str:
        """The line a person waiting on a rebuild reads."""
        return (
            f"alias '{self.build.alias}' -> {self.build.index}: {self.new_count} documents "
            f"(archive {self.build.archived}, superseded {self.build.superseded}, served before "
            f"{self.alias_count}), {self.region_buckets} region buckets; previous "
            f"{', '.join(self.previous) or '-'}; deleted {', '.join(self.deleted) or '-'}; {self.seconds:.1f}s"
        )


def _client(settings: Settings, client: Elasticsearch | None) -> Elasticsearch:
    return client or connect(settings)


def _family_pattern(alias: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(alias)}-v\d+-\d{{8}}t\d{{6,12}}$")


def family(client: Elasticsearch, alias: str) -> list[str]:
    """The versioned indices made for ``alias`` (not its ledger), oldest first by creation time."""
    pattern = _family_pattern(alias)
    found = client.indices.get_settings(index=f"{alias}-v*", name="index.creation_date", expand_wildcards="open,closed")
    dated = [
        (int(body["settings"]["index"]["creation_date"]), name)
        for name, body in found.body.items()
        if pattern.match(name)
    ]
    return [name for _, name in sorted(dated)]


def serving(client: Elasticsearch, alias: str) -> list[str]:
    """The indices the alias points at now (one, except mid-way through a hand-made change)."""
    if client.indices.exists_alias(name=alias):
        return sorted(client.indices.get_alias(name=alias).body)
    if client.indices.exists(index=alias):
        raise ConfigurationError(f"'{alias}' is a concrete index, not an alias; rename or delete it")
    return []


def _write_ops(client: Elasticsearch, indices: list[str]) -> int:
    """Index + delete operations the indices have taken: a change means someone wrote during the rebuild."""
    if not indices:
        return 0
    stats = client.indices.stats(index=",".join(indices), metric="indexing")
    total = stats["_all"]["primaries"].get("indexing", {})
    return int(total.get("index_total", 0)) + int(total.get("delete_total", 0))


def _meta(client: Elasticsearch, index: str) -> dict[str, Any]:
    mapping = client.indices.get_mapping(index=index)
    return dict(mapping[index]["mappings"].get("_meta", {}))


def _latest_per_source(settings: Settings) -> tuple[set[str], int, int]:
    """Ids to load (the newest document of each source file), archived total, and how many have regions."""
    newest: dict[str, tuple[str, str, bool]] = {}
    archived = 0
    for doc in iter_archive(settings):
        archived += 1
        key = doc.get("source_file") or doc["doc_id"]
        candidate = (str(doc.get("ingested_at", "")), str(doc["doc_id"]), bool(doc.get("regions")))
        if key not in newest or candidate[:2] > newest[key][:2]:
            newest[key] = candidate
    ids = {doc_id for _, doc_id, _ in newest.values()}
    return ids, archived, sum(has for _, _, has in newest.values())


def _chunks(settings: Settings, ids: set[str]) -> Iterator[list[dict[str, Any]]]:
    from etl.knowledge.loader import load_knowledge

    knowledge = load_knowledge(settings)
    chunk: list[dict[str, Any]] = []
    for doc in iter_archive(settings):
        if doc["doc_id"] in ids:  # archived before mapping v3: add its time axis and aliases
            chunk.append(complete_document(doc, knowledge.kb, knowledge.gazetteer))
            if len(chunk) >= LOAD_CHUNK:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def _delete(client: Elasticsearch, names: list[str]) -> None:
    if names:  # by name: wildcard deletes are refused (action.destructive_requires_name)
        client.indices.delete(index=",".join(names), ignore_unavailable=True)


def build(settings: Settings, client: Elasticsearch | None = None, now: datetime | None = None) -> BuildResult:
    """Create a new versioned index and bulk-load the archive into it; the alias is not touched.

    A failure deletes the half-built index, so a retried task starts clean.
    """
    client = _client(settings, client)
    alias = settings.index_alias
    current = serving(client, alias)
    result = BuildResult(
        alias=alias,
        index=new_index_name(alias, now=now or datetime.now(UTC)),
        serving=current,
        serving_writes=_write_ops(client, current),
    )
    with es_faults("adopting the old archive"):
        adopt_legacy_archive(settings, lambda chunk: lookup(client, alias, chunk) if current else [])
    ids, result.archived, result.with_regions = _latest_per_source(settings)
    result.expected = len(ids)
    result.superseded = result.archived - result.expected
    result.analysis_fallback = create_index(client, result.index, replicas=settings.replicas)
    try:
        with es_faults(f"rebuilding '{alias}'"):
            _load(client, settings, result, ids)
        from etl.run.relink import relink  # the rebuilt documents follow the current knowledge too

        result.relinked = relink(settings, index=result.index, client=client).changed
    except Exception as exc:
        log.warning("build of %s failed (%s): deleting it", result.index, exc)
        try:
            _delete(client, [result.index])
        except Exception:  # the node is gone: the next prune removes the leftover
            log.warning("could not delete %s", result.index)
        raise
    log.info(
        "built %s: %d of %d archived documents loaded (%d superseded versions skipped, %d refused)",
        result.index,
        result.loaded,
        result.archived,
        result.superseded,
        len(result.failed),
    )
    return result


def _load(client: Elasticsearch, settings: Settings, result: BuildResult, ids: set[str]) -> None:
    """Bulk-load the chosen archived documents with refreshes off, then refresh once."""
    client.indices.put_settings(index=result.index, settings={"index": {"refresh_interval": "-1"}})
    for chunk in _chunks(settings, ids):
        outcome = bulk_upsert(client, result.index, chunk, max_retries=settings.max_retries)
        result.loaded += len(outcome.indexed)
        result.failed.update(outcome.failed)
    client.indices.put_settings(index=result.index, settings={"index": {"refresh_interval": None}})
    client.indices.refresh(index=result.index)


def check(settings: Settings, built: BuildResult, client: Elasticsearch | None = None) -> dict[str, int]:
    """The gate before the swap; raises ``ReindexCheckError`` (after deleting the candidate) on any doubt."""
    client = _client(settings, client)
    new_count = int(client.count(index=built.index)["count"])
    current = serving(client, settings.index_alias)
    alias_count = int(client.count(index=settings.index_alias)["count"]) if current else 0
    aggs = client.search(index=built.index, size=0, aggs={"regions": {"terms": {"field": "regions", "size": 10}}})
    buckets = len(aggs["aggregations"]["regions"]["buckets"])
    problems: list[str] = []
    if built.failed:
        problems.append(f"{len(built.failed)} archived documents refused, e.g. {next(iter(built.failed.items()))}")
    if new_count != built.expected:
        problems.append(f"new index holds {new_count} documents, the archive {built.expected}")
    if new_count < alias_count and not settings.reindex_allow_shrink:
        problems.append(
            f"new index holds {new_count} documents, fewer than the {alias_count} the alias serves "
            f"(set NEWSFACET_REINDEX_ALLOW_SHRINK=true if that is intended)"
        )
    if built.with_regions and not buckets:
        problems.append(f"{built.with_regions} archived documents have regions but the terms agg has no bucket")
    if current != built.serving:
        problems.append(f"alias moved during the rebuild: {built.serving} -> {current}")
    elif _write_ops(client, current) != built.serving_writes:
        problems.append(f"documents were written to {current} during the rebuild: run the reindex again")
    if problems:
        _delete(client, [built.index])
        raise ReindexCheckError(f"rebuild {built.index} rejected, alias unchanged: " + "; ".join(problems))
    log.info(
        "checks passed for %s: %d documents (alias served %d), %d region buckets",
        built.index,
        new_count,
        alias_count,
        buckets,
    )
    return {"new_count": new_count, "alias_count": alias_count, "region_buckets": buckets}


def _point_alias(client: Elasticsearch, alias: str, target: str) -> list[str]:
    """One atomic ``update_aliases``: every index the alias had is removed, ``target`` becomes the write index."""
    current = serving(client, alias)
    actions: list[dict[str, Any]] = [{"remove": {"index": i, "alias": alias}} for i in current if i != target]
    actions.append({"add": {"index": target, "alias": alias, "is_write_index": True}})
    client.indices.update_aliases(actions=actions)
    return [i for i in current if i != target]


def swap(settings: Settings, new_index: str, client: Elasticsearch | None = None) -> list[str]:
    """Point the alias at ``new_index`` in one atomic call; returns the indices it left (kept for rollback).

    Safe to repeat: a second call finds the alias already there and changes nothing.
    """
    client = _client(settings, client)
    previous = [i for i in serving(client, settings.index_alias) if i != new_index]
    if previous:  # _meta is replaced, not merged, by put_mapping: write the whole of it
        meta = _meta(client, new_index)
        meta["previous_index"] = previous[-1]
        client.indices.put_mapping(index=new_index, meta=meta)
    _point_alias(client, settings.index_alias, new_index)
    log.info("alias '%s' now on %s (was %s)", settings.index_alias, new_index, ", ".join(previous) or "-")
    return previous


def prune(settings: Settings, client: Elasticsearch | None = None) -> list[str]:
    """Delete versioned indices beyond ``keep_indices``: the current one, its previous, then the newest stay."""
    client = _client(settings, client)
    alias = settings.index_alias
    current = serving(client, alias)
    ranked = list(current)
    if current:
        previous = _meta(client, current[-1]).get("previous_index")
        if previous and previous not in ranked:
            ranked.append(str(previous))
    ranked.extend(i for i in reversed(family(client, alias)) if i not in ranked)
    existing = set(family(client, alias))
    keep = max(1, settings.keep_indices, len(current))
    doomed = [i for i in ranked[keep:] if i in existing and i not in current]
    _delete(client, doomed)
    if doomed:
        log.info("deleted %s (keeping %d versioned indices of '%s')", ", ".join(doomed), keep, alias)
    return doomed


def reindex(settings: Settings, client: Elasticsearch | None = None) -> ReindexResult:
    """The whole rebuild: build, check, swap, prune (what ``newsfacet reindex`` runs)."""
    started = time.monotonic()
    client = _client(settings, client)
    built = build(settings, client)
    numbers = check(settings, built, client)
    previous = swap(settings, built.index, client)
    deleted = prune(settings, client)
    return ReindexResult(
        build=built,
        alias_count=numbers["alias_count"],
        new_count=numbers["new_count"],
        region_buckets=numbers["region_buckets"],
        previous=previous,
        deleted=deleted,
        seconds=time.monotonic() - started,
    )


@dataclass(frozen=True)
class RollbackResult:
    """What a rollback did: the alias moved from ``from_index`` to ``to_index``, which first took the documents
    written since the swap (``reapplied``) and lost the ones removed since (``removed``)."""

    from_index: str
    to_index: str
    reapplied: int
    removed: int


def rollback(settings: Settings, client: Elasticsearch | None = None) -> RollbackResult:
    """Point the alias back at the index it served before the last swap, bringing along what changed since.

    The target is the current index's ``_meta.previous_index``, or else the newest older versioned index. Before
    the alias moves, the target takes every document the current index holds and it lacks or holds in another
    version, and loses every document the current index no longer has: articles ingested since the swap are not
    dropped (the ledger, which says they are handled, would keep every rerun from bringing them back). Writes
    that reach the current index while the alias moves are copied once more afterwards. Raises
    ``ReindexCheckError`` (alias untouched) if the target's mapping refuses documents.
    """
    client = _client(settings, client)
    alias = settings.index_alias
    current = serving(client, alias)
    if not current:
        raise ConfigurationError(f"alias '{alias}' points at no index: nothing to roll back")
    indices = family(client, alias)
    target = _meta(client, current[-1]).get("previous_index")
    if not target or target not in indices:
        older = indices[: indices.index(current[-1])] if current[-1] in indices else []
        target = older[-1] if older else None
    if not target:
        raise ConfigurationError(f"no previous index of '{alias}' left to roll back to (kept: {indices})")
    source, target = current[-1], str(target)
    with es_faults(f"rolling back '{alias}'"):
        before = _write_ops(client, [source])
        reapplied, removed = _reapply(client, source, target, settings.max_retries)
        _point_alias(client, alias, target)
        if _write_ops(client, [source]) != before:  # written while we copied: copy the difference again
            again, gone = _reapply(client, source, target, settings.max_retries)
            reapplied, removed = reapplied + again, removed + gone
        client.indices.refresh(index=target)
    log.info(
        "rolled back alias '%s': %s -> %s (%d documents re-applied, %d removed)",
        alias,
        source,
        target,
        reapplied,
        removed,
    )
    return RollbackResult(from_index=source, to_index=target, reapplied=reapplied, removed=removed)


_VERSION_OF = ("ingested_at", "kb_version", "gazetteer_version", "pipeline_version")
"""What tells two copies of a document apart: a re-ingest changes ``ingested_at``, a relink the versions."""


def _versions(client: Elasticsearch, index: str) -> dict[str, tuple[Any, ...]]:
    """Every document id of ``index`` with what tells its versions apart (search_after on the unique doc_id)."""
    out: dict[str, tuple[Any, ...]] = {}
    after: list[Any] | None = None
    client.indices.refresh(index=index)
    while True:
        response = client.search(
            index=index, size=5000, sort=[{"doc_id": "asc"}], search_after=after, source_includes=list(_VERSION_OF)
        )
        hits = response["hits"]["hits"]
        out.update((h["_id"], tuple(h["_source"].get(k) for k in _VERSION_OF)) for h in hits)
        if len(hits) < 5000:
            return out
        after = hits[-1]["sort"]


def _reapply(client: Elasticsearch, source: str, target: str, max_retries: int) -> tuple[int, int]:
    """Make ``target`` hold exactly ``source``'s documents; returns (copied, deleted)."""
    from elasticsearch.helpers import bulk

    have, want = _versions(client, target), _versions(client, source)
    copy = sorted(doc_id for doc_id, version in want.items() if have.get(doc_id) != version)
    delete = sorted(set(have) - set(want))
    for start in range(0, len(copy), LOAD_CHUNK):
        docs = client.mget(index=source, ids=copy[start : start + LOAD_CHUNK])["docs"]
        outcome = bulk_upsert(client, target, [d["_source"] for d in docs if d.get("found")], max_retries=max_retries)
        if outcome.failed:
            doc_id, reason = next(iter(outcome.failed.items()))
            raise ReindexCheckError(
                f"cannot roll back to {target}: {len(outcome.failed)} document(s) written to {source} since the "
                f"swap do not fit its mapping (e.g. {doc_id}: {reason}); rolling back would lose them. The alias "
                f"still points at {source}: fix forward, or rebuild with `newsfacet reindex`"
            )
    if delete:
        bulk(client, ({"_op_type": "delete", "_index": target, "_id": i} for i in delete), raise_on_error=False)
    return len(copy), len(delete)
