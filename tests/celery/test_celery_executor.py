"""Scale-out: ``ingest_articles`` on Airflow's CeleryExecutor with two workers gives what one process gives.

The fixture starts, on loopback and in temporary directories, PostgreSQL (Airflow's metadata database and
Celery's result backend) and Redis (the broker) from Debian's packages, then Airflow's api-server, scheduler,
dag-processor and two ``airflow celery worker`` processes with distinct hostnames and concurrency 1. An inbox of
generated articles is cut into ~10 mapped ``process_batch`` tasks; the run is triggered over the REST API (v2)
and polled to success. Then the task instances must name both workers, and the index must equal, document for
document, what ``etl.run.flow.run`` writes from the same inbox in this process.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from devtools.airflow_stack import AirflowStack, airflow_env, free_port, stop_group
from etl.settings import Settings
from tests.celery.conftest import Postgres, Redis
from tests.paths import SEED_ARTICLE

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DAG_ID = "ingest_articles"
ARTICLES = 48
BATCH_SIZE = 5  # -> ceil(48 / 5) = 10 mapped process_batch tasks
WORKERS = ("a", "b")
WORKER_CONCURRENCY = 1
START_TIMEOUT = 180.0  # api-server healthy, scheduler and dag-processor heart-beating, workers ready, DAG parsed
RUN_TIMEOUT = 240.0  # the triggered run reaches a final state
HERE = Path(__file__).resolve().parent  # holds nf_celery_hostname, the workers' [core] hostname_callable
COMPARED = ("title", "regions", "actors", "countries")


# -- the inbox ------------------------------------------------------------------------------------------------

PLACES = ["Tripoli", "Benghazi", "Sirte", "Misrata", "Tobruk", "Sabha", "Palermo", "Rome", "Paris", "Fezzan"]
PEOPLE = ["Khalifa Haftar", "Fayez al-Sarraj", "Aguila Salah", "Ghassan Salame", "Matteo Salvini", "Khaled al-Mechri"]
HEADLINES = [
    "{person} meets envoys in {place}",
    "Talks on Libya move to {place}",
    "{place}: {person} under pressure",
    "Migration deal debated in {place}",
    "{person} skips {place} conference",
    "Oil fields near {place} calm",
]


def _seed_paragraphs() -> list[str]:
    """The seed article's body paragraphs (not its title, caption or newsletter footer)."""
    blocks = [b.strip() for b in SEED_ARTICLE.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    return [b for b in blocks[1:] if len(b.split()) >= 12 and "REUTERS" not in b and "newsletter" not in b.lower()]


def write_inbox(inbox: Path, count: int) -> list[Path]:
    """``count`` small, distinct articles: a headline, a sentence of their own, 3-5 paragraphs of the seed."""
    rng = random.Random(6)  # project issue 6: the same inbox every run
    paragraphs = _seed_paragraphs()
    inbox.mkdir(parents=True, exist_ok=True)
    files = []
    for number in range(count):
        place, other, person = rng.choice(PLACES), rng.choice(PLACES), rng.choice(PEOPLE)
        title = rng.choice(HEADLINES).format(place=place, person=person) + f" (dispatch {number + 1})"
        lead = (
            f"Dispatch {number + 1}: {person} was expected in {place} on day {number + 1} of the talks, "
            f"while {rng.randint(2, 40)} delegations gathered in {other}."
        )
        body = [lead, *rng.sample(paragraphs, rng.randint(3, 5))]
        path = inbox / f"dispatch-{number + 1:03d}.txt"
        path.write_text(title + "\n\n" + "\n\n".join(body) + "\n", encoding="utf-8")
        files.append(path)
    return files


# -- the Airflow stack ----------------------------------------------------------------------------------------


@dataclass
class Stack(AirflowStack):
    """Airflow on CeleryExecutor, plus its workers: key -> hostname (Celery's and the task instances')."""

    workers: dict[str, str] = field(default_factory=dict)


def _delete_indices(settings: Settings) -> None:
    """The alias's indices (versioned index, ledger) by their concrete names: wildcard deletes are refused."""
    from etl.store.client import connect

    client = connect(settings)
    try:
        names = list(client.indices.get(index=f"{settings.index_alias}*", expand_wildcards="all"))
        if names:
            client.indices.delete(index=",".join(names))
    finally:
        client.close()


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("celery-inbox") / "inbox"
    write_inbox(path, ARTICLES)
    return path


def _require_python_packages() -> None:
    """The pins the scale-out stack needs beyond the base install: a clear message rather than a traceback."""
    import importlib.util

    needed = {
        "airflow.providers.celery": "apache-airflow-providers-celery",
        "celery": "celery",
        "redis": "redis",
        "psycopg2": "psycopg2-binary",
        "asyncpg": "asyncpg",
    }
    missing = [pin for module, pin in needed.items() if importlib.util.find_spec(module) is None]
    if missing:
        pytest.fail(f"not installed: {', '.join(missing)} (pinned in pyproject.toml: `make setup`)")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, postgres: Postgres, redis: Redis, inbox: Path) -> Iterator[Stack]:
    _require_python_packages()
    root = tmp_path_factory.mktemp("celery-stack")
    home = root / "airflow"
    home.mkdir()
    port = free_port(8895)
    url = f"http://127.0.0.1:{port}"
    tag = uuid.uuid4().hex[:6]
    newsfacet = {
        "NEWSFACET_INDEX": f"nf-celery-{tag}",
        "NEWSFACET_DATA_DIR": str(root / "var"),
        "NEWSFACET_INBOX": str(inbox),
        "NEWSFACET_SCHEDULE": "none",
        "NEWSFACET_BATCH_SIZE": str(BATCH_SIZE),
    }
    env = airflow_env(
        home,
        port,
        newsfacet,
        "CeleryExecutor",
        4,
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=postgres.url("postgresql+psycopg2"),
        AIRFLOW__CELERY__BROKER_URL=redis.url(0),
        AIRFLOW__CELERY__RESULT_BACKEND=postgres.url("db+postgresql+psycopg2"),
        AIRFLOW__CELERY__WORKER_CONCURRENCY=str(WORKER_CONCURRENCY),
        AIRFLOW__CELERY__WORKER_PREFETCH_MULTIPLIER="1",
    )
    airflow_bin = str(Path(sys.executable).with_name("airflow"))
    started = time.monotonic()
    migrate = subprocess.run(
        [airflow_bin, "db", "migrate"], env=env, capture_output=True, text=True, timeout=300, cwd=root
    )
    assert migrate.returncode == 0, migrate.stdout[-2000:] + migrate.stderr[-3000:]
    migrated = time.monotonic() - started

    workers = {key: f"nf-celery-{key}-{tag}" for key in WORKERS}
    stack = Stack(url=url, home=home, settings=Settings.from_env(env), workers=workers)
    commands: dict[str, tuple[list[str], dict[str, str]]] = {
        name: ([airflow_bin, name], env) for name in ("api-server", "scheduler", "dag-processor")
    }
    for key, hostname in workers.items():
        # Logs are read from the shared AIRFLOW_HOME, so no log server (two on one port would clash).
        commands[f"worker-{key}"] = (
            [
                airflow_bin,
                "celery",
                "worker",
                "--celery-hostname",
                hostname,
                "--concurrency",
                str(WORKER_CONCURRENCY),
                "--skip-serve-logs",
                "--without-mingle",
                "--without-gossip",
            ],
            {
                **env,
                "NEWSFACET_CELERY_WORKER": hostname,
                "AIRFLOW__CORE__HOSTNAME_CALLABLE": "nf_celery_hostname.hostname",
                "PYTHONPATH": os.pathsep.join(p for p in (str(HERE), env.get("PYTHONPATH", "")) if p),
            },
        )
    try:
        for name, (command, component_env) in commands.items():
            stack.launch(name, command, component_env, root)

        def workers_ready() -> bool:  # Celery's own line once it consumes: "celery@<hostname> ready."
            return all(
                re.search(rf"@{re.escape(h)} ready", stack.log(f"worker-{k}").read_text(errors="replace"))
                for k, h in workers.items()
            )

        stack.wait_healthy(START_TIMEOUT)
        stack.wait("both Celery workers to be ready", workers_ready, START_TIMEOUT)
        print(
            f"\nairflow (CeleryExecutor, workers {', '.join(workers.values())}) up at {url}: "
            f"db migrate {migrated:.0f}s, components {time.monotonic() - started - migrated:.0f}s"
        )
        yield stack
    finally:
        for name in [n for n in stack.procs if n.startswith("worker-")] + [
            n for n in stack.procs if not n.startswith("worker-")
        ]:
            stop_group(stack.procs[name])
        _delete_indices(stack.settings)


