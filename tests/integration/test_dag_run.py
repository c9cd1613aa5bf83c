"""A real Airflow run of ``ingest_articles`` (``dag.test()``, Airflow's own DB) into the real node."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from etl.settings import Settings
from tests.paths import PROJECT_ROOT, SEEDS

pytestmark = pytest.mark.integration


def _dag_test() -> str:
    """``dag.test()`` in a fresh interpreter, as ``airflow dags test`` would: Airflow forks task processes,
    and forking a test process that already runs other libraries' threads can deadlock."""
    import os
    import subprocess
    import sys

    code = (
        "from dags.ingest_articles import ingest_articles_dag as dag; "
        "run = dag.test(); print('STATE=' + str(run.state))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=600,
        env=dict(os.environ),
        cwd=PROJECT_ROOT,
    )
    states = [line[6:] for line in out.stdout.splitlines() if line.startswith("STATE=")]
    assert states, out.stdout[-3000:] + out.stderr[-3000:]
    return states[-1].split(".")[-1].lower()


@pytest.fixture(scope="module", autouse=True)
def airflow_db() -> None:
    """Airflow's own metadata database, migrated (idempotent, a few seconds)."""
    import os
    import subprocess
    import sys

    Path(os.environ["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True)


def test_dag_test_indexes_the_seeds(
    settings: Settings, es: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(SEEDS, inbox)
    monkeypatch.setenv("NEWSFACET_INDEX", settings.index_alias)
    monkeypatch.setenv("NEWSFACET_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("NEWSFACET_INBOX", str(inbox))
    monkeypatch.setenv("NEWSFACET_BATCH_SIZE", "3")  # several mapped batches even for a small inbox

    assert _dag_test() == "success"
    summaries = list(settings.runs_dir.glob("*.json"))
    assert len(summaries) == 1
    summary = json.loads(summaries[0].read_text())
    files = [p for p in inbox.rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert summary["read"] == len(files)
    assert summary["indexed"] + summary["unchanged"] + summary["rejected_total"] == summary["read"]
    es.indices.refresh(index=settings.index_alias)
    assert es.count(index=settings.index_alias)["count"] == summary["indexed"] >= 3

    assert _dag_test() == "success"
    latest = max(settings.runs_dir.glob("*.json"), key=lambda p: p.stat().st_mtime)
    rerun = json.loads(latest.read_text())
    assert rerun["run_id"] != summary["run_id"], rerun
    assert rerun["indexed"] == 0 and rerun["unchanged"] == summary["read"], rerun
