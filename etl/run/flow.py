"""The one run path, for the CLI and the ingest DAG alike: prepare, process each batch, summarize, verify.

``newsfacet run`` calls ``run``, which chains the four; the DAG calls each as a task (``process`` mapped over the
batches). Only small values travel between them (Airflow keeps them in its database as XCom): ``prepare`` writes
each batch's file list to a manifest under ``runs/<run id>/`` and hands on the manifests' paths; ``process`` returns
counts; ``summarize`` and ``verify`` read what each file became from the ledger, by run id.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from etl.display import printable
from etl.enrich import warm_up
from etl.errors import ConfigurationError, IncompleteRun, RejectReason
from etl.inbox import is_url
from etl.run.batch import process_batch
from etl.run.planning import batches, count_stale, plan, with_stale
from etl.run.report import RunReport
from etl.settings import Settings
from etl.store.client import connect, es_faults
from etl.store.files import write_atomic, write_summary
from etl.store.indices import ensure_index, refresh
from etl.store.ledger import lookup, run_entries

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


def new_run_id() -> str:
    """Sortable and unique: UTC time plus a random suffix."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def run_key(run_id: str) -> str:
    """A file-name-safe form of a run id (Airflow's contain ``:`` and ``+``)."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in run_id)


@dataclass(frozen=True)
class Prepared:
    """What ``prepare`` found: the index written to, how many files are new or unchanged, the batch manifests."""

    run_id: str
    index: str
    locations: list[str]
    files: int
    unchanged: int
    manifests: list[str]
    stale: int = 0  # documents an older pipeline made, when the run was planned
    stale_todo: int = 0  # files re-processed for that (``stale=True``)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Prepared:
        return cls(**data)


@dataclass(frozen=True)
class BatchResult:
    """A processed batch: its counts, and how long loading models and the work itself took (for the Airflow bench:
    the rest of a task's duration is Airflow's own cost)."""

    report: RunReport
    load_s: float
    work_s: float
    began_at: float
    ended_at: float

    def to_dict(self) -> dict[str, Any]:
        """Counts and timings only: what a mapped task hands on through XCom."""
        return {
            **self.report.counts(),
            "load_s": round(self.load_s, 3),
            "work_s": round(self.work_s, 3),
            "began_at": round(self.began_at, 3),
            "ended_at": round(self.ended_at, 3),
        }


def prepare(
    settings: Settings,
    run_id: str,
    paths: Sequence[Path | str] = (),
    client: Elasticsearch | None = None,
    stale: bool = False,
) -> Prepared:
    """Ensure the index, plan the inbox (or ``paths``), and write one manifest per batch of new files.

    ``stale``: also re-process the unchanged files whose document an older pipeline made (the run --stale)."""
    locations = [str(p) for p in paths] or [settings.inbox]
    for location in locations:
        if not is_url(location) and not Path(location).exists():
            raise ConfigurationError(f"{location} does not exist (the inbox is NEWSFACET_INBOX, or give paths)")
    client = client or connect(settings)
    index = ensure_index(client, settings.index_alias, settings.replicas)
    work = plan(locations, settings, client)
    stale_count, stale_todo = count_stale(client, settings.index_alias), 0
    if stale and stale_count:
        work, stale_todo = with_stale(work, client, settings)
    folder = settings.runs_dir / run_id
    manifests = []
    for number, batch in enumerate(batches(work.todo, settings.batch_size), start=1):
        manifest = folder / f"batch-{number:05d}.json"
        # ASCII escapes keep undecodable names (lone surrogates) intact
        write_atomic(manifest, json.dumps({"roots": locations, "files": batch}))
        manifests.append(str(manifest))
    log.info(
        "%s: %d files, %d to process in %d batch(es), %d unchanged; writing to %s",
        ", ".join(locations),
        len(work.todo) + len(work.unchanged),
        len(work.todo),
        len(manifests),
        len(work.unchanged),
        index,
    )
    return Prepared(
        run_id=run_id,
        index=index,
        locations=locations,
        files=len(work.todo) + len(work.unchanged),
        unchanged=len(work.unchanged),
        manifests=manifests,
        stale=stale_count,
        stale_todo=stale_todo,
    )


def process(
    settings: Settings,
    run_id: str,
    manifest: str,
    client: Elasticsearch | None = None,
    progress: Progress | None = None,
) -> BatchResult:
    """One batch: load models and tables (timed apart), then the batch transaction."""
    began_at = time.time()
    t0 = time.perf_counter()
    warm_up(settings)
    t1 = time.perf_counter()
    work = json.loads(Path(manifest).read_text(encoding="utf-8"))
    paths = work["files"]
    report = process_batch(paths, settings, run_id, client, progress=progress or log.info, roots=work["roots"])
    t2 = time.perf_counter()
    log.info(
        "batch of %d: %s (loading %.1f s, work %.1f s)", len(paths), report.summary(with_stale=False), t1 - t0, t2 - t1
    )
    return BatchResult(report=report, load_s=t1 - t0, work_s=t2 - t1, began_at=began_at, ended_at=time.time())


def summarize(
    settings: Settings, prepared: Prepared, batch_counts: Sequence[dict[str, Any]], client: Elasticsearch | None = None
) -> tuple[RunReport, Path]:
    """The run's counts (from the batches) and rejections (from the ledger), written to ``runs/<run id>.json``."""
    client = client or connect(settings)
    total = RunReport(
        run_id=prepared.run_id,
        read=prepared.unchanged,
        unchanged=prepared.unchanged,
        stale=prepared.stale,
        stale_redone=prepared.stale_todo,
    )
    for counts in batch_counts:
        total.merge(RunReport.from_dict({**counts, "rejections": []}))
    total.suggestions = _suggestions(settings, client)
    with es_faults("reading the run's ledger entries"):
        total.rejections = [
            {"source_file": e["source_file"], "reason": e["reason"], "detail": e["detail"]}
            for e in run_entries(client, settings.index_alias, prepared.run_id)
            if e["outcome"] == "rejected"
        ]
    path = write_summary(settings, prepared.run_id, total.to_dict())
    log.info("run summary: %s (written to %s)", total.summary(), path)
    for rejection in total.rejections:
        log.info(
            "rejected %s %s: %s",
            rejection["reason"],
            printable(rejection["source_file"]),
            printable(rejection["detail"]),
        )
    return total, path


