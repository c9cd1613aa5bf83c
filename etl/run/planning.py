"""Planning a run: which inbox files are new work, and which the ledger already handled, reading as little as possible.

Three ways to know a file is unchanged, cheapest first:

1. the local snapshot (``var/plan/<alias>.json``): name + size + mtime of every file the last plan found handled,
   tied to the ledger index's uuid, so an unchanged inbox of 100k files is planned without one Elasticsearch call;
2. the stat cache: the same key remembered in Elasticsearch, confirmed by a ledger lookup, no read;
3. hashing: the content hash looked up in the ledger, so a touched-but-identical file is still unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from etl.inbox import content_sha256, list_files, outside_roots, source_key, stat_key
from etl.settings import PIPELINE_VERSION, Settings
from etl.store.bulk import bulk_upsert_raw
from etl.store.client import es_faults
from etl.store.files import read_json, safe_name, write_atomic
from etl.store.indices import index_uuid
from etl.store.ledger import cache_only, ensure_ledger, ensure_stat_cache, ledger_key, lookup

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch


@dataclass(frozen=True)
class Plan:
    """Which inbox files a run must process, and which it can skip (already handled, same content)."""

    todo: list[str]
    unchanged: list[str]


def list_inbox(paths: Sequence[Path | str], follow_links: bool = False) -> list[str]:
    """Every entry under the given files, folders or object-store URLs, each once; hidden names are skipped."""
    return list_files([str(p) for p in paths], follow_links)


def batches(items: Sequence[str], size: int) -> list[list[str]]:
    """Fixed-size batches, in order: the unit of work of one mapped Airflow task."""
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def plan(paths: Sequence[Path | str], settings: Settings, client: Elasticsearch) -> Plan:
    """Split the inbox into files to process and files the ledger already has (see the module docstring)."""
    files = list_inbox(paths, settings.follow_links)
    roots = [str(p) for p in paths]
    names = {f: source_key(f, settings.inbox) for f in files if settings.follow_links or not outside_roots(f, roots)}
    stats = {f: k for f in files if f in names and (k := stat_key(f, names[f]))}
    with es_faults("reading the ledger"):
        ledger = ensure_ledger(client, settings.index_alias, settings.replicas)
        stat_cache = ensure_stat_cache(client, settings.index_alias, settings.replicas)
        ledger_id = index_uuid(client, ledger)
    snapshot = _load_snapshot(settings, ledger_id)
    keys: dict[str, str] = {f: snapshot[k] for f, k in stats.items() if k in snapshot}
    from_snapshot = set(keys.values())
    rest = [f for f in files if f not in keys]
    known = _known_from_ledger(client, ledger, stat_cache, rest, stats, names, keys, settings.max_file_bytes)
    known |= from_snapshot
    todo = [f for f in files if keys.get(f) not in known]
    unchanged = [f for f in files if keys.get(f) in known]
    handled = {stats[f]: keys[f] for f in unchanged if f in stats}
    if handled != snapshot:
        _save_snapshot(settings, ledger_id, handled)
    return Plan(todo=todo, unchanged=unchanged)


def _known_from_ledger(
    client: Elasticsearch,
    ledger: str,
    stat_cache: str,
    rest: Sequence[str],
    stats: dict[str, str],
    names: dict[str, str],
    keys: dict[str, str],
    max_bytes: int,
) -> set[str]:
    """Ledger keys of ``rest`` that the ledger holds; fills ``keys`` for them (by stat cache, else by hashing) and
    remembers the stats of newly confirmed files in the stat cache."""
    cached: dict[str, Any] = {}
    with cache_only("reading the stat cache"), es_faults("reading the stat cache"):
        cached = lookup(client, stat_cache, sorted({stats[f] for f in rest if f in stats}), "ledger_id")
    with es_faults("reading the ledger"):
        confirmed = lookup(client, ledger, sorted({str(v) for v in cached.values()}))
    for f in rest:
        via_stat = cached.get(stats.get(f, ""))
        if via_stat is not None and via_stat in confirmed:
            keys[f] = str(via_stat)
        elif f in names and (sha := content_sha256(f, max_bytes)):  # a link out of the inbox is never read
            keys[f] = ledger_key(names[f], sha)
    with es_faults("reading the ledger"):
        missing = sorted({keys[f] for f in rest if f in keys and keys[f] not in confirmed})
        known = set(confirmed) | set(lookup(client, ledger, missing))
    remember = [
        (stats[f], {"ledger_id": keys[f]})
        for f in rest
        if f in stats and keys.get(f) in known and cached.get(stats[f]) != keys[f]
    ]
    with cache_only("updating the stat cache"):
        bulk_upsert_raw(client, stat_cache, remember)
    return known


def _snapshot_path(settings: Settings) -> Path:
    return settings.data_dir / "plan" / f"{safe_name(settings.index_alias)}.json"


def _load_snapshot(settings: Settings, ledger_id: str) -> dict[str, str]:
    """Stat key -> ledger key of every file the last plan found handled, if it was made against this very ledger.

    Why it is safe to trust: a ledger entry is deleted only when its file got a newer one, which a plan saw first
    as a change (name, size or mtime) and so dropped from this snapshot; "handled" thus stays true while the ledger
    index is the same one (its uuid; a recreated ledger invalidates the snapshot). A lost or unreadable snapshot only
    costs the lookups it saves. It lives under ``NEWSFACET_DATA_DIR``, beside the archive and quarantine.
    """
    data = read_json(_snapshot_path(settings))
    entries = data.get("entries") if isinstance(data, dict) and data.get("ledger_uuid") == ledger_id else None
    return {str(k): str(v) for k, v in entries.items()} if isinstance(entries, dict) else {}


def _save_snapshot(settings: Settings, ledger_id: str, entries: dict[str, str]) -> None:
    write_atomic(
        _snapshot_path(settings), json.dumps({"ledger_uuid": ledger_id, "entries": entries}, separators=(",", ":"))
    )


# -- stale documents: made by an older pipeline ------------------------------------------------------------------------


def _version_key(version: str) -> tuple[int, ...]:
    """ "0.10.1" -> (0, 10, 1); a version that is not dotted numbers sorts as the oldest."""
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return ()


def _not_current() -> dict[str, Any]:
    return {"bool": {"must_not": [{"term": {"pipeline_version": PIPELINE_VERSION}}]}}


def count_stale(client: Elasticsearch, alias: str) -> int:
    """Documents the alias serves that another pipeline version made (one count: cheap at any size)."""
    with es_faults("counting stale documents"):
        return int(client.count(index=alias, query=_not_current())["count"])


def stale_sources(client: Elasticsearch, alias: str) -> set[str]:
    """The source files whose document was made by an older pipeline version (a newer one is left alone: this
    code would only undo what it did)."""
    current = _version_key(PIPELINE_VERSION)
    found: set[str] = set()
    after: list[Any] | None = None
    with es_faults("listing stale documents"):
        while True:
            response = client.search(
                index=alias,
                query=_not_current(),
                size=5000,
                sort=[{"doc_id": "asc"}],
                search_after=after,
                source_includes=["source_file", "pipeline_version"],
            )
            hits = response["hits"]["hits"]
            found.update(
                str(h["_source"].get("source_file"))
                for h in hits
                if _version_key(str(h["_source"].get("pipeline_version") or "")) < current
            )
            if len(hits) < 5000:
                return found
            after = hits[-1]["sort"]


def with_stale(work: Plan, client: Elasticsearch, settings: Settings) -> tuple[Plan, int]:
    """The plan with every unchanged file whose document is stale moved to the work (re-processed from the raw
    input, which must still be there); returns it and how many files moved."""
    stale = stale_sources(client, settings.index_alias)
    redo = [f for f in work.unchanged if source_key(f, settings.inbox) in stale]
    if not redo:
        return work, 0
    moved = set(redo)
    return Plan(todo=sorted([*work.todo, *redo]), unchanged=[f for f in work.unchanged if f not in moved]), len(redo)
