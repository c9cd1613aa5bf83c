"""A real Airflow for a test or a bench: free ports, process groups, the REST API, polling with logs on failure.

Shared by the scheduler test (LocalExecutor), the scale-out test (CeleryExecutor) and ``bench/airflow_bench.py``,
which start different components but drive and stop them the same way.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

from etl.settings import Settings

DAGS_FOLDER = Path(__file__).resolve().parents[1] / "dags"
"""The project's DAGs (a source checkout: these tools are for developers and CI)."""


class StackFailure(AssertionError):
    """The throw-away Airflow did not do what a test or bench needed; the message carries its logs."""


def free_port(start: int) -> int:
    """The first port from ``start`` nothing listens on (checked on every interface, used on loopback)."""
    for port in range(start, start + 300):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("0.0.0.0", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {start}..{start + 299}")


def airflow_env(
    home: Path, port: int, newsfacet: dict[str, str], executor: str, parallelism: int, **extra: str
) -> dict[str, str]:
    """The environment every component of a throw-away Airflow gets: its home, the project's DAGs, the REST and
    Execution API on ``port`` with all-admin simple auth, one JWT secret shared by the components, quick DAG
    parsing; ``newsfacet`` settings for the tasks, ``extra`` Airflow settings (database, Celery) on top."""
    import secrets

    url = f"http://127.0.0.1:{port}"
    return {
        **os.environ,
        **newsfacet,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": executor,
        "AIRFLOW__CORE__PARALLELISM": str(parallelism),
        "AIRFLOW__CORE__AUTH_MANAGER": "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{url}/execution/",
        "AIRFLOW__API__BASE_URL": url,
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),  # 64 bytes for HS512
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port(port + 100)),
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def tail(path: Path, lines: int = 40) -> str:
    """The end of a log file, for failure messages."""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else "(no log)"


def stop_group(proc: subprocess.Popen[bytes], first: signal.Signals = signal.SIGTERM, grace: float = 30.0) -> None:
    """Signal the process group ``proc`` leads (started with ``start_new_session``), then SIGKILL what is left."""
    stop_groups([proc], first, grace)


def stop_groups(
    procs: Iterable[subprocess.Popen[bytes]], first: signal.Signals = signal.SIGTERM, grace: float = 30.0
) -> None:
    """Signal every group at once, give them ``grace`` seconds together, then SIGKILL each group (children such
    as LocalExecutor workers may outlive their leader)."""
    procs = list(procs)
    for proc in procs:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, first)
    deadline = time.monotonic() + grace
    for proc in procs:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
    for proc in procs:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)


