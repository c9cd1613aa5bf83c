"""A real Airflow (api-server, scheduler, dag-processor; LocalExecutor on SQLite) runs ``ingest_articles``.

Unlike ``test_dag_run`` (``dag.test()`` in one process) this goes through what production uses: the DAG
processor parses the folder, the REST API (v2) unpauses and triggers, the scheduler queues, LocalExecutor
workers run the tasks through the Execution API. Then a headless Chromium opens the run's page in the React UI
and the screenshot is kept under ``var/test-artefacts/``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from devtools.airflow_stack import AirflowStack, airflow_env, free_port, stop_groups
from etl.settings import Settings
from tests.paths import PROJECT_ROOT, SEEDS

pytestmark = pytest.mark.integration

DAG_ID = "ingest_articles"
START_TIMEOUT = 180.0  # api-server healthy, scheduler and dag-processor heart-beating, DAG parsed
RUN_TIMEOUT = 300.0  # the triggered run reaches a final state
ARTEFACTS = PROJECT_ROOT / "var" / "test-artefacts"
COMPONENTS = ("api-server", "scheduler", "dag-processor")  # no triggerer: no deferrable task here


@dataclass
class Airflow(AirflowStack):
    """The LocalExecutor stack, plus the environment its components were started with."""

    env: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def airflow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Airflow]:
    """Airflow in a temporary home, pointed at the project's dags/ and a throw-away alias, inbox and data dir."""
    from etl.store.client import connect

    root = tmp_path_factory.mktemp("airflow-stack")
    home, inbox = root / "airflow", root / "inbox"
    home.mkdir()
    shutil.copytree(SEEDS, inbox)
    port = free_port(8795)
    url = f"http://127.0.0.1:{port}"
    newsfacet = {"NEWSFACET_INDEX": f"nf-airflow-{uuid.uuid4().hex[:8]}", "NEWSFACET_DATA_DIR": str(root / "var"),
                 "NEWSFACET_INBOX": str(inbox), "NEWSFACET_SCHEDULE": "none"}
    env = airflow_env(home, port, newsfacet, "LocalExecutor", 4)  # Airflow 3 runs it on SQLite
    airflow_bin = str(Path(sys.executable).with_name("airflow"))
    migrate = subprocess.run([airflow_bin, "db", "migrate"], env=env, capture_output=True, text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stdout[-2000:] + migrate.stderr[-3000:]

    stack = Airflow(url=url, home=home, settings=Settings.from_env(env), env=env)
    try:
        for name in COMPONENTS:
            with open(home / f"{name}.log", "wb") as log:  # the child keeps its own descriptor
                stack.procs[name] = subprocess.Popen([airflow_bin, name], env=env, stdout=log,
                                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                                     start_new_session=True, cwd=root)

        started = time.monotonic()
        stack.wait_healthy(START_TIMEOUT)
        print(f"\nairflow up at {url} in {time.monotonic() - started:.0f}s (home {home})")
        yield stack
    finally:
        stop_groups(stack.procs.values())
        client = connect(stack.settings)
        names = list(client.indices.get(index=f"{stack.settings.index_alias}*", expand_wildcards="all"))
        if names:
            client.indices.delete(index=",".join(names))
        client.close()


@dataclass
class FinishedRun:
    run_id: str
    state: str
    summary: dict[str, Any]
    seconds: float


def _run_dag(airflow: Airflow, dag_id: str, summary_task: str) -> FinishedRun:
    """Wait for the DAG to be parsed, unpause and trigger it over REST, poll the run to a final state."""
    airflow.unpause_when_parsed(dag_id, START_TIMEOUT)
    final, seconds = airflow.trigger_and_wait(dag_id, "newsfacet integration test", RUN_TIMEOUT, every=2.0)
    run_id = str(final["dag_run_id"])
    if final["state"] != "success":
        pytest.fail(f"run {run_id} of {dag_id} ended {final['state']}\n{_task_logs(airflow, dag_id, run_id)}")
    xcom = airflow.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{summary_task}/xcomEntries/"
                              "return_value")
    value = xcom["value"]
    summary = json.loads(value) if isinstance(value, str) else value
    print(f"{dag_id} run {run_id}: {final['state']} in {seconds:.0f}s")
    return FinishedRun(run_id=run_id, state=str(final["state"]), summary=summary, seconds=seconds)


@pytest.fixture(scope="module")
def ingest_run(airflow: Airflow) -> FinishedRun:
    """One scheduled run of the ingest DAG over the seeds, shared by the API and browser checks."""
    return _run_dag(airflow, DAG_ID, "summarize")


def _task_log(airflow: Airflow, dag_id: str, run_id: str, task_id: str, map_index: int, try_number: int) -> str:
    """One attempt's log as text, through the REST API (structured lines: their ``event`` field)."""
    path = (f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/logs/{try_number}"
            f"?map_index={map_index}")
    try:
        log = airflow.api("GET", path)
    except Exception as exc:  # the log is a diagnostic: never hide the failure behind it
        return f"(log unavailable: {exc})"
    content = log.get("content", log) if isinstance(log, dict) else log
    if not isinstance(content, list):
        return str(content)
    return "\n".join(str(c.get("event", c)) if isinstance(c, dict) else str(c) for c in content)


