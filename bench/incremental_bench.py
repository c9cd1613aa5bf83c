"""Cost of a second run over an unchanged inbox: ``etl.run.planning.plan`` split into listing, hashing and lookups.

Why (issue 6): an hourly DAG re-plans the whole inbox every run; once the inbox holds 100k files, the time to learn
that nothing changed is paid every hour. ``plan`` lists every file, hashes every byte of every file (the ledger key
is the content hash) and asks the ledger for each key (``mget`` by 1000), so this prints each part separately and
how the cost per file moves from one corpus size to the next.

Setup per size: the synthetic corpus (``bench/corpus.py``) and a throwaway alias whose ledger records every file as
indexed, written directly with ``etl.store.bulk.bulk_upsert_raw`` and ``etl.store.ledger.ledger_key`` (the same keys a
real run writes; running the full pipeline on 100k articles would take hours). Then the split is timed with the same
calls ``plan`` makes, and ``plan`` itself end to end, which must find every file unchanged. The page cache is warm (the
files were just written and hashed): a cold cache adds the disk reads on top.

Three plans are timed: the first (hashes everything), one with the ledger's stat cache only (the local plan
snapshot removed), and one with the snapshot (stats only, no Elasticsearch call).

Usage: ``python -m bench.incremental_bench [--sizes 10000,100000]``.
"""

from __future__ import annotations

import argparse
import itertools
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bench.common import DEFAULT_WORKDIR, Figure, bench_settings, drop_alias, load_average, print_figures
from bench.corpus import CorpusSpec, write_corpus

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

ROOT = Path(__file__).resolve().parent.parent

LEDGER_CHUNK = 5000  # entries per bulk_upsert_raw call: bounds the parent's memory at 100k files


def _record_ledger(client: Elasticsearch, ledger: str, files: list[str], max_bytes: int) -> float:
    """Write an "indexed" ledger entry for every file, as a finished run would; returns seconds taken."""
    from etl.inbox import content_sha256
    from etl.store.bulk import bulk_upsert_raw
    from etl.store.ledger import ledger_key

    t0 = time.perf_counter()
    now = datetime.now(UTC).isoformat(timespec="seconds")
    for start in range(0, len(files), LEDGER_CHUNK):
        items = []
        for path in files[start : start + LEDGER_CHUNK]:
            sha = content_sha256(path, max_bytes)
            items.append(
                (
                    ledger_key(path, sha),
                    {
                        "content_sha256": sha,
                        "source_file": path,
                        "outcome": "indexed",
                        "reason": "",
                        "detail": "",
                        "doc_id": (sha or "")[:32],
                        "run_id": "bench",
                        "at": now,
                    },
                )
            )
        bulk_upsert_raw(client, ledger, items)
    client.indices.refresh(index=ledger)
    return time.perf_counter() - t0


def measure(n: int, workdir: Path, seed: int = 7) -> dict[str, float]:
    """Seconds for listing, hashing, ledger lookups and a whole ``plan`` over an unchanged inbox of n files."""
    from etl.inbox import content_sha256
    from etl.run.planning import _snapshot_path, list_inbox, plan
    from etl.store.client import connect
    from etl.store.indices import ensure_index
    from etl.store.ledger import ensure_ledger, ledger_key

    corpus = workdir / f"corpus-{n}-s{seed}"
    t0 = time.perf_counter()
    write_corpus(corpus, CorpusSpec(n=n, seed=seed))
    corpus_s = time.perf_counter() - t0
    settings = bench_settings(workdir / "var")
    client = connect(settings)
    try:
        ensure_index(client, settings.index_alias)
        ledger = ensure_ledger(client, settings.index_alias)
        files = list_inbox([corpus])
        size = sum(Path(f).stat().st_size for f in files)
        record_s = _record_ledger(client, ledger, files, settings.max_file_bytes)
        print(
            f"  {n} files ({size / 1e6:.0f} MB, corpus ready in {corpus_s:.1f}s), ledger of {n} entries written "
            f"in {record_s:.1f}s; {load_average()}"
        )

        # The split: the same calls, in the same order, as etl.run.planning.plan.
        t0 = time.perf_counter()
        files = list_inbox([corpus])
        t1 = time.perf_counter()
        keys = {f: ledger_key(f, sha) for f in files if (sha := content_sha256(f, settings.max_file_bytes))}
        t2 = time.perf_counter()
        known: set[str] = set()
        ids = sorted(set(keys.values()))
        ledger = ensure_ledger(client, settings.index_alias)
        for start in range(0, len(ids), 1000):
            response = client.mget(index=ledger, ids=ids[start : start + 1000], source=False)
            known.update(doc["_id"] for doc in response["docs"] if doc.get("found"))
        t3 = time.perf_counter()
        if len(known) != n:
            raise AssertionError(f"ledger knows {len(known)} of {n} files")

        def timed_plan(kind: str) -> float:
            """Seconds for one whole ``plan``, which must find every file unchanged."""
            t0 = time.perf_counter()
            result = plan([corpus], settings, client)
            seconds = time.perf_counter() - t0
            if result.todo or len(result.unchanged) != n:
                raise AssertionError(f"{kind} plan found {len(result.todo)} files to do over an unchanged inbox")
            return seconds

        first_s = timed_plan("first")
        # That plan hashed every file once (the ledger was written directly, as by an older version),
        # remembered each file's size + mtime in the ledger's stat cache and wrote the local plan snapshot.
        # Without the snapshot (lost data dir, another machine) a plan stats the files and confirms them in
        # two lookup rounds; with it, it stats them and asks Elasticsearch nothing.
        _snapshot_path(settings).unlink()
        cached_s = timed_plan("stat-cache")
        snapshot_s = timed_plan("snapshot")
    finally:
        drop_alias(client, settings.index_alias)
        client.close()
        _snapshot_path(settings).unlink(missing_ok=True)
    return {
        "files": n,
        "bytes": size,
        "listing": t1 - t0,
        "hashing": t2 - t1,
        "lookups": t3 - t2,
        "plan": first_s,
        "plan_cached": cached_s,
        "plan_snapshot": snapshot_s,
    }


