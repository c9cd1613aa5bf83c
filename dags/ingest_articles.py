"""Ingest articles: new or changed files in the inbox become cleaned, enriched, indexed articles.

**prepare** lists the inbox and asks the ledger which files it already handled (by content hash); the rest is
cut into batches of `NEWSFACET_BATCH_SIZE` files, each written to a manifest. **process_batch** is mapped over the
manifests: each batch is one transaction (extract, clean, language, entities, regions, index) that ends every file
indexed or rejected with a typed reason (notes under `var/quarantine/`); Elasticsearch faults are retried with
backoff, bad input is not. **summarize** reads what each file became from the ledger and writes the run's summary;
**verify** fails the run if the index lacks a document the run says it wrote.

Param `stale`: also re-process the files whose document an older pipeline version made (from the raw input, where
it still exists); every summary says how many documents are stale.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import Param, dag, task

from dags.task_faults import no_retry_for_permanent_faults
from etl.settings import Settings

SETTINGS = Settings.from_env()  # environment only: no I/O at parse time


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
    tags=["newsfacet"],
    doc_md=__doc__,
    params={"stale": Param(False, type="boolean",
                           description="also re-process files whose document an older pipeline version made")},
)
def ingest_articles() -> None:
    @task
    def prepare(run_id: str | None = None, params: dict[str, Any] | None = None) -> dict[str, Any]:
        from etl.run import flow

        stale = bool((params or {}).get("stale"))
        with no_retry_for_permanent_faults():
            return flow.prepare(Settings.from_env(), flow.run_key(run_id or "manual"), stale=stale).to_dict()

    @task
    def list_batches(prepared: dict[str, Any]) -> list[str]:
        return list(prepared["manifests"])  # Airflow maps only over a task's whole return value

    @task(max_active_tis_per_dagrun=4)
    def process_batch(manifest: str, run_id: str | None = None) -> dict[str, Any]:
        from etl.run import flow

        with no_retry_for_permanent_faults():
            return flow.process(Settings.from_env(), flow.run_key(run_id or "manual"), manifest).to_dict()

    @task(trigger_rule="none_failed")  # an inbox with nothing new skips the mapped task, not the summary
    def summarize(prepared: dict[str, Any], reports: list[dict[str, Any]]) -> dict[str, Any]:
        from etl.run import flow

        with no_retry_for_permanent_faults():
            report, path = flow.summarize(Settings.from_env(), flow.Prepared.from_dict(prepared), list(reports))
            return {**report.counts(), "summary_file": str(path)}

    @task(retries=0)
    def verify(summary: dict[str, Any]) -> int:
        from etl.run import flow

        with no_retry_for_permanent_faults():
            return flow.verify(Settings.from_env(), str(summary["run_id"]))

    # TaskFlow passes XComArgs where the task bodies declare the values they resolve to at run time.
    prepared = prepare()
    reports = process_batch.expand(manifest=list_batches(prepared))  # type: ignore[arg-type]
    verify(summarize(prepared, reports))  # type: ignore[arg-type]


ingest_articles_dag = ingest_articles()