@dataclass
class FinishedRun:
    run_id: str
    summary: dict[str, Any]
    task_instances: list[dict[str, Any]]
    seconds: float


def _failure_report(stack: Stack, run_id: str) -> str:
    """Each task instance's state and hostname, the log of those that did not succeed, the components' tails."""
    out = []
    tis = stack.api("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances?limit=100")
    for ti in tis.get("task_instances", []):
        out.append(f"--- {ti['task_id']}[{ti.get('map_index', -1)}]: {ti['state']} on {ti.get('hostname')}")
        if ti["state"] not in ("success", "skipped"):
            for attempt in range(1, int(ti.get("try_number") or 0) + 1):
                try:
                    log = stack.api(
                        "GET",
                        f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/{ti['task_id']}"
                        f"/logs/{attempt}?map_index={ti.get('map_index', -1)}",
                    )
                except Exception as exc:  # a diagnostic: never hide the failure behind it
                    out.append(f"(log unavailable: {exc})")
                    continue
                content = log.get("content", log) if isinstance(log, dict) else log
                lines = (
                    [str(c.get("event", c)) if isinstance(c, dict) else str(c) for c in content]
                    if isinstance(content, list)
                    else [str(content)]
                )
                out.append("\n".join(lines)[-3000:])
    return "\n".join(out) + "\n" + stack.logs(20)


