"""Reindex articles: rebuild the index from the archive of clean records and swap the alias atomically.

Run it by hand after a mapping change (bump `mapping_version`), or to recover an index. **build** creates a new
versioned index and bulk-loads the archive (`var/archive`, latest document per source file); **check** refuses
the swap if the counts disagree (new == archive, and not fewer than the alias serves unless
`NEWSFACET_REINDEX_ALLOW_SHRINK`), a terms aggregation on `regions` finds nothing, or the ingest wrote to the
old index meanwhile, and then deletes the candidate; **swap** moves the alias in one atomic `update_aliases`
(searches never see an empty index); **prune** keeps `NEWSFACET_KEEP_INDICES` indices (current + previous for
`newsfacet reindex --rollback`) and deletes older ones.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import dag, task

from dags.task_faults import no_retry_for_permanent_faults
from etl.settings import Settings


@dag(
    dag_id="reindex_articles",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(seconds=30), "retry_exponential_backoff": True},
    tags=["newsfacet"],
    doc_md=__doc__,
)
def reindex_articles() -> None:
    @task
    def build() -> dict[str, Any]:
        from etl.store.reindex import build

        with no_retry_for_permanent_faults():
            return build(Settings.from_env()).to_dict()

    @task(retries=0)  # a failed check deletes the candidate: retrying it cannot help
    def check(built: dict[str, Any]) -> dict[str, int]:
        from etl.store.reindex import BuildResult, check

        with no_retry_for_permanent_faults():
            return check(Settings.from_env(), BuildResult.from_dict(built))

    @task
    def swap(built: dict[str, Any], checked: dict[str, int]) -> list[str]:
        from etl.store.reindex import swap

        with no_retry_for_permanent_faults():
            return swap(Settings.from_env(), str(built["index"]))

    @task
    def prune(previous: list[str]) -> list[str]:
        from etl.store.reindex import prune

        with no_retry_for_permanent_faults():
            return prune(Settings.from_env())

    # TaskFlow passes XComArgs where the task bodies declare the values they resolve to at run time.
    built = build()
    prune(swap(built, check(built)))  # type: ignore[arg-type]


reindex_articles_dag = reindex_articles()
