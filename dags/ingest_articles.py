"""Ingest articles: new or changed files in the inbox become cleaned, enriched, indexed articles.

**Which folder and which index.** A run reads the **inbox** and writes the **alias** given in its parameters
(the trigger form shows them). Their defaults come from the environment of the Airflow components:
`NEWSFACET_INBOX` (a folder the workers can read, or an object-store URL such as `s3://bucket/inbox`) and
`NEWSFACET_INDEX` (the alias users search; versioned indices sit behind it). Quarantine notes, the archive and
run summaries go under `NEWSFACET_DATA_DIR`.

**When.** `NEWSFACET_SCHEDULE` (cron or preset): none for `make airflow`, where a run starts when you trigger
it; `@hourly` in the Docker Compose stack. Each run handles only files it has not indexed yet.

**What a run does.** **prepare** lists the inbox and asks the ledger which files it already handled (by
content hash); the rest is cut into batches of *batch size* files, each written to a manifest.
**process_batch** is mapped over the manifests: each batch is one transaction (extract, clean, language,
entities, regions, index) that ends every file indexed or rejected with a typed reason (a note under
`quarantine/<reason>/`); Elasticsearch faults are retried with backoff, bad input is not. **summarize** reads
what each file became from the ledger, writes the run's summary and puts it on the run's page (its note:
counts by outcome and reason, the quarantine notes). **verify** fails the run if the index lacks a document
the run says it wrote.

**Stale documents.** Each summary counts the documents an older pipeline version made; with the *stale*
parameter, the run also re-processes their files from the raw input (where it still exists).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import Param, dag, get_current_context, task

from dags.task_faults import no_retry_for_permanent_faults
from etl.settings import INDEX_NAME_PATTERN, Settings

SETTINGS = Settings.from_env()  # environment only: no I/O at parse time
RUN_NOTE_KEY = "run_note"
"""XCom key of the Markdown summary ``summarize`` leaves for the run's note (``dags/run_notes.py`` sets it)."""
logging.getLogger("elastic_transport").setLevel(logging.WARNING)  # one INFO line per request drowns task logs


def run_settings(params: Mapping[str, Any]) -> Settings:
    """This run's settings: the environment's, with the run's parameters (the trigger form) on top."""
    import dataclasses

    return dataclasses.replace(
        Settings.from_env(),
        inbox=str(params["inbox"]),
        index_alias=str(params["alias"]),
        batch_size=int(params["batch_size"]),
    )


@dag(
    dag_id="ingest_articles",
    schedule=SETTINGS.schedule,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={
        "retries": 3,
        "retry_delay": timedelta(seconds=20),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=10),
    },
    params={
        "inbox": Param(
            SETTINGS.inbox,
            type="string",
            title="Inbox",
            pattern=r"^(/|[A-Za-z][A-Za-z0-9+.-]*://)\S",
            description="The folder to read, as the Airflow workers see it (an absolute path), or an object-store "
            "URL (s3://bucket/inbox). Default: NEWSFACET_INBOX.",
        ),
        "alias": Param(
            SETTINGS.index_alias,
            type="string",
            title="Index alias",
            pattern=f"^{INDEX_NAME_PATTERN}$",
            description="The Elasticsearch alias to write (created with its first versioned index if new): lower "
            "case letters, digits, '.', '_', '-'. Default: NEWSFACET_INDEX.",
        ),
        "batch_size": Param(
            SETTINGS.batch_size,
            type="integer",
            title="Batch size",
            minimum=1,
            maximum=100_000,
            description="Files per mapped process_batch task (one transaction each). Default: NEWSFACET_BATCH_SIZE.",
        ),
        "stale": Param(
            False,
            type="boolean",
            title="Re-do stale documents",
            description="Also re-process the files whose document an older pipeline version made (from the raw "
            "input, where it still exists). Every summary counts the stale documents either way.",
        ),
    },
    tags=["newsfacet"],
    doc_md=__doc__,
)
def ingest_articles() -> None:
    @task
    def prepare(params: dict[str, Any] | None = None, run_id: str | None = None) -> dict[str, Any]:
        from etl.run import flow

        stale = bool((params or {}).get("stale"))
        with no_retry_for_permanent_faults():
            return flow.prepare(run_settings(params or {}), flow.run_key(run_id or "manual"), stale=stale).to_dict()

    @task
    def list_batches(prepared: dict[str, Any]) -> list[str]:
        return list(prepared["manifests"])  # Airflow maps only over a task's whole return value

    @task(max_active_tis_per_dagrun=4)
    def process_batch(manifest: str, params: dict[str, Any] | None = None, run_id: str | None = None) -> dict[str, Any]:
        from etl.run import flow

        with no_retry_for_permanent_faults():
            return flow.process(run_settings(params or {}), flow.run_key(run_id or "manual"), manifest).to_dict()

    @task(trigger_rule="none_failed")  # an inbox with nothing new skips the mapped task, not the summary
    def summarize(
        prepared: dict[str, Any], reports: list[dict[str, Any]], params: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        from etl.run import flow

        settings = run_settings(params or {})
        with no_retry_for_permanent_faults():
            counts = [reports[i] for i in range(len(reports))]  # iterating would probe one past the end (404)
            report, path = flow.summarize(settings, flow.Prepared.from_dict(prepared), counts)
        get_current_context()["ti"].xcom_push(key=RUN_NOTE_KEY, value=flow.run_note(settings, report, path))
        return {**report.counts(), "summary_file": str(path)}

    @task(retries=0)
    def verify(summary: dict[str, Any], params: dict[str, Any] | None = None) -> int:
        from etl.run import flow

        with no_retry_for_permanent_faults():
            return flow.verify(run_settings(params or {}), str(summary["run_id"]))

    # TaskFlow passes XComArgs where the task bodies declare the values they resolve to at run time.
    prepared = prepare()
    reports = process_batch.expand(manifest=list_batches(prepared))  # type: ignore[arg-type]
    verify(summarize(prepared, reports))  # type: ignore[arg-type]


ingest_articles_dag = ingest_articles()
