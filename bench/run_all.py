"""Every benchmark in one command, each figure printed beside its goal at the end.

Why: the lead re-runs the final figures on a quiet machine with one command (``make bench``); ``--quick`` checks
the harness end to end in a few minutes at small sizes (figures then only show that everything runs).

Runs: extraction_eval and geo_eval (quality and speed on the public sets in ``../shared``), entities_bench,
pipeline_bench, incremental_bench, search_bench, airflow_bench (Airflow's overhead per mapped task, on a real
scheduler) and relink_bench (relink beside first ingest on one corpus, and ``relink --dry-run`` at 100k documents).
A bench that fails is reported and the others still run; the exit status is 1 if any failed.

Usage: ``python -m bench.run_all [--quick] [--only pipeline,search,airflow,relink] [--workdir DIR]``.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.common import DEFAULT_WORKDIR, Figure, load_average

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Sizes:
    """How much each bench does (None / 0: the whole public set)."""

    extraction: int | None
    geo: int
    entities: int
    pipeline: int
    incremental: tuple[int, ...]
    search_docs: int
    search_queries: int
    airflow_batch: int  # files per mapped task; the inbox holds two batches
    relink: int  # corpus ingested, then relinked
    relink_scale: int  # documents of the relink --dry-run


FULL = Sizes(
    extraction=None,
    geo=0,
    entities=200,
    pipeline=1000,
    incremental=(10_000, 100_000),
    search_docs=100_000,
    search_queries=500,
    airflow_batch=1000,
    relink=1000,
    relink_scale=100_000,
)
QUICK = Sizes(
    extraction=20,
    geo=20,
    entities=40,
    pipeline=120,
    incremental=(1000, 10_000),
    search_docs=5000,
    search_queries=100,
    airflow_batch=150,
    relink=120,
    relink_scale=5000,
)


def _extraction(limit: int | None) -> list[Figure]:
    from bench.extraction_eval import _print_table, eval_scrapinghub, eval_trafilatura_dev, shared_dir

    if not shared_dir().is_dir():
        raise FileNotFoundError(f"shared data not found at {shared_dir()} (set NEWSFACET_SHARED_DIR)")
    figures = []
    for name, scores in (("Scrapinghub", eval_scrapinghub(limit)), ("trafilatura-dev", eval_trafilatura_dev(limit))):
        _print_table(f"{name} (P/R/F1; see bench/extraction_eval.py)", scores)
        ours, theirs = scores["ours"], scores["trafilatura"]
        figures += [
            Figure(f"extraction F1 {name}, ours", ours.f1, "", f">= trafilatura {theirs.f1:.3f}", ours.f1 >= theirs.f1),
            Figure(f"extraction ms/page {name}, ours", ours.ms_mean, "ms", f"(trafilatura {theirs.ms_mean:.1f})"),
        ]
    return figures


def _script(name: str, args: list[str], patterns: dict[str, tuple[str, str]]) -> list[Figure]:
    """Run a bench script, pass its output through, and pick figures out of it by regex (name -> (regex, unit))."""
    module = "bench." + name.removesuffix(".py")
    proc = subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, check=False, cwd=ROOT)
    print(proc.stdout, end="")
    if proc.returncode != 0:
        raise RuntimeError(f"{name} exited {proc.returncode}: {proc.stderr.strip()[-800:]}")
    figures = []
    for label, (pattern, unit) in patterns.items():
        m = re.search(pattern, proc.stdout)
        if m:
            figures.append(Figure(label, float(m.group(1)), unit))
    return figures


def _geo(limit: int) -> list[Figure]:
    pattern = r"resolve_locations: ([\d.]+) docs/s"
    return _script(
        "geo_eval.py",
        ["--limit", str(limit)] if limit else [],
        {"geoparsing resolve_locations docs/s": (pattern, "docs/s")},
    )


def _entities(n: int) -> list[Figure]:
    figures = _script(
        "entities_bench.py",
        [str(n)],
        {
            "entities: spaCy ner-only docs/s (1 process)": (r"spaCy ner only \(nlp.pipe\) :\s+([\d.]+)", "docs/s"),
            "entities: extract_entities docs/s (1 process)": (r"extract_entities\s+:\s+([\d.]+)", "docs/s"),
            "entities: peak RSS": (r"peak RSS (\d+) MB", "MB"),
        },
    )
    if len(figures) >= 2:
        figures.append(Figure("entities: extract_entities / ner-only", figures[1].value / figures[0].value, "x"))
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes: checks the harness, not the goals")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated subset: extraction,geo,entities,pipeline,incremental,search,airflow,relink",
    )
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR, help="corpora and scratch files")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    from bench import airflow_bench, incremental_bench, pipeline_bench, relink_bench, search_bench

    benches: dict[str, Callable[[], list[Figure]]] = {
        "extraction": lambda: _extraction(sizes.extraction),
        "geo": lambda: _geo(sizes.geo),
        "entities": lambda: _entities(sizes.entities),
        "pipeline": lambda: pipeline_bench.run(n=sizes.pipeline, workdir=args.workdir),
        "incremental": lambda: incremental_bench.run(sizes.incremental, args.workdir),
        "search": lambda: search_bench.run(docs=sizes.search_docs, queries=sizes.search_queries, workdir=args.workdir),
        "airflow": lambda: airflow_bench.run(batch_size=sizes.airflow_batch, workdir=args.workdir),
        "relink": lambda: relink_bench.run(n=sizes.relink, scale=sizes.relink_scale, workdir=args.workdir),
    }
    chosen = [b for b in args.only.split(",") if b] or list(benches)
    started = datetime.now(UTC)
    print(f"run_all {'--quick ' if args.quick else ''}at {started:%Y-%m-%d %H:%M} UTC; {load_average()}")
    results: dict[str, list[Figure] | str] = {}
    for name in chosen:
        print(f"\n######## {name} ########", flush=True)
        t0 = time.perf_counter()
        try:
            results[name] = benches[name]()
        except Exception as exc:
            traceback.print_exc()
            results[name] = f"FAILED: {type(exc).__name__}: {exc}"
        print(f"({name}: {time.perf_counter() - t0:.0f}s)", flush=True)

    print(f"\n======== summary ({'quick sizes' if args.quick else 'full sizes'}; {load_average()}) ========")
    print(f"  {'figure':<44} {'value':>12} {'unit':<10} {'goal':<18} verdict")
    for name, outcome in results.items():
        print(f"[{name}]")
        if isinstance(outcome, str):
            print(f"  {outcome}")
            continue
        for figure in outcome:
            print(figure.line())
    return 1 if any(isinstance(o, str) for o in results.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
