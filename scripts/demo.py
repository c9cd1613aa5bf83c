"""`make demo`: run the Airflow DAG ``ingest_articles`` over ``seeds/`` (in-process, ``dag.test()``), then search.

Prints the run summary and a faceted search: the seed article found under region Fezzan and actor Haftar
(asked for as "Hifter"), with facet counts for regions, countries, actors and language.

Quiet by default: Airflow's and the tasks' INFO logs (a hundred lines per run) stay out unless ``--verbose``
(``make demo V=1``); errors always show.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
import warnings

from etl.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the ingest DAG over the inbox, then search.")
    parser.add_argument("--verbose", action="store_true", help="Airflow's and the tasks' logs too")
    verbose = parser.parse_args(argv).verbose
    if not verbose:  # before Airflow is imported: it configures its logging at import
        os.environ["AIRFLOW__LOGGING__LOGGING_LEVEL"] = "ERROR"
        warnings.simplefilter("ignore", DeprecationWarning)
    settings = Settings.from_env()
    logging.basicConfig(level=logging.INFO if verbose else logging.ERROR)
    print(f"== ingest_articles over {settings.inbox} -> {settings.elasticsearch_url} (alias '{settings.index_alias}')")
    print("   prepare -> process_batch -> summarize -> verify (Airflow's dag.test(); logs: make demo V=1)", flush=True)
    started = time.monotonic()
    from dags.ingest_articles import ingest_articles_dag

    dag_run = ingest_articles_dag.test()
    state = str(getattr(dag_run, "state", "unknown"))
    print(f"== DAG run {getattr(dag_run, 'run_id', '?')}: {state} in {time.monotonic() - started:.1f} s")
    if "success" not in state:
        return 1
    summaries = sorted(settings.runs_dir.glob("*.json"), key=lambda p: p.stat().st_mtime)
    if summaries:
        from etl.run.report import RunReport

        report = RunReport.from_dict(json.loads(summaries[-1].read_text(encoding="utf-8")))
        print(f"== summary: {report.summary()}")
        for rejection in report.rejections:
            print(f"   rejected {rejection['reason']:<14} {rejection['source_file']}: {rejection['detail']}")

    from etl.search import SearchQuery, format_result, resolve_filters, search
    from etl.store.client import connect

    client = connect(settings)
    for title, query in (
        ("region Fezzan, actor 'Hifter'", SearchQuery(regions=("Fezzan",), actors=("Hifter",))),
        ("full text 'migrant flow', actor 'LNA'", SearchQuery(text="migrant flow", actors=("LNA",))),
        ("everything (facets over the whole index)", SearchQuery(size=5)),
    ):
        print(f"\n== newsfacet search: {title}")
        print(format_result(search(client, settings.index_alias, resolve_filters(query))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
