"""Shared fixtures: project paths, settings pointed at a throw-away alias and data dir, the real node."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from etl.settings import Settings
from tests.paths import PROJECT_ROOT, SEEDS

# Airflow reads these at import: a project-local home and DAG folder unless the caller chose others.
os.environ.setdefault("AIRFLOW_HOME", str(PROJECT_ROOT / "var" / "airflow"))
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(PROJECT_ROOT / "dags"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for one test: its own alias and data dir, the cluster from ELASTICSEARCH_URL."""
    alias = f"nf-test-{uuid.uuid4().hex[:8]}"
    return Settings.from_env(
        {
            **os.environ,
            "NEWSFACET_INDEX": alias,
            "NEWSFACET_DATA_DIR": str(tmp_path / "var"),
            "NEWSFACET_INBOX": str(SEEDS),
        }
    )


@pytest.fixture
def es(settings: Settings) -> Iterator[Any]:
    """A client on the real node; the test's indices are deleted afterwards. No node: the test fails, not skips."""
    from etl.store.client import connect

    client = connect(settings)
    try:
        client.cluster.health(wait_for_status="yellow", timeout="30s")  # GET / is not served by every distribution
    except Exception as exc:
        pytest.fail(f"no Elasticsearch at {settings.elasticsearch_url} ({exc}): start one with `newsfacet es start`")
    yield client
    names = list(client.indices.get(index=f"{settings.index_alias}*", expand_wildcards="all"))
    if names:  # deleting by wildcard is refused (action.destructive_requires_name)
        client.indices.delete(index=",".join(names))
    client.close()
