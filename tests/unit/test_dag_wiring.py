"""The DAG files import in isolation, without errors, and wire what we meant; etl/ never imports Airflow."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.paths import PROJECT_ROOT


def test_dagbag_has_no_import_errors() -> None:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(PROJECT_ROOT / "dags"))
    assert bag.import_errors == {}
    assert "ingest_articles" in bag.dag_ids


def test_ingest_dag_shape() -> None:
    from dags.ingest_articles import ingest_articles_dag as dag

    assert dag.catchup is False
    assert dag.max_active_runs == 1
    assert set(dag.task_ids) == {"prepare", "list_batches", "process_batch", "summarize", "verify"}
    assert dag.get_task("process_batch").retries >= 1
    assert dag.get_task("verify").retries == 0
    assert dag.get_task("process_batch").upstream_task_ids == {"list_batches"}
    assert dag.get_task("summarize").upstream_task_ids == {"prepare", "process_batch"}


def test_dag_module_imports_nothing_heavy_at_parse_time() -> None:
    code = (
        "import sys; import dags.ingest_articles; "
        "heavy = [m for m in ('spacy', 'elasticsearch', 'bs4', 'trafilatura', 'langdetect') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_etl_never_imports_airflow() -> None:
    for path in Path(PROJECT_ROOT / "etl").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            )
            assert not any(n == "airflow" or n.startswith("airflow.") for n in names), path


def _api_error(status: int) -> Exception:
    from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig
    from elasticsearch import ApiError

    meta = ApiResponseMeta(
        status=status,
        http_version="1.1",
        headers=HttpHeaders(),
        duration=0.0,
        node=NodeConfig("http", "localhost", 9200),
    )
    return ApiError(f"status {status}", meta=meta, body={})


def test_permanent_faults_fail_the_task_without_retries() -> None:
    import pytest
    from airflow.sdk.exceptions import AirflowFailException

    from dags.task_faults import no_retry_for_permanent_faults
    from etl.errors import ConfigurationError, TransientError

    for permanent in (
        ConfigurationError("mapping v1 cannot take v2: run newsfacet reindex"),
        _api_error(401),
        _api_error(403),
    ):
        with pytest.raises(AirflowFailException, match="not retried") as failed, no_retry_for_permanent_faults():
            raise permanent
        assert failed.value.__cause__ is permanent
    for retried in (TransientError("node down"), _api_error(503), RuntimeError("a bug"), OSError("disk")):
        with pytest.raises(type(retried)), no_retry_for_permanent_faults():
            raise retried


def test_knowledge_is_an_asset_that_schedules_relink() -> None:
    from dags.relink_articles import KNOWLEDGE, relink_articles_dag, watch_knowledge_dag

    assert set(watch_knowledge_dag.task_ids) == {"detect_change"}
    detect = watch_knowledge_dag.get_task("detect_change")
    assert KNOWLEDGE in detect.outlets and KNOWLEDGE in detect.inlets
    assert set(relink_articles_dag.task_ids) == {"relink", "verify"}
    assert relink_articles_dag.max_active_runs == 1
    assert list(relink_articles_dag.timetable.asset_condition.objects) == [KNOWLEDGE]
    assert relink_articles_dag.get_task("verify").upstream_task_ids == {"relink"}
    assert set(relink_articles_dag.params) == {"alias", "dry_run", "full"}


def test_ingest_dag_takes_a_stale_param() -> None:
    from dags.ingest_articles import ingest_articles_dag as dag

    assert dag.params["stale"] is False


def test_relink_dag_module_imports_nothing_heavy_at_parse_time() -> None:
    code = (
        "import sys; import dags.relink_articles; "
        "heavy = [m for m in ('spacy', 'elasticsearch', 'bs4', 'trafilatura', 'langdetect') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
