"""The mapped task's report carries its own timings, and the run summary ignores them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from etl import dag_tasks
from etl.pipeline import RunReport
from etl.settings import Settings


def test_run_batch_reports_load_and_work_time_and_summary_ignores_them(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings.from_env({"NEWSFACET_DATA_DIR": str(tmp_path)})
    loaded: list[Settings] = []

    def fake_batch(paths: Sequence[str], settings: Settings, run_id: str, **_: Any) -> RunReport:
        assert loaded, "models are loaded before the batch starts"
        return RunReport(run_id=run_id, read=len(paths), indexed=len(paths), indexed_ids=list(paths))

    monkeypatch.setattr(dag_tasks, "warm_up", loaded.append)
    monkeypatch.setattr(dag_tasks, "process_batch", fake_batch)
    report = dag_tasks.run_batch(settings, "manual__2026-01-01T00:00:00+00:00", ["a.txt", "b.txt"])

    assert report["load_s"] >= 0 and report["work_s"] >= 0
    assert report["began_at"] <= report["ended_at"]
    report = json.loads(json.dumps(report))  # as it travels through XCom
    summary = dag_tasks.summarize_run(settings, "manual", {"unchanged": 1}, [report, report])
    assert (summary["read"], summary["indexed"], summary["unchanged"]) == (5, 4, 1)
    assert not {"load_s", "work_s", "began_at", "ended_at"} & set(summary)
