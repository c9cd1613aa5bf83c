"""The ``newsfacet`` commands that need Elasticsearch, against the real node: run, search, reindex, es status, and
what a person sees when the cluster or a path is wrong."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from etl.settings import Settings
from tests.paths import SEEDS

pytestmark = pytest.mark.integration


def _newsfacet(settings: Settings, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {
        **os.environ,
        "NEWSFACET_INDEX": settings.index_alias,
        "NEWSFACET_DATA_DIR": str(settings.data_dir),
        "ELASTICSEARCH_URL": settings.elasticsearch_url,
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "etl", *args], capture_output=True, text=True, env=environ, check=False
    )


def test_run_search_reindex_and_rollback(settings: Settings, es: Any, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(SEEDS, inbox)
    run = _newsfacet(settings, "run", str(inbox))
    assert run.returncode == 0, run.stderr
    assert "summary: read 6 · indexed 4 · unchanged 0 · rejected 2 (duplicate 1, empty 1)" in run.stdout
    assert "rejected duplicate" in run.stdout and f"(notes in {settings.quarantine_dir})" in run.stdout

    again = _newsfacet(settings, "run", str(inbox))
    assert again.returncode == 0 and "summary: read 6 · indexed 0 · unchanged 6 · rejected 0" in again.stdout

    found = _newsfacet(settings, "search", "--actor", "Hifter", "--region", "Fazzan")
    assert found.returncode == 0, found.stderr
    assert "Libya strongman boycotts Italy peace summit" in found.stdout and "regions: " in found.stdout
    as_json = json.loads(_newsfacet(settings, "search", "migrant flow", "--json").stdout)
    assert as_json["total"] >= 1 and as_json["query"]["text"] == "migrant flow"

    rebuilt = _newsfacet(settings, "reindex")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert rebuilt.stdout.splitlines()[-1].startswith(f"reindexed: alias '{settings.index_alias}' -> ")
    back = _newsfacet(settings, "reindex", "--rollback")
    assert back.returncode == 0 and back.stdout.startswith(f"rolled back alias '{settings.index_alias}'")


def test_a_missing_inbox_is_an_error_not_a_quarantine_note(settings: Settings, es: Any, tmp_path: Path) -> None:
    done = _newsfacet(settings, "run", str(tmp_path / "no-such-folder"))
    assert done.returncode == 2
    missing = tmp_path / "no-such-folder"
    assert done.stderr.strip() == f"error: {missing} does not exist (the inbox is NEWSFACET_INBOX, or give paths)"
    assert not settings.quarantine_dir.exists()


def test_an_unreachable_cluster_is_one_line_and_exit_2(settings: Settings, tmp_path: Path) -> None:
    for args in (("run", str(SEEDS)), ("search", "Haftar"), ("reindex",), ("relink",), ("kb", "suggest")):
        done = _newsfacet(settings, *args, ELASTICSEARCH_URL="http://127.0.0.1:9", NEWSFACET_ES_RETRIES="0")
        assert done.returncode == 2, (args, done.stderr[-500:])
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: Elasticsearch unavailable while"), (args, lines)


def test_es_status_describes_the_running_node(settings: Settings, es: Any) -> None:
    done = _newsfacet(settings, "es", "status")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Elasticsearch 9.") and "analysis: " in done.stdout
