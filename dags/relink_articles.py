"""Relink articles: when the knowledge changes, bring the indexed articles to it without re-running NER.

The knowledge (the shipped knowledge base and gazetteer, plus your files in `NEWSFACET_KB_DIR`) is the Airflow
asset `newsfacet_knowledge`. **watch_knowledge** (every `NEWSFACET_KB_WATCH_SCHEDULE`) hashes the knowledge files;
when their versions differ from the last event's, it checks them (`newsfacet kb check`: a broken file fails the
task, with file and line) and records an asset event carrying the new versions. That event schedules
**relink_articles**: **relink** re-derives, from their archived NER spans, the documents the change can touch,
writes the changed ones by id and re-stamps the others (`etl.run.relink`); **verify** fails the run if a document is
still stale. Trigger `relink_articles` by hand with `dry_run` to see what would change per actor and region, or
with another `alias` (an event relinks `NEWSFACET_INDEX`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import Asset, Param, dag, task

from dags.task_faults import no_retry_for_permanent_faults
from etl.settings import INDEX_NAME_PATTERN, Settings

SETTINGS = Settings.from_env()  # environment only: no I/O at parse time
KNOWLEDGE = Asset(name="newsfacet_knowledge", uri="newsfacet://knowledge")
DIFF_IN_XCOM = 50  # actors and regions per direction kept in the run's XCom (the whole diff is in the task log)


@dag(
    dag_id="watch_knowledge",
    schedule=SETTINGS.knowledge_watch_schedule,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["newsfacet"],
    doc_md=__doc__,
)
def watch_knowledge() -> None:
    @task(inlets=[KNOWLEDGE], outlets=[KNOWLEDGE])
    def detect_change(*, inlet_events: Any = None, outlet_events: Any = None) -> dict[str, str]:
        from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

        from etl.knowledge.loader import check_knowledge, current_versions

        settings = Settings.from_env()
        kb_version, gazetteer_version = current_versions(settings)
        versions = {"kb_version": kb_version, "gazetteer_version": gazetteer_version}
        last = list(inlet_events[KNOWLEDGE].ascending(False).limit(1))
        if last and {k: last[0].extra.get(k) for k in versions} == versions:
            raise AirflowSkipException(f"knowledge unchanged ({kb_version}/{gazetteer_version})")
        problems, _ = check_knowledge(settings)
        if problems:
            raise AirflowFailException(
                "the knowledge files have problems (`newsfacet kb check`): " + "; ".join(problems[:20])
            )
        outlet_events[KNOWLEDGE].extra = versions
        return versions

    detect_change()


@dag(
    dag_id="relink_articles",
    schedule=[KNOWLEDGE],
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(seconds=30), "retry_exponential_backoff": True},
    params={
        "alias": Param(
            SETTINGS.index_alias,
            type="string",
            title="Index alias",
            pattern=f"^{INDEX_NAME_PATTERN}$",
            description="The alias whose documents to relink (each alias has its own archive). Default: "
            "NEWSFACET_INDEX.",
        ),
        "dry_run": Param(
            False,
            type="boolean",
            title="Dry run",
            description="Report what would change per actor and region; write nothing.",
        ),
        "full": Param(
            False,
            type="boolean",
            title="Re-derive all",
            description="Re-derive every stale document, not only those the knowledge change can touch.",
        ),
    },
    tags=["newsfacet"],
    doc_md=__doc__,
)
def relink_articles() -> None:
    @task
    def relink(params: dict[str, Any] | None = None) -> dict[str, Any]:
        import dataclasses

        from etl.run.relink import relink

        options = params or {}
        settings = Settings.from_env()
        settings = dataclasses.replace(settings, index_alias=str(options.get("alias") or settings.index_alias))
        with no_retry_for_permanent_faults():
            report = relink(
                settings, dry_run=bool(options.get("dry_run")), full=bool(options.get("full")), progress=print
            )
        for line in [report.summary(), *report.diff_lines(limit=1000)]:
            print(line)
        data = report.to_dict()
        for name in ("actors_gained", "actors_lost", "regions_gained", "regions_lost"):
            data[name] = dict(list(data[name].items())[:DIFF_IN_XCOM])
        return data

    @task(retries=0)
    def verify(report: dict[str, Any]) -> int:
        from airflow.sdk.exceptions import AirflowFailException

        if report["remaining"] or report["refused"]:
            raise AirflowFailException(
                f"{report['remaining']} document(s) still stale, {report['refused']} refused "
                "after the relink: see the relink task's log"
            )
        return int(report["stale"])

    # TaskFlow passes XComArgs where the task bodies declare the values they resolve to at run time.
    verify(relink())  # type: ignore[arg-type]


watch_knowledge_dag = watch_knowledge()
relink_articles_dag = relink_articles()
