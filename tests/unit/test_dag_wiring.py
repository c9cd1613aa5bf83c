"""The DAG files import in isolation, without errors, and wire what we meant; etl/ never imports Airflow."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from etl.settings import PROJECT_ROOT


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
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n == "airflow" or n.startswith("airflow.") for n in names), path