@pytest.fixture(scope="module")
def celery_run(stack: Stack) -> FinishedRun:
    """One run of the ingest DAG, triggered over REST once the DAG is parsed, polled to a final state."""
    stack.unpause_when_parsed(DAG_ID, START_TIMEOUT)
    final, seconds = stack.trigger_and_wait(
        DAG_ID,
        "newsfacet scale-out test (Celery)",
        RUN_TIMEOUT,
        every=2.0,
        detail=lambda run_id: _failure_report(stack, run_id),
    )
    run_id = str(final["dag_run_id"])
    if final["state"] != "success":
        pytest.fail(f"run {run_id} ended {final['state']}\n{_failure_report(stack, run_id)}")
    tis = stack.api("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances?limit=100")["task_instances"]
    xcom = stack.api("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/summarize/xcomEntries/return_value")
    value = xcom["value"]
    summary = json.loads(value) if isinstance(value, str) else value
    print(f"\n{DAG_ID} run {run_id}: success in {seconds:.0f}s")
    return FinishedRun(run_id=run_id, summary=summary, task_instances=tis, seconds=seconds)


def _documents(settings: Settings) -> dict[str, dict[str, Any]]:
    """Every article under the alias: id -> the compared fields."""
    from etl.store.client import connect

    client = connect(settings)
    try:
        client.indices.refresh(index=settings.index_alias)
        hits = client.search(
            index=settings.index_alias, size=1000, source_includes=list(COMPARED), query={"match_all": {}}
        )["hits"]["hits"]
        return {h["_id"]: {f: h["_source"].get(f) for f in COMPARED} for h in hits}
    finally:
        client.close()


def test_both_workers_take_mapped_batches(stack: Stack, celery_run: FinishedRun) -> None:
    tis = celery_run.task_instances
    batches = [t for t in tis if t["task_id"] == "process_batch"]
    assert len(batches) == math.ceil(ARTICLES / BATCH_SIZE), [(t["task_id"], t.get("map_index")) for t in tis]
    assert {t["state"] for t in tis} == {"success"}, {(t["task_id"], t.get("map_index")): t["state"] for t in tis}
    by_worker: dict[str, list[int]] = {}
    for ti in batches:
        by_worker.setdefault(str(ti.get("hostname")), []).append(int(ti["map_index"]))
    print(
        f"mapped batches by worker: { {h: sorted(i) for h, i in by_worker.items()} }; seconds per batch: "
        f"{sorted(round(t.get('duration') or 0) for t in batches)}"
    )
    assert set(by_worker) == set(stack.workers.values()), by_worker  # both, and nobody else
    assert {t.get("hostname") for t in tis} <= set(stack.workers.values())  # every task ran on one of ours

    # Scale-out, not turn-taking: some batch on one worker ran while a batch on the other did.
    spans = [
        (t["hostname"], datetime.fromisoformat(t["start_date"]), datetime.fromisoformat(t["end_date"])) for t in batches
    ]
    overlapping = [(a[0], b[0]) for a in spans for b in spans if a[0] < b[0] and a[1] < b[2] and b[1] < a[2]]
    assert overlapping, spans


def test_celery_run_equals_a_single_process_run(
    stack: Stack, celery_run: FinishedRun, inbox: Path, tmp_path: Path
) -> None:
    from etl.run.flow import run

    summary = celery_run.summary
    assert summary["read"] == summary["indexed"] == ARTICLES, {k: summary[k] for k in ("read", "indexed", "rejected")}

    single = Settings.from_env(
        {
            **os.environ,
            "NEWSFACET_INDEX": f"{stack.settings.index_alias}-single",
            "NEWSFACET_DATA_DIR": str(tmp_path / "var"),
            "NEWSFACET_INBOX": str(inbox),
            "NEWSFACET_BATCH_SIZE": str(ARTICLES),
        }
    )
    try:
        started = time.monotonic()
        report = run([inbox], single)
        print(f"\nsingle-process run: {report.summary()} in {time.monotonic() - started:.0f}s")
        expected, got = _documents(single), _documents(stack.settings)
    finally:
        _delete_indices(single)
    assert report.indexed == ARTICLES
    assert set(got) == set(expected) and len(got) == ARTICLES
    differing = {
        doc_id: {"celery": got[doc_id], "single": expected[doc_id]}
        for doc_id in expected
        if got[doc_id] != expected[doc_id]
    }
    assert not differing, json.dumps(differing, indent=1, ensure_ascii=False)[:4000]
    assert sum(bool(d["regions"]) for d in got.values()) > 0 and sum(bool(d["actors"]) for d in got.values()) > 0
    assert len({d["title"] for d in got.values()}) == ARTICLES