@dataclass
class AirflowStack:
    """Running Airflow components: where the API listens, where each component logs, what its tasks see."""

    url: str
    home: Path
    settings: Settings
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    token: str = ""

    def start(self, components: Iterable[str], airflow_bin: str, env: dict[str, str], cwd: Path) -> None:
        """Start each component (``airflow <name>``) in a session of its own, logging to ``<home>/<name>.log``."""
        for name in components:
            self.launch(name, [airflow_bin, name], env, cwd)

    def launch(self, name: str, command: list[str], env: dict[str, str], cwd: Path) -> None:
        """Start one component under ``name`` with its own command line and environment (a Celery worker), in a
        session of its own, logging to ``<home>/<name>.log``."""
        with open(self.log(name), "wb") as log:  # the child keeps its own descriptor
            self.procs[name] = subprocess.Popen(
                command,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                cwd=cwd,
            )

    def api(self, method: str, path: str, body: dict[str, Any] | None = None, timeout: float = 30.0) -> Any:
        """One REST call; returns the decoded JSON (or text), raises ``HTTPError`` on 4xx/5xx."""
        request = urllib.request.Request(
            self.url + path, method=method, data=None if body is None else json.dumps(body).encode()
        )
        request.add_header("Accept", "application/json")
        if body is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read().decode()
        try:
            return json.loads(text)
        except ValueError:
            return text

    def log(self, name: str) -> Path:
        """The log file of component ``name``."""
        return self.home / f"{name}.log"

    def log_tail(self, name: str, lines: int = 60) -> str:
        return tail(self.log(name), lines)

    def logs(self, lines: int = 25) -> str:
        """The end of every component's log."""
        return "\n".join(f"--- {name}\n{self.log_tail(name, lines)}" for name in self.procs)

    def dead(self) -> str | None:
        """The first component that exited, with the tail of its log."""
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                return f"{name} exited with {proc.returncode}:\n{self.log_tail(name)}"
        return None

    def fail(self, message: str) -> NoReturn:
        """Stop with ``message`` (an ``AssertionError``: pytest reports it as the test's failure)."""
        raise StackFailure(message)

    def wait(
        self,
        what: str,
        probe: Callable[[], Any],
        timeout: float,
        every: float = 1.0,
        detail: Callable[[], str] | None = None,
    ) -> Any:
        """Poll ``probe`` until it returns something truthy; fail with the logs (or ``detail()``) if a component
        dies or time runs out."""
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            if problem := self.dead():
                self.fail(f"while waiting for {what}: {problem}")
            try:
                last = probe()
                if last:
                    return last
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
                last = exc
            time.sleep(every)
        self.fail(
            f"timed out after {timeout:.0f}s waiting for {what} (last: {last!r})\n"
            f"{detail() if detail else self.logs(30)}"
        )

    def wait_healthy(self, timeout: float) -> None:
        """Wait for the API, scheduler and dag-processor to report healthy, then take an API token."""

        def healthy() -> bool:
            health = self.api("GET", "/api/v2/monitor/health", timeout=5)
            return all(
                (health.get(p) or {}).get("status") == "healthy" for p in ("metadatabase", "scheduler", "dag_processor")
            )

        self.wait("the API, scheduler and dag-processor to be healthy", healthy, timeout)
        self.token = str(self.api("GET", "/auth/token")["access_token"])  # all-admins: sent anyway, as a client would

    def unpause_when_parsed(self, dag_id: str, timeout: float) -> dict[str, Any]:
        """Wait until the dag-processor has parsed ``dag_id`` (any import error fails at once), then unpause it."""

        def parsed() -> dict[str, Any] | None:
            errors = self.api("GET", "/api/v2/importErrors")
            if errors.get("import_errors"):  # the folder holds only our DAGs: any error is ours
                self.fail(f"DAG import errors: {json.dumps(errors['import_errors'], indent=2)[:3000]}")
            try:
                dag: dict[str, Any] = self.api("GET", f"/api/v2/dags/{dag_id}")
            except urllib.error.HTTPError as exc:
                if exc.code == 404:
                    return None
                raise
            return dag

        dag: dict[str, Any] = self.wait(f"the DAG {dag_id} to be parsed", parsed, timeout)
        if dag["is_paused"]:  # dags_are_paused_at_creation: the PATCH is what lets it run
            dag = self.api("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": False})
            if dag["is_paused"] is not False:
                self.fail(f"could not unpause {dag_id}: {dag}")
        return dag

    def trigger_and_wait(
        self, dag_id: str, note: str, timeout: float, every: float = 1.0, detail: Callable[[str], str] | None = None
    ) -> tuple[dict[str, Any], float]:
        """Trigger a run over REST and poll it to a final state: (the final run, seconds from trigger to seeing
        it). ``detail(run_id)`` adds to the message if the wait times out."""
        started = time.monotonic()
        run = self.api(
            "POST", f"/api/v2/dags/{dag_id}/dagRuns", {"logical_date": datetime.now(UTC).isoformat(), "note": note}
        )
        run_id = str(run["dag_run_id"])

        def finished() -> dict[str, Any] | None:
            state: dict[str, Any] = self.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}")
            return state if state["state"] in ("success", "failed") else None

        final: dict[str, Any] = self.wait(
            f"run {run_id} of {dag_id} to finish",
            finished,
            timeout,
            every=every,
            detail=(lambda: detail(run_id)) if detail else None,
        )
        return final, time.monotonic() - started


# --------------------------------------------------------------------------- `make airflow`: the local UI

LOCAL_COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")


