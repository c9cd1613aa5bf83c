"""A real Airflow (api-server, scheduler, dag-processor; LocalExecutor on SQLite) runs ``ingest_articles``.

Unlike ``test_dag_run`` (``dag.test()`` in one process) this goes through what production uses: the DAG
processor parses the folder, the REST API (v2) unpauses and triggers, the scheduler queues, LocalExecutor
workers run the tasks through the Execution API. Then a headless Chromium does what an analyst does in the React
UI: opens a run's page, fills the trigger form with another inbox and alias, triggers, and reads the run's summary
on its page (the note ``dags/run_notes.py`` writes). Screenshots are kept under ``var/test-artefacts/``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from devtools.airflow_stack import AirflowStack, airflow_env, free_port, stop_groups
from devtools.browser import Browser
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
    extra_aliases: list[str] = field(default_factory=list)
    """Aliases runs were pointed at through the trigger form: their indices go with the stack."""


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
    newsfacet = {
        "NEWSFACET_INDEX": f"nf-airflow-{uuid.uuid4().hex[:8]}",
        "NEWSFACET_DATA_DIR": str(root / "var"),
        "NEWSFACET_INBOX": str(inbox),
        "NEWSFACET_SCHEDULE": "none",
        "NEWSFACET_KB_DIR": str(root / "kb"),
        "NEWSFACET_KB_WATCH_SCHEDULE": "none",
    }  # kb: the relink test
    (root / "kb").mkdir()
    env = airflow_env(home, port, newsfacet, "LocalExecutor", 4)  # Airflow 3 runs it on SQLite
    airflow_bin = str(Path(sys.executable).with_name("airflow"))
    migrate = subprocess.run([airflow_bin, "db", "migrate"], env=env, capture_output=True, text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stdout[-2000:] + migrate.stderr[-3000:]

    stack = Airflow(url=url, home=home, settings=Settings.from_env(env), env=env)
    try:
        stack.start(COMPONENTS, airflow_bin, env, cwd=root)

        started = time.monotonic()
        stack.wait_healthy(START_TIMEOUT)
        print(f"\nairflow up at {url} in {time.monotonic() - started:.0f}s (home {home})")
        yield stack
    finally:
        stop_groups(stack.procs.values())
        client = connect(stack.settings)
        for alias in [stack.settings.index_alias, *stack.extra_aliases]:
            names = list(client.indices.get(index=f"{alias}*", expand_wildcards="all"))
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
    xcom = airflow.api(
        "GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{summary_task}/xcomEntries/return_value"
    )
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
    path = f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/logs/{try_number}?map_index={map_index}"
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
            out.extend(
                _task_log(airflow, dag_id, run_id, ti["task_id"], map_index, n)[-4000:] for n in range(1, tries + 1)
            )
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


def test_browser_shows_the_dag_and_its_run(airflow: Airflow, ingest_run: FinishedRun) -> None:
    page = f"{airflow.url}/dags/{DAG_ID}/runs/{ingest_run.run_id}"
    with Browser() as browser:
        browser.goto(page)
        seen = browser.wait(
            "the run page",
            f"document.body.innerText.includes({json.dumps(ingest_run.run_id)}) && "
            "document.body.innerText.includes('Success') && document.body.innerText",
        )
        assert DAG_ID in seen
        assert "newsfacet: read" in seen, "the run's summary (its note) is on its page"
        browser.wait("the task instances", r"/\d+ Task Instances/.test(document.body.innerText)")
        shot = browser.screenshot(ARTEFACTS / "airflow-dag.png")
    assert shot.stat().st_size > 10_000
    print(f"\nscreenshot of {page}: {shot}")


def _trigger_with(airflow: Airflow, conf: dict[str, Any]) -> int:
    """POST a run with ``conf`` as its params; the HTTP status (the params' schema answers 400 on bad values)."""
    try:
        airflow.api("POST", f"/api/v2/dags/{DAG_ID}/dagRuns", {"logical_date": None, "conf": conf})
    except urllib.error.HTTPError as exc:
        return exc.code
    return 200


def test_the_run_parameters_are_validated(airflow: Airflow, ingest_run: FinishedRun) -> None:
    dag = airflow.api("GET", f"/api/v2/dags/{DAG_ID}/details")
    params = dag["params"]
    assert set(params) == {"inbox", "alias", "batch_size", "stale"}
    assert all(p["description"] and p["schema"].get("title") for p in params.values()), params
    assert params["inbox"]["value"] == airflow.settings.inbox  # the default is NEWSFACET_INBOX
    assert "NEWSFACET_INBOX" in dag["doc_md"] and "NEWSFACET_INDEX" in dag["doc_md"]
    assert dag["timetable_summary"] in (None, "None"), "locally the DAG runs only when triggered"
    for bad in ({"inbox": "seeds"}, {"alias": "Articles"}, {"alias": "a b"}, {"batch_size": 0}):
        assert _trigger_with(airflow, bad) == 400, bad


def _wait_for_run(airflow: Airflow, run_id: str) -> dict[str, Any]:
    """Poll a run of the ingest DAG to a final state; the run as the API describes it."""

    def finished() -> dict[str, Any] | None:
        run: dict[str, Any] = airflow.api("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{urllib.parse.quote(run_id)}")
        return run if run["state"] in ("success", "failed") else None

    final: dict[str, Any] = airflow.wait(f"run {run_id} to finish", finished, RUN_TIMEOUT, every=2.0)
    return final


def _fill(browser: Browser, element_id: str, text: str) -> None:
    """Type into a form field as a person would: focus it, select what is there, type over it."""
    browser.evaluate(
        f"(() => {{ const e = document.getElementById({json.dumps(element_id)}); e.focus(); e.select(); "
        "return true; })()"
    )
    browser.call("Input.insertText", text=text)
    value = browser.evaluate(f"document.getElementById({json.dumps(element_id)}).value")
    assert value == text, f"{element_id} holds {value!r}"


def test_a_run_triggered_from_the_form_with_a_custom_inbox_shows_its_summary(
    airflow: Airflow, ingest_run: FinishedRun, tmp_path: Path
) -> None:
    """An analyst opens the DAG, triggers it with another folder and alias, and reads the outcome on the run page."""
    from etl.store.client import connect

    inbox = tmp_path / "custom-inbox"
    inbox.mkdir()
    for name in (
        "rfi-2018-11-13-haftar-boycotts-palermo.txt",
        "rfi-2018-11-13-haftar-boycotts-palermo_saved-again.txt",
        "failed-download.html",
    ):
        shutil.copy(SEEDS / name, inbox / name)
    alias = f"nf-airflow-form-{uuid.uuid4().hex[:6]}"
    airflow.extra_aliases.append(alias)

    with Browser() as browser:
        browser.goto(f"{airflow.url}/dags/{DAG_ID}")
        trigger = "[...document.querySelectorAll('button')].find(b => b.getAttribute('aria-label') === 'Trigger Dag')"
        browser.wait("the Trigger button", f"!!{trigger}")
        browser.evaluate(f"{trigger}.click()")
        browser.wait("the trigger form", "!!document.getElementById('element_inbox')")
        form = browser.text()
        for shown in ("Inbox", "Index alias", "Batch size", "NEWSFACET_INBOX", "NEWSFACET_INDEX"):
            assert shown in form, f"the trigger form does not show {shown!r}"
        _fill(browser, "element_inbox", str(inbox))
        _fill(browser, "element_alias", alias)
        browser.screenshot(ARTEFACTS / "airflow-trigger-form.png")
        browser.evaluate(
            "[...document.querySelectorAll('[role=dialog] button')].find(b => b.innerText.trim() === 'Trigger').click()"
        )
        path = browser.wait("the new run's page", "location.pathname.includes('/runs/') && location.pathname")
        run_id = urllib.parse.unquote(str(path).rsplit("/runs/", 1)[1])

        final = _wait_for_run(airflow, run_id)
        if final["state"] != "success":
            pytest.fail(f"run {run_id} ended {final['state']}\n{_task_logs(airflow, DAG_ID, run_id)}")
        assert final["conf"] == {
            "inbox": str(inbox),
            "alias": alias,
            "batch_size": airflow.settings.batch_size,
            "stale": False,
        }

        browser.goto(f"{airflow.url}/dags/{DAG_ID}/runs/{run_id}")  # a finished run's page, as a person reopens it
        headline = browser.wait(
            "the summary on the run page",
            "[...document.querySelectorAll('p')].map(p => p.innerText).find(t => t.includes('newsfacet: read'))",
        )
        assert "read 3 · indexed 1 · unchanged 0 · rejected 2" in headline and "duplicate 1, empty 1" in headline
        browser.evaluate("document.querySelector('button[aria-label=\"Edit note\"]').click()")  # the whole note
        note = browser.wait(
            "the whole note",
            "[...document.querySelectorAll('[role=dialog]')].map(d => d.innerText)"
            ".find(t => t.includes('Dag Run Note'))",
        )
        browser.wait(
            "the note's dialog to finish opening",
            "document.getAnimations().every(a => "
            "a.playState !== 'running' || a.effect.getTiming().iterations === Infinity)",
        )  # not spinners
        shot = browser.screenshot(ARTEFACTS / "airflow-run-summary.png")
    for expected in (
        str(inbox),
        alias,
        "empty/failed-download.html.",
        "duplicate/rfi-2018-11-13-haftar-boycotts-pa",
        str(airflow.settings.quarantine_dir),
    ):
        assert expected in note, f"{expected!r} missing from the note:\n{note}"
    assert final["note"].startswith("**newsfacet: read 3 · indexed 1")
    client = connect(airflow.settings)
    try:
        client.indices.refresh(index=alias)
        assert client.count(index=alias)["count"] == 1
    finally:
        client.close()
    print(f"\nrun {run_id} from the form: {shot}\n{final['note']}")


def test_a_failed_run_says_where_it_failed_on_its_page(airflow: Airflow, ingest_run: FinishedRun) -> None:
    missing = f"/nonexistent/inbox-{uuid.uuid4().hex[:6]}"
    run = airflow.api(
        "POST",
        f"/api/v2/dags/{DAG_ID}/dagRuns",
        {"logical_date": None, "conf": {"inbox": missing}, "note": "tried another folder"},
    )
    final = _wait_for_run(airflow, str(run["dag_run_id"]))
    assert final["state"] == "failed"
    assert final["note"].startswith("**newsfacet: run failed** at prepare"), final["note"]
    assert final["note"].endswith("tried another folder"), "what the person wrote is kept"


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


def test_a_knowledge_change_triggers_relink_through_the_asset(airflow: Airflow, ingest_run: FinishedRun) -> None:
    """Issue 14 through the scheduler: an article is indexed, the analyst saves an actor with a new alias in
    NEWSFACET_KB_DIR, ``watch_knowledge`` sees the change and records an event of the ``newsfacet_knowledge``
    asset, the scheduler runs ``relink_articles`` for it, and the article is found by the new alias."""
    from etl.knowledge.loader import current_versions
    from tests.integration.test_relink import ANALYST_ACTOR, ARTICLES, KIKLI

    shutil.copy(ARTICLES / KIKLI, Path(airflow.settings.inbox) / KIKLI)
    _run_dag(airflow, DAG_ID, "summarize")  # indexed before the change
    search = [sys.executable, "-m", "etl", "search", "--actor", "Gheniwa"]
    before = subprocess.run(search, env=airflow.env, capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT)
    assert before.returncode == 0 and before.stdout.startswith("0 article(s)"), before.stdout + before.stderr

    assert airflow.settings.kb_dir is not None
    (airflow.settings.kb_dir / "actors_mine.jsonl").write_text(json.dumps(ANALYST_ACTOR) + "\n", encoding="utf-8")
    airflow.unpause_when_parsed("relink_articles", START_TIMEOUT)
    watch = _run_dag(airflow, "watch_knowledge", "detect_change")
    kb_version, gazetteer_version = current_versions(airflow.settings)  # the new versions, in the event
    assert watch.summary == {"kb_version": kb_version, "gazetteer_version": gazetteer_version}

    def relinked() -> dict[str, Any] | None:
        runs = airflow.api("GET", "/api/v2/dags/relink_articles/dagRuns")["dag_runs"]
        done = [r for r in runs if r["run_type"] == "asset_triggered" and r["state"] in ("success", "failed")]
        return done[-1] if done else None

    run = airflow.wait("the asset-triggered relink_articles run", relinked, RUN_TIMEOUT, every=2.0)
    if run["state"] != "success":
        logs = _task_logs(airflow, "relink_articles", run["dag_run_id"])
        pytest.fail(f"relink_articles ended {run['state']}\n{logs}")
    xcom = airflow.api(
        "GET", f"/api/v2/dags/relink_articles/dagRuns/{run['dag_run_id']}/taskInstances/relink/xcomEntries/return_value"
    )
    report = json.loads(xcom["value"]) if isinstance(xcom["value"], str) else xcom["value"]
    assert report["actors_gained"].get(ANALYST_ACTOR["name"]) == 1 and report["remaining"] == 0, report
    # (asked once the run has started: Airflow 3.3's events endpoint fails while a run it created is queued)
    assets = airflow.api("GET", "/api/v2/assets?name_pattern=newsfacet_knowledge")["assets"]
    [asset] = [a for a in assets if a["name"] == "newsfacet_knowledge"]
    events = airflow.api("GET", f"/api/v2/assets/events?asset_id={asset['id']}")["asset_events"]
    assert events and events[-1]["extra"]["kb_version"] == watch.summary["kb_version"]
    created = [r.get("run_id") or r.get("dag_run_id") for r in events[-1]["created_dagruns"]]
    assert created == [run["dag_run_id"]]

    after = subprocess.run(search, env=airflow.env, capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT)
    assert after.returncode == 0 and after.stdout.startswith("1 article(s)"), after.stdout + after.stderr
    assert "Clashes in Tripoli" in after.stdout

    with Browser() as browser:  # the UI shows the asset, its producer, its consumer and the run the event made
        browser.goto(f"{airflow.url}/assets/{asset['id']}")
        browser.wait(
            "the asset page",
            "document.body.innerText.includes('newsfacet_knowledge') && "
            "document.body.innerText.includes('relink_articles') && "
            "document.body.innerText.includes('watch_knowledge')",
        )
        shot = browser.screenshot(ARTEFACTS / "airflow-knowledge-asset.png")
    assert shot.exists() and shot.stat().st_size > 10_000

    again, _ = airflow.trigger_and_wait("watch_knowledge", "unchanged", RUN_TIMEOUT, every=2.0)
    tis = airflow.api("GET", f"/api/v2/dags/watch_knowledge/dagRuns/{again['dag_run_id']}/taskInstances")
    assert [t["state"] for t in tis["task_instances"]] == ["skipped"]  # nothing changed since: no second event
    assert len(airflow.api("GET", f"/api/v2/assets/events?asset_id={asset['id']}")["asset_events"]) == len(events)
