"""The bodies of the ingest DAG's tasks, kept free of Airflow so they run (and are tested) anywhere.

The DAG passes only small JSON through XCom: file paths in, counts out.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from etl.enrich import warm_up
from etl.errors import ConfigurationError
from etl.inbox import is_url
from etl.pipeline import RunReport, batches, plan, process_batch, verify, write_summary
from etl.settings import Settings

log = logging.getLogger(__name__)


def _run_key(run_id: str) -> str:
    """A file-name-safe form of Airflow's run id."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in run_id)


def prepare_run(settings: Settings, run_id: str) -> dict[str, Any]:
    """Ensure the index, split the inbox into batches of new files; counts the unchanged ones."""
    from etl.index import connect, ensure_index

    client = connect(settings)
    index = ensure_index(client, settings.index_alias, settings.replicas)
    if not is_url(settings.inbox) and not Path(settings.inbox).exists():
        raise ConfigurationError(f"inbox {settings.inbox} does not exist (NEWSFACET_INBOX)")
    work = plan([settings.inbox], settings, client)
    todo = batches(work.todo, settings.batch_size)
    log.info("inbox %s: %d files, %d to process in %d batch(es), %d unchanged; writing to %s",
             settings.inbox, len(work.todo) + len(work.unchanged), len(work.todo), len(todo),
             len(work.unchanged), index)
    return {"batches": todo, "unchanged": len(work.unchanged), "index": index}


def run_batch(settings: Settings, run_id: str, batch: list[str]) -> dict[str, Any]:
    """One mapped task: process a batch and return its report (paths of rejects stay in the report).

    The report also says how long loading models and tables took (``load_s``) and the batch itself (``work_s``),
    and when this function began and ended (``began_at``, ``ended_at``, Unix seconds): the rest of the task
    instance's duration is Airflow's cost per task (``bench/airflow_bench.py``). Reports ignore these keys.
    """
    began_at = time.time()
    t0 = time.perf_counter()
    warm_up(settings)
    t1 = time.perf_counter()
    report = process_batch(batch, settings, _run_key(run_id), progress=log.info)
    t2 = time.perf_counter()
    log.info("batch of %d: %s (loading %.1f s, work %.1f s)", len(batch), report.summary(), t1 - t0, t2 - t1)
    return {**report.to_dict(), "load_s": round(t1 - t0, 3), "work_s": round(t2 - t1, 3),
            "began_at": round(began_at, 3), "ended_at": round(time.time(), 3)}


def summarize_run(settings: Settings, run_id: str, prepared: dict[str, Any],
                  reports: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts by outcome and reason for the whole run, written to ``runs/`` and the task log."""
    total = RunReport(run_id=_run_key(run_id))
    total.read = total.unchanged = int(prepared["unchanged"])
    for report in reports:
        total.merge(RunReport.from_dict(report))
    path = write_summary(settings, total)
    log.info("run summary: %s (written to %s)", total.summary(), path)
    for rejection in total.rejections:
        log.info("rejected %s %s: %s", rejection["reason"], rejection["source_file"], rejection["detail"])
    summary = total.to_dict()
    summary["summary_file"] = str(Path(path))
    return summary


def verify_run(settings: Settings, summary: dict[str, Any]) -> None:
    """Data-quality check: every id the run indexed is searchable; fails the run otherwise."""
    from etl.index import connect, refresh

    client = connect(settings)
    refresh(client, settings.index_alias)
    missing = verify(client, settings.index_alias, summary["indexed_ids"])
    if missing:
        raise RuntimeError(f"index is missing {len(missing)} of the run's documents, e.g. {missing[:5]}")
    log.info("verified: all %d indexed documents are in '%s'", len(summary["indexed_ids"]), settings.index_alias)