def local_env(home: Path, port: int, bin_dir: Path, environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of ``make airflow``'s components: ``airflow`` itself first on PATH (Airflow starts some of
    its parts by that bare name), sizes for a small machine (LocalExecutor forks ``parallelism`` workers at
    start: Airflow's default of 32 is 32 idle processes), the UI's admin user with a generated password. Every
    value the caller's environment already sets wins."""
    env = dict(os.environ if environ is None else environ)
    env["PATH"] = os.pathsep.join([str(bin_dir), env.get("PATH", "")])
    cores = os.cpu_count() or 2
    defaults = {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": str(min(cores, 4)),
        "AIRFLOW__CORE__AUTH_MANAGER": "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__API__BASE_URL": f"http://localhost:{port}",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
        "PYTHONUNBUFFERED": "1",
    }
    for key, value in defaults.items():
        env.setdefault(key, value)
    return env


def password_file(env: dict[str, str]) -> Path:
    """Where SimpleAuthManager keeps the generated passwords (``[core] simple_auth_manager_passwords_file``)."""
    configured = env.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE")
    default = Path(env["AIRFLOW_HOME"]) / "simple_auth_manager_passwords.json.generated"
    return Path(configured) if configured else default


def login_lines(env: dict[str, str], url: str) -> list[str]:
    """What a person needs to log in: the URL, the user, where the password is (and the password itself: this is
    a development server on the loopback interface)."""
    users = [u.split(":")[0] for u in env.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS", "admin:admin").split(",")]
    path = password_file(env)
    try:
        passwords: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        passwords = {}
    lines = [f"Airflow is up: {url}"]
    for user in users:
        shown = passwords.get(user)
        lines.append(f"  log in as {user!r}, password {shown!r}" if shown else f"  log in as {user!r}")
    lines.append(f"  (passwords are kept in {path}; delete the file to get new ones)")
    return lines


def serve(verbose: bool = False, port: int | None = None) -> int:
    """``make airflow``: the API server and UI, scheduler, DAG processor and triggerer, each in its own process
    group with its log under ``$AIRFLOW_HOME``; prints how to log in once all are healthy, then waits. Ctrl+C (or
    SIGTERM) stops every component and its children: SIGTERM, 20 s of grace, then SIGKILL."""
    import sys

    home = Path(os.environ.get("AIRFLOW_HOME") or Path.cwd() / "var" / "airflow")
    home.mkdir(parents=True, exist_ok=True)
    port = port or int(os.environ.get("AIRFLOW__API__PORT") or 8080)
    env = local_env(home, port, Path(sys.executable).parent)
    url = env["AIRFLOW__API__BASE_URL"]
    stack = AirflowStack(url=f"http://127.0.0.1:{port}", home=home, settings=Settings.from_env(env))

    def interrupted(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(signum)

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)  # even when started with SIGINT ignored (a background job)
    logs = {name: home / f"{name}.log" for name in LOCAL_COMPONENTS}
    print(
        f"starting Airflow (parallelism {env['AIRFLOW__CORE__PARALLELISM']}, DAGs in "
        f"{env['AIRFLOW__CORE__DAGS_FOLDER']}); logs: {home}/<component>.log",
        flush=True,
    )
    try:
        for name in LOCAL_COMPONENTS:
            out = None if verbose else open(logs[name], "ab")  # noqa: SIM115 (the child keeps the descriptor)
            try:
                stack.procs[name] = subprocess.Popen(
                    ["airflow", name],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT if out else None,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )
            finally:
                if out is not None:
                    out.close()

        def healthy() -> bool:
            health = stack.api("GET", "/api/v2/monitor/health", timeout=5)
            return all(
                (health.get(p) or {}).get("status") == "healthy"
                for p in ("metadatabase", "scheduler", "dag_processor", "triggerer")
            )

        try:
            stack.wait("Airflow to be healthy", healthy, timeout=300, detail=lambda: stack.logs(20))
        except StackFailure as exc:
            print(f"Airflow did not come up: {exc}", file=sys.stderr)
            return 1
        print("\n".join(login_lines(env, url)), flush=True)
        print(
            f"  runs of ingest_articles start when you trigger them (NEWSFACET_SCHEDULE="
            f"{env.get('NEWSFACET_SCHEDULE') or 'unset: @hourly'}). Ctrl+C stops Airflow.",
            flush=True,
        )
        while True:
            if problem := stack.dead():
                print(f"an Airflow component stopped: {problem}", file=sys.stderr)
                return 1
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nstopping Airflow ...", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl+C must not cut the clean-up short
        started = time.monotonic()
        stop_groups(stack.procs.values(), grace=20.0)
        print(f"Airflow stopped in {time.monotonic() - started:.1f} s", flush=True)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m devtools.airflow_stack", description=serve.__doc__)
    parser.add_argument("--verbose", action="store_true", help="the components' logs on the terminal")
    parser.add_argument("--port", type=int, help="the UI's port (default: AIRFLOW__API__PORT or 8080)")
    args = parser.parse_args(argv)
    return serve(verbose=args.verbose, port=args.port)


if __name__ == "__main__":
    raise SystemExit(main())
