"""`make airflow`'s launcher (``python -m devtools.airflow_stack``) on a plain PATH: the UI answers, the login is
printed, the LocalExecutor has as many workers as the parallelism says, and an interrupt (Ctrl+C) stops every
process it started."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from devtools.airflow_stack import free_port
from tests.paths import PROJECT_ROOT

pytestmark = pytest.mark.integration
START_TIMEOUT = 240.0


def _wait_for_line(log: Path, pattern: str, proc: subprocess.Popen[bytes], timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace") if log.exists() else ""
        if re.search(pattern, text):
            return text
        if proc.poll() is not None:
            pytest.fail(f"the launcher exited with {proc.returncode}:\n{text[-3000:]}")
        time.sleep(1)
    pytest.fail(f"no {pattern!r} within {timeout:.0f}s:\n{log.read_text(errors='replace')[-3000:]}")


def test_make_airflow_serves_the_ui_and_ctrl_c_stops_everything(tmp_path: Path) -> None:
    home = tmp_path / "airflow"
    port = free_port(8871)
    env = {
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__CORE__PARALLELISM": "2",
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port(port + 100)),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port(port + 200)),
        "NEWSFACET_SCHEDULE": "none",
        "NEWSFACET_INDEX": "nf-make-airflow",
        "NEWSFACET_DATA_DIR": str(tmp_path / "var"),
        "ELASTICSEARCH_URL": os.environ.get("ELASTICSEARCH_URL", "http://localhost:9200"),
    }
    airflow = str(Path(sys.executable).with_name("airflow"))
    migrate = subprocess.run([airflow, "db", "migrate"], env=env, capture_output=True, text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stderr[-3000:]

    log = tmp_path / "launcher.log"
    with open(log, "wb") as out:  # the launcher inherits PATH=/usr/bin:/bin: no venv on it, as in a fresh shell
        proc = subprocess.Popen(
            [sys.executable, "-m", "devtools.airflow_stack"],
            env=env,
            cwd=PROJECT_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        text = _wait_for_line(log, r"Ctrl\+C stops Airflow", proc, START_TIMEOUT)
        assert f"Airflow is up: http://localhost:{port}" in text
        password = re.search(r"log in as 'admin', password '([^']+)'", text)
        assert password, text
        assert str(home / "simple_auth_manager_passwords.json.generated") in text
        assert password.group(1) in (home / "simple_auth_manager_passwords.json.generated").read_text()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as page:
            assert page.status == 200 and b"<html" in page.read().lower()

        children = psutil.Process(proc.pid).children(recursive=True)
        workers = [p for p in children if "LocalExecutor" in " ".join(p.cmdline())]
        assert len(workers) == 2, [" ".join(p.cmdline()) for p in children]
        print(f"\nmake airflow: {len(children)} processes under the launcher (parallelism 2)")
    finally:
        children = psutil.Process(proc.pid).children(recursive=True) if proc.poll() is None else []
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl+C sends to the foreground process group
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail(f"the launcher did not stop within 60 s of Ctrl+C:\n{log.read_text()[-2000:]}")
    _, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, f"left running after Ctrl+C: {[p.pid for p in alive]}"
    assert proc.returncode == 0 and "Airflow stopped in" in log.read_text()