def _task_logs(airflow: Airflow, dag_id: str, run_id: str) -> str:
    """Every task instance's state, and the log of each attempt of those that did not succeed."""
    out: list[str] = []
    tis = airflow.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances?limit=100")
    for ti in tis.get("task_instances", []):
        map_index, tries = int(ti.get("map_index", -1)), int(ti.get("try_number") or 0)
        out.append(f"--- {ti['task_id']}[{map_index}]: {ti['state']} after {tries} tries")
        if ti["state"] not in ("success", "skipped"):
            out.extend(_task_log(airflow, dag_id, run_id, ti["task_id"], map_index, n)[-4000:]
                       for n in range(1, tries + 1))
    out.append(f"--- scheduler\n{airflow.log_tail('scheduler', 40)}")
    return "\n".join(out)


def test_scheduler_runs_ingest_and_indexes_the_seeds(airflow: Airflow, ingest_run: FinishedRun) -> None:
    from etl.run.flow import run_key
    from etl.store.client import connect
    from etl.store.ledger import run_entries

    summary = ingest_run.summary
    assert len(json.dumps(summary)) < 2000, "XCom carries counts, not lists of files or ids"
    files = [p for p in Path(airflow.settings.inbox).rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert summary["read"] == len(files)
    assert summary["indexed"] + summary["unchanged"] + summary["rejected_total"] == summary["read"]
    written = json.loads(Path(summary["summary_file"]).read_text())
    assert written["indexed"] == summary["indexed"]

    client = connect(airflow.settings)
    try:
        client.indices.refresh(index=airflow.settings.index_alias)
        count = client.count(index=airflow.settings.index_alias)["count"]
        assert count == summary["indexed"] >= 3
        entries = list(run_entries(client, airflow.settings.index_alias, run_key(ingest_run.run_id)))
        assert len(entries) == summary["indexed"] + summary["rejected_total"]  # the ledger knows every file's fate
        ids = [e["doc_id"] for e in entries if e["outcome"] == "indexed"]
        found = client.mget(index=airflow.settings.index_alias, ids=ids, source=False)
        assert len(ids) == count and all(d["found"] for d in found["docs"])
    finally:
        client.close()

    tis = airflow.api("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{ingest_run.run_id}/taskInstances?limit=100")
    states = {(t["task_id"], t.get("map_index", -1)): t["state"] for t in tis["task_instances"]}
    assert {task for task, _ in states} == {"prepare", "list_batches", "process_batch", "summarize", "verify"}
    assert set(states.values()) == {"success"}, states


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    pytest.fail("no Chromium: `apt-get install -y chromium` (.ci/run does it when run as root)")


def _browse(airflow: Airflow, url: str, *flags: str) -> subprocess.CompletedProcess[str]:
    profile = airflow.home / f"chromium-{uuid.uuid4().hex[:6]}"
    command = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
               "--hide-scrollbars", f"--user-data-dir={profile}", "--window-size=1400,1000",
               "--virtual-time-budget=15000", *flags, url]
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=90, start_new_session=True)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def test_browser_shows_the_dag_and_its_run(airflow: Airflow, ingest_run: FinishedRun) -> None:
    page = f"{airflow.url}/dags/{DAG_ID}/runs/{ingest_run.run_id}"
    dom = _browse(airflow, page, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / "airflow-dag.html").write_text(dom.stdout)
    assert DAG_ID in dom.stdout, dom.stdout[:2000]
    assert ingest_run.run_id in dom.stdout, dom.stdout[:2000]
    assert "success" in dom.stdout.lower(), dom.stdout[:2000]
    text = [t.strip() for t in re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", "\n", dom.stdout,
                                      flags=re.S).splitlines() if t.strip()]
    print(f"\nthe browser saw: {' | '.join(text[:60])}")

    shot = ARTEFACTS / "airflow-dag.png"
    shot.unlink(missing_ok=True)
    result = _browse(airflow, page, f"--screenshot={shot}")
    assert result.returncode == 0 and shot.exists() and shot.stat().st_size > 10_000, result.stderr[-2000:]
    print(f"\nscreenshot of {page}: {shot}")


def test_scheduler_runs_reindex_and_swaps_the_alias(airflow: Airflow, ingest_run: FinishedRun) -> None:
    from etl.store.client import connect
    from etl.store.reindex import family, serving

    client = connect(airflow.settings)
    alias = airflow.settings.index_alias
    try:
        [before] = serving(client, alias)
        run = _run_dag(airflow, "reindex_articles", "build")
        assert serving(client, alias) == [run.summary["index"]] != [before]
        assert family(client, alias) == [before, run.summary["index"]]  # the previous one kept for rollback
        assert client.count(index=alias)["count"] == ingest_run.summary["indexed"] == run.summary["loaded"]
    finally:
        client.close()
