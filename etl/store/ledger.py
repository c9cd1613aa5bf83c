"""The ledger: what became of every input file, so reruns skip what was handled and a run can be verified.

Two small indices beside the alias, each with one shard:

- ``<alias>-ledger``: one entry per (file, content hash), keyed by ``ledger_key``: outcome (indexed / rejected),
  reason, the document id, and the run that handled it. Written only after the file's document is in the index, so
  a crash before that means the file is simply processed again (same ids: no duplicates).
- ``<alias>-ledger-stat``: file name + size + mtime -> ledger key, so an unchanged file is known without reading it.
  Best effort: losing it costs re-hashing files, never a wrong answer.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypedDict

from etl.errors import TransientError
from etl.inbox import source_name

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

log = logging.getLogger(__name__)
LEDGER_SUFFIX = "-ledger"
STAT_SUFFIX = LEDGER_SUFFIX + "-stat"
LOOKUP_CHUNK = 1000


class LedgerEntry(TypedDict):
    """One file's fate, as the ledger stores it."""

    content_sha256: str
    source_file: str
    outcome: str  # "indexed" | "rejected"
    reason: str
    detail: str
    doc_id: str
    run_id: str
    at: str


_LEDGER_FIELDS: dict[str, Any] = {
    "content_sha256": {"type": "keyword"},
    "source_file": {"type": "keyword"},
    "outcome": {"type": "keyword"},
    "reason": {"type": "keyword"},
    "detail": {"type": "text"},
    "doc_id": {"type": "keyword"},
    "run_id": {"type": "keyword"},
    "at": {"type": "date"},
}


def ledger_key(source_file: str, content_sha256: str | None) -> str:
    """One ledger entry per (file, content): an edited file is new work, a renamed copy is checked again."""
    return hashlib.sha256(f"{source_name(source_file)}\0{content_sha256 or ''}".encode()).hexdigest()


def _ensure_small_index(client: Elasticsearch, name: str, properties: dict[str, Any], replicas: int) -> str:
    """Create a one-shard strict index unless it exists (a concurrent task may create it first: that is fine)."""
    if not client.indices.exists(index=name):
        from elasticsearch import BadRequestError

        try:
            client.indices.create(
                index=name,
                settings={"number_of_shards": 1, "number_of_replicas": replicas},
                mappings={"dynamic": "strict", "properties": properties},
            )
        except BadRequestError as exc:
            if "resource_already_exists" not in str(exc):
                raise
    return name


def ensure_ledger(client: Elasticsearch, alias: str, replicas: int = 0) -> str:
    """The ledger index of ``alias``."""
    return _ensure_small_index(client, alias + LEDGER_SUFFIX, _LEDGER_FIELDS, replicas)


def ensure_stat_cache(client: Elasticsearch, alias: str, replicas: int = 0) -> str:
    """The stat-cache index of ``alias``."""
    return _ensure_small_index(client, alias + STAT_SUFFIX, {"ledger_id": {"type": "keyword"}}, replicas)


def lookup(client: Elasticsearch, index: str, ids: Sequence[str], field: str | None = None) -> dict[str, Any]:
    """Ids present in ``index`` (with ``field`` of each when asked, else True), looked up 1000 at a time."""
    found: dict[str, Any] = {}
    for start in range(0, len(ids), LOOKUP_CHUNK):
        chunk = list(ids[start : start + LOOKUP_CHUNK])
        response = (
            client.mget(index=index, ids=chunk, source_includes=[field])
            if field
            else client.mget(index=index, ids=chunk, source=False)
        )
        for doc in response["docs"]:
            if doc.get("found"):
                found[doc["_id"]] = doc["_source"].get(field) if field else True
    return found


def forget_other_versions(client: Elasticsearch, ledger: str, current: dict[str, str]) -> None:
    """Delete the ledger entries of these files other than their current one (file -> current key).

    Why: an entry says "this file with this content is handled". Once a file holds new content, its old entry would
    make a later revert to the old content look unchanged while the index keeps the newer version (v1 -> v2 -> v1).
    Done by search + bulk delete by id (``delete_by_query`` needs the reindex module, absent on some nodes).
    """
    from elasticsearch.helpers import bulk

    if not current:
        return
    client.indices.refresh(index=ledger)
    files = list(current)
    for start in range(0, len(files), 500):
        chunk = files[start : start + 500]
        response = client.search(
            index=ledger, size=10_000, source_includes=["source_file"], query={"terms": {"source_file": chunk}}
        )
        stale = [h["_id"] for h in response["hits"]["hits"] if current.get(h["_source"]["source_file"]) != h["_id"]]
        if stale:
            bulk(client, ({"_op_type": "delete", "_index": ledger, "_id": i} for i in stale), raise_on_error=False)


def run_entries(client: Elasticsearch, alias: str, run_id: str, page: int = 5000) -> Iterator[LedgerEntry]:
    """Every ledger entry a run wrote, in pages (search_after on file and hash, which together key an entry):
    bounded memory at any run size."""
    index = alias + LEDGER_SUFFIX
    client.indices.refresh(index=index)
    after: list[Any] | None = None
    while True:
        response = client.search(
            index=index,
            size=page,
            query={"term": {"run_id": run_id}},
            sort=[{"source_file": "asc"}, {"content_sha256": "asc"}],
            search_after=after,
        )
        hits = response["hits"]["hits"]
        for hit in hits:
            yield hit["_source"]
        if len(hits) < page:
            return
        after = hits[-1]["sort"]


@contextmanager
def cache_only(doing: str) -> Iterator[None]:
    """The stat cache only saves reading files: when Elasticsearch cannot serve it (a shard lost with its node, an
    overload), the batch or plan goes on without it, and the next plan hashes what it could not remember."""
    from elasticsearch import ApiError
    from elasticsearch.helpers import BulkIndexError

    try:
        yield
    except (TransientError, BulkIndexError, ApiError) as exc:
        log.warning("stat cache unavailable while %s, going on without it: %s", doing, exc)