LOST = frozenset({RejectReason.INDEX_REJECTED.value, RejectReason.PROCESSING_ERROR.value})
"""Rejections that are not about the input: an article Elasticsearch refused, or one a stage failed on (a bug)."""


def verify(settings: Settings, run_id: str, client: Elasticsearch | None = None) -> int:
    """Data-quality check: every document the ledger says this run indexed is in the index, and no article was lost
    to the index (refused by Elasticsearch or failed by a stage); returns how many were indexed.

    Raises ``IncompleteRun`` listing what was lost, so the CLI ends non-zero and the DAG's run fails.
    """
    client = client or connect(settings)
    with es_faults("verifying the run"):
        refresh(client, settings.index_alias)
        entries = list(run_entries(client, settings.index_alias, run_id))
        ids = [e["doc_id"] for e in entries if e["outcome"] == "indexed"]
        present = lookup(client, settings.index_alias, ids)
    missing = [doc_id for doc_id in ids if doc_id not in present]
    lost = [e for e in entries if e["outcome"] == "rejected" and e["reason"] in LOST]
    problems = []
    if missing:
        problems.append(
            f"the index '{settings.index_alias}' lacks {len(missing)} of the {len(ids)} documents the "
            f"run indexed, e.g. {missing[:5]}"
        )
    if lost:
        listed = "; ".join(f"{e['source_file']} ({e['reason']}: {e['detail'][:120]})" for e in lost[:10])
        problems.append(f"{len(lost)} article(s) lost to the index: {printable(listed)}")
    if problems:
        raise IncompleteRun(f"run {run_id}: " + "; ".join(problems), missing + [e["source_file"] for e in lost])
    log.info("verified: all %d documents run %s indexed are in '%s'", len(ids), run_id, settings.index_alias)
    return len(ids)


