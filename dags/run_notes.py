"""The run's summary on its page in the Airflow UI: an Airflow listener that writes each finished run's note.

A task cannot set its own DAG run's note (tasks have no database access in Airflow 3, and the Execution API has
no call for it), so ``summarize`` leaves the Markdown summary in XCom (key ``run_note``) and this listener, which
runs where Airflow changes a run's state (the scheduler, or the API server when someone marks a run), copies it
into the note when the run succeeds or fails. A failed run's note starts with the tasks that failed (``verify``
when the index lacks a document the run wrote). A note a person wrote when triggering is kept below the summary.

Registered through the ``airflow.plugins`` entry point in ``pyproject.toml``, so every Airflow component of an
environment where newsfacet is installed loads it (``make airflow``, the Compose image, the tests' stacks).
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Any

from airflow.listeners import hookimpl
from airflow.plugins_manager import AirflowPlugin

if TYPE_CHECKING:
    from airflow.models.dagrun import DagRun

log = logging.getLogger(__name__)
NOTE_KEY = "run_note"  # dags.ingest_articles.RUN_NOTE_KEY (not imported: that would parse the DAG here)
NOTE_TASK = "summarize"
MARKER = "**newsfacet:"
"""Starts the part of the note this listener writes (its first line, which the run page shows folded): a cleared
and re-run run replaces that part, and keeps what a person wrote, after ``SEPARATOR``."""
SEPARATOR = "\n\n---\n"
NOTE_LIMIT = 1000  # the note column is a VARCHAR(1000)


def compose_note(existing: str | None, summary: str | None, failed_tasks: list[str]) -> str | None:
    """The note to store: the failure and the summary first (the run page shows a note's first line), then what
    a person wrote (an earlier summary of this run dropped); None when there is nothing to say."""
    own = (existing or "").strip()
    if own.startswith(MARKER):
        own = own.split(SEPARATOR, 1)[1].strip() if SEPARATOR in own else ""
    parts = []
    if failed_tasks:
        parts.append(f"{MARKER} run failed** at {', '.join(sorted(set(failed_tasks)))}: see the task logs.")
    if summary:
        parts.append(summary if parts else f"{MARKER} {summary.removeprefix('**')}")
    if not parts:
        return None
    ours = "\n\n".join(parts)
    room = NOTE_LIMIT - (len(own) + len(SEPARATOR) if own else 0)
    if room < 300:  # a long hand-written note: the summary matters more on a run's page
        own, room = "", NOTE_LIMIT
    if len(ours) > room:
        ours = ours[: room - 1] + "…"
    return f"{ours}{SEPARATOR}{own}" if own else ours


def _write_note(dag_run: DagRun) -> None:
    from airflow.models.xcom import XComModel
    from airflow.utils.state import TaskInstanceState
    from sqlalchemy.orm import object_session

    session = object_session(dag_run)
    if session is None:  # dag.test() hands listeners a run detached from its session: nothing to write through
        return
    row = session.scalars(
        XComModel.get_many(run_id=dag_run.run_id, dag_ids=dag_run.dag_id, task_ids=NOTE_TASK, key=NOTE_KEY, limit=1)
    ).first()
    summary = XComModel.deserialize_value(row) if row is not None else None
    if summary is None and dag_run.dag_id != "ingest_articles":
        return  # not a newsfacet run, or one that never got far enough to count anything
    failed = [ti.task_id for ti in dag_run.get_task_instances(state=[TaskInstanceState.FAILED], session=session)]
    note = compose_note(dag_run.note, str(summary) if summary is not None else None, failed)
    if note is not None and note != dag_run.note:
        dag_run.note = note


def _safely(dag_run: Any) -> None:
    try:
        _write_note(dag_run)
    except Exception:  # a note is a convenience: never let it disturb the scheduler
        log.exception("newsfacet: could not write the note of %s", dag_run)


@hookimpl
def on_dag_run_success(dag_run: DagRun, msg: str) -> None:
    _safely(dag_run)


@hookimpl
def on_dag_run_failed(dag_run: DagRun, msg: str) -> None:
    _safely(dag_run)


class RunNotesPlugin(AirflowPlugin):
    """Registers this module's listener."""

    name = "newsfacet_run_notes"
    listeners = [sys.modules[__name__]]  # noqa: RUF012 (AirflowPlugin declares it a list)