def run(sizes: tuple[int, ...] = (10_000, 100_000), workdir: Path = DEFAULT_WORKDIR, seed: int = 7) -> list[Figure]:
    """Measure each size, print the split and the growth; returns the figures."""
    print(f"incremental_bench: second plan over an unchanged inbox, sizes {sizes}; {load_average()}")
    rows = [measure(n, workdir, seed) for n in sizes]
    print(
        f"  {'files':>8} {'listing s':>10} {'hashing s':>10} {'(MB/s)':>8} {'lookups s':>10} {'split sum':>10} "
        f"{'plan() s':>9} {'µs/file':>8} {'stat-cached s':>14} {'µs/file':>8} {'snapshot s':>11} "
        f"{'µs/file':>8}"
    )
    for r in rows:
        split = r["listing"] + r["hashing"] + r["lookups"]
        print(
            f"  {int(r['files']):>8} {r['listing']:>10.2f} {r['hashing']:>10.2f} "
            f"{r['bytes'] / 1e6 / r['hashing']:>8.0f} {r['lookups']:>10.2f} {split:>10.2f} {r['plan']:>9.2f} "
            f"{r['plan'] / r['files'] * 1e6:>8.0f} {r['plan_cached']:>14.2f} "
            f"{r['plan_cached'] / r['files'] * 1e6:>8.0f} {r['plan_snapshot']:>11.2f} "
            f"{r['plan_snapshot'] / r['files'] * 1e6:>8.0f}"
        )
    for a, b in itertools.pairwise(rows):
        for key, label in (("plan", "first plan"), ("plan_snapshot", "snapshot plan")):
            growth = (b[key] / a[key]) / (b["files"] / a["files"])
            print(
                f"  {int(a['files'])} -> {int(b['files'])} files: {label} time x{b[key] / a[key]:.1f} for "
                f"x{b['files'] / a['files']:.0f} files (per-file cost x{growth:.2f}; listing alone "
                f"x{b['listing'] / a['listing']:.1f})"
            )
    figures: list[Figure] = []
    for r in rows:
        n = int(r["files"])
        figures += [
            Figure(f"plan() unchanged inbox, {n} files (snapshot)", r["plan_snapshot"], "s"),
            Figure(f"plan() unchanged inbox, {n} files (stat cache)", r["plan_cached"], "s"),
            Figure(f"plan() unchanged inbox, {n} files (first: hashes all)", r["plan"], "s"),
            Figure(f"  listing ({n})", r["listing"], "s"),
            Figure(f"  hashing ({n})", r["hashing"], "s"),
            Figure(f"  ledger lookups ({n})", r["lookups"], "s"),
        ]
    print_figures(f"incremental_bench ({load_average()})", figures)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated corpus sizes")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    args = parser.parse_args()
    run(tuple(int(s) for s in args.sizes.split(",")), args.workdir, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