def _suggestions(settings: Settings, client: Elasticsearch) -> list[dict[str, Any]]:
    """The top 20 of ``newsfacet kb suggest`` (names, types, document counts) for the summary: best effort, a
    failure costs the list, never the run."""
    from etl.knowledge.suggest import uncovered

    try:
        refresh(client, settings.index_alias)
        return [s.to_dict() for s in uncovered(client, settings.index_alias, limit=20)]
    except Exception as exc:  # a hint for curators must not fail an ingest
        log.warning("could not list knowledge-base suggestions: %s", exc)
        return []


def run(
    paths: Sequence[Path | str],
    settings: Settings,
    progress: Progress | None = None,
    client: Elasticsearch | None = None,
    stale: bool = False,
) -> RunReport:
    """One full pass without Airflow (``newsfacet run``): prepare, each batch, summarize, verify.

    ``stale``: also re-process files whose document an older pipeline made."""
    say = progress or (lambda _msg: None)
    client = client or connect(settings)
    prepared = prepare(settings, new_run_id(), paths, client, stale=stale)
    say(
        f"inbox: {prepared.files} files, {prepared.files - prepared.unchanged} to process, "
        f"{prepared.unchanged} unchanged"
    )
    counts = []
    for number, manifest in enumerate(prepared.manifests, start=1):
        result = process(settings, prepared.run_id, manifest, client, progress=say)
        counts.append(result.report.counts())
        say(f"batch {number}/{len(prepared.manifests)}: {result.report.summary(with_stale=False)}")
    report, _ = summarize(settings, prepared, counts, client)
    try:
        verify(settings, prepared.run_id, client)
    except IncompleteRun as exc:
        exc.report = report  # the caller still shows the summary, then the failure
        raise
    return report


NOTE_LIMIT = 900
"""Characters of a run's summary note: Airflow keeps a DAG run's note in a VARCHAR(1000), and the listener that
sets it (``dags/run_notes.py``) may add a prefix and a line saying which task failed."""


def run_note(settings: Settings, report: RunReport, summary_path: Path, limit: int = NOTE_LIMIT) -> str:
    """The run's summary as Markdown for the page a person looks at (the Airflow run's note): counts by outcome
    and reason, then each rejected file with its quarantine note, as many as fit in ``limit`` characters (the rest
    are in the summary file, whose path ends the note)."""
    from etl.store.files import safe_name

    reasons = ", ".join(f"{reason} {count}" for reason, count in sorted(report.rejected.items()))
    share = f"{report.with_region / report.indexed:.0%}" if report.indexed else "n/a"
    head = [
        f"**read {report.read} · indexed {report.indexed} · unchanged {report.unchanged} · "
        f"rejected {report.rejected_total}**{f' ({reasons})' if reasons else ''}",
        f"entities {report.entities} · with a region {share}",
        f"inbox `{settings.inbox}` → alias `{settings.index_alias}`",
    ]
    if report.analysis_fallback:
        head.append(f"WARNING analyzers replaced by standard: {', '.join(report.analysis_fallback)}")
    tail = f"all of it: `{summary_path}`"
    lines = ["  \n".join(head)]  # Markdown: hard line breaks inside the first paragraph, blank lines between parts
    if report.rejections:
        lines += ["", f"rejected files (notes under `{settings.quarantine_dir}/`):"]
    for shown, rejection in enumerate(report.rejections):
        note = f"{rejection['reason']}/{safe_name(rejection['source_file'])}.json"
        line = f"- `{note}`: {rejection['detail']}"
        more = len(report.rejections) - shown
        if len("\n".join([*lines, line, f"- … {more} more", "", tail])) > limit:
            lines.append(f"- … {more} more")
            break
        lines.append(line)
    text = "\n".join([*lines, "", tail])
    return text if len(text) <= limit else text[: limit - 1] + "…"
